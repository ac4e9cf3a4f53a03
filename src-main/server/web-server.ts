import { randomBytes, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { apiEvents, type WorkbenchApi } from '../../src-shared/api';
import { MAX_PROJECT_BYTES } from '../../src-shared/desktop-api';
import { toErrorPayload, WorkbenchError } from '../../src-shared/errors';
import { contentSecurityPolicy } from '../platform/content-security-policy';
import { openRegularFile, UNBOUNDED } from '../platform/bounded-file';
import type { Logger } from '../platform/logger';
import { createDispatcher } from '../services/dispatch';
import type { UploadStore } from '../services/upload-store';
import { decodeClientMessage, type ServerMessage } from './protocol';

/** The documented default port of `npm run serve`; taken ports fall back to a free one. */
export const DEFAULT_PORT = 7318;
const LOOPBACK = '127.0.0.1';

/**
 * The largest message a client may send. The largest legitimate one is a project (at most
 * MAX_PROJECT_BYTES of JSON, sent as an object, so unescaped) inside a saveDraft or startTraining
 * request; a predict text is capped at 100,000 characters. 1 MB covers the envelope and the name.
 * `ws` refuses a larger frame on its announced length, before buffering it.
 */
export const MAX_CLIENT_MESSAGE_BYTES = MAX_PROJECT_BYTES + 1024 * 1024;

/** WebSocket close code 1009: the message was too big to process (RFC 6455 §7.4.1). */
const MESSAGE_TOO_BIG = 1009;

/**
 * A WebSocket that says why it closed with 1009. `ws` closes a connection that sends an oversized frame
 * itself, with an empty reason; the reason tells the client what the bound is.
 */
class ApiWebSocket extends WebSocket {
  override close(code?: number, reason?: string | Buffer): void {
    if (code === MESSAGE_TOO_BIG && (reason === undefined || reason.length === 0)) {
      reason = `Messages must be at most ${MAX_CLIENT_MESSAGE_BYTES} bytes.`;
    }
    super.close(code, reason);
  }
}

export interface WebServerOptions {
  /** A port number, 0 for any free port, or 'default' for DEFAULT_PORT falling back to a free port. */
  port: number | 'default';
  /** The built renderer (`out/renderer`). */
  rendererDir: string;
  api: WorkbenchApi;
  log: Logger;
  /** Where `POST /upload` streams files from the browser (a Keras model to open); without it uploads are refused. */
  uploads?: UploadStore;
}

export interface RunningWebServer {
  /** The URL to open, carrying this launch's token. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Serves the renderer and the workbench API (WebSocket at /api) on loopback only.
 *
 * Every request, the WebSocket upgrade included, must carry this launch's token (query or cookie) and a
 * loopback Host and Origin: a page on another site cannot reach the API even through DNS rebinding.
 */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  // 256 random bits per launch.
  const token = randomBytes(32).toString('hex');
  const dispatch = createDispatcher(options.api, options.log);
  const rendererDir = path.resolve(options.rendererDir);
  let port = 0;
  const cookieName = () => `rnn_workbench_token_${port}`;

  const allowedHosts = () => new Set([`${LOOPBACK}:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://${LOOPBACK}:${port}`, `http://localhost:${port}`]);

  /** Returns the reason a request is refused, or undefined when it may pass. */
  function refusal(request: IncomingMessage): { status: 401 | 403; reason: string } | undefined {
    const host = request.headers.host ?? '';
    if (!allowedHosts().has(host)) return { status: 403, reason: `Forbidden: Host must be ${LOOPBACK}:${port} or localhost:${port}. Received: ${JSON.stringify(host)}` };
    const origin = request.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return { status: 403, reason: `Forbidden: Origin must be this server. Received: ${JSON.stringify(origin)}` };
    if (!hasToken(request)) return { status: 401, reason: 'Unauthorized: open the URL printed by `npm run serve`; it carries the access token.' };
    return undefined;
  }

  function hasToken(request: IncomingMessage): boolean {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const offered = url.searchParams.get('token') ?? readCookie(request.headers.cookie, cookieName());
    return offered !== undefined && sameSecret(offered, token);
  }

  async function serveFile(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.resolve(rendererDir, '.' + relative);
    if (!file.startsWith(rendererDir + path.sep)) return send(response, 404, 'Not found');
    const opened = await openRegularFile(file, { what: 'a file of the UI', maxBytes: UNBOUNDED }).catch(() => undefined);
    if (opened === undefined) return send(response, 404, 'Not found');
    const headers: Record<string, string> = {
      'Content-Type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': String(opened.size),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    };
    if (file.endsWith('.html')) {
      headers['Content-Security-Policy'] = contentSecurityPolicy([`ws://${LOOPBACK}:${port}`, `ws://localhost:${port}`]);
      headers['X-Frame-Options'] = 'DENY';
      if (url.searchParams.has('token')) headers['Set-Cookie'] = `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    response.writeHead(200, headers);
    createReadStream('', { fd: opened.handle }).pipe(response);
  }

  /**
   * `POST /upload?kind=keras|tokenizer|arch`: the body, bounded by kind and streamed to disk (a model can
   * be far larger than a WebSocket message may be), answered with `{"upload": id}` for importKerasUpload.
   */
  async function receiveUpload(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const kind = new URL(request.url ?? '/', 'http://localhost').searchParams.get('kind') ?? '';
    try {
      if (options.uploads === undefined) throw new WorkbenchError('not_found', 'Uploads are not served here.');
      const declared = request.headers['content-length'] === undefined ? NaN : Number(request.headers['content-length']);
      const upload = await options.uploads.receive(request, kind, declared);
      response.writeHead(200, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' });
      response.end(JSON.stringify({ upload }));
    } catch (error) {
      const payload = toErrorPayload(error);
      options.log.warn(`upload refused: ${payload.message}`);
      // A refused body is read to its end and dropped before the answer, so the browser, still sending,
      // gets the message rather than a reset connection.
      if (!request.complete && !request.destroyed) {
        request.resume();
        await once(request, 'end').catch(() => undefined);
      }
      const status = payload.code === 'bad_input' ? 413 : payload.code === 'invalid_request' ? 400 : payload.code === 'not_found' ? 404 : 500;
      if (!response.headersSent && !response.destroyed) send(response, status, payload.message);
    }
  }

  const server = createServer((request, response) => {
    const refused = refusal(request);
    if (refused !== undefined) {
      options.log.warn(`refused ${request.method} ${request.url}: ${refused.reason}`);
      return send(response, refused.status, refused.reason);
    }
    if (request.method === 'POST' && new URL(request.url ?? '/', 'http://localhost').pathname === '/upload') return void receiveUpload(request, response);
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'Method not allowed: the API is served over the WebSocket at /api.');
    serveFile(request, response).catch((error: unknown) => {
      options.log.error(`serving ${request.url} failed: ${String(error)}`);
      if (!response.headersSent) send(response, 500, 'Internal error');
    });
  });

  // A malformed HTTP request gets a 400 and ends that connection; without this listener Node does the same,
  // but a reset socket would otherwise be an unhandled 'error'.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    options.log.warn(`bad HTTP request closed: ${error.code ?? error.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES, WebSocket: ApiWebSocket });
  // Errors of one connection arrive on its WebSocket (below); the server's own are logged, never thrown.
  sockets.on('error', (error) => options.log.error(`WebSocket server: ${error.message}`));
  server.on('upgrade', (request, socket, head) => {
    // Until the upgrade completes, a reset connection reports here; afterwards `ws` listens on the socket.
    socket.on('error', (error: NodeJS.ErrnoException) => options.log.warn(`WebSocket upgrade connection: ${error.code ?? error.message}`));
    const refused = refusal(request) ?? (new URL(request.url ?? '/', 'http://localhost').pathname === '/api' ? undefined : { status: 403 as const, reason: 'Forbidden: the API lives at /api.' });
    if (refused !== undefined) {
      options.log.warn(`refused WebSocket ${request.url}: ${refused.reason}`);
      socket.end(`HTTP/1.1 ${refused.status} ${refused.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveApi(ws));
  });

  function serveApi(ws: WebSocket): void {
    const post = (message: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const unsubscribes = apiEvents.map((event) =>
      (options.api[event] as (listener: (payload: unknown) => void) => () => void)((payload) => post({ kind: 'event', event, payload })),
    );
    ws.on('close', () => unsubscribes.forEach((unsubscribe) => unsubscribe()));
    // A protocol error (an oversized frame, invalid UTF-8, an unmasked frame) or a reset: `ws` has already
    // closed this connection with the matching code; without a listener the error would end the process.
    ws.on('error', (error) => options.log.warn(`WebSocket connection closed: ${error.message}`));
    ws.on('message', (data) => {
      const decoded = decodeClientMessage(data.toString());
      if (!decoded.ok) {
        options.log.warn(`bad WebSocket message: ${decoded.error.message}`);
        return post({ kind: 'reply', id: null, reply: decoded });
      }
      const { id, method, params } = decoded.value;
      void dispatch(method, params).then((reply) => post({ kind: 'reply', id, reply }));
    });
  }

  const listen = (wanted: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(wanted, LOOPBACK, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });

  if (options.port === 'default') {
    port = await listen(DEFAULT_PORT).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      options.log.warn(`port ${DEFAULT_PORT} is taken; using a free port instead`);
      return listen(0);
    });
  } else {
    port = await listen(options.port);
  }
  // Once listening, a server error (e.g. too many open files on accept) is logged; it must not end the process.
  server.on('error', (error) => options.log.error(`web server: ${error.message}`));

  return {
    url: `http://${LOOPBACK}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  response.end(text + '\n');
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function sameSecret(offered: string, expected: string): boolean {
  const a = Buffer.from(offered);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
