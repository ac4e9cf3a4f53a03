import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServe, type ServedApp } from '../../test/support/serve';
import { createProject } from '../../src-shared/project';
import { exportRun } from '../export';
import { lstmStack, makeRunFolder, sampleTokenizer } from '../export/test-fixtures';
import { MAX_CLIENT_MESSAGE_BYTES } from './web-server';

// `serve` needs the built UI (`npm run build:web`), as `npm test` builds it first.
let app: ServedApp;
beforeAll(async () => {
  app = await startServe();
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

/** Opens an authorised WebSocket over a raw TCP socket, so the test can write any bytes at all. */
async function rawClient(): Promise<{ socket: Socket; received: () => Buffer; ended: Promise<void> }> {
  const socket = connect(app.port, '127.0.0.1');
  let data = Buffer.alloc(0);
  socket.on('data', (chunk) => (data = Buffer.concat([data, chunk])));
  // The server may reset the connection after its close frame; that is the end we wait for, not a failure.
  socket.on('error', () => {});
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(
    [
      `GET /api?token=${app.token} HTTP/1.1`,
      `Host: 127.0.0.1:${app.port}`,
      `Origin: ${app.origin}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  );
  await waitFor(() => data.includes('\r\n\r\n'));
  expect(data.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
  const headerEnd = data.indexOf('\r\n\r\n') + 4;
  return { socket, received: () => data.subarray(headerEnd), ended };
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The close code of the first frame the server sent, when it is a close frame (opcode 8). */
function closeCode(frames: Buffer): number | undefined {
  if (frames.length < 4 || (frames[0]! & 0x0f) !== 0x8) return undefined;
  return frames.readUInt16BE(2);
}

/** A masked client frame header announcing `length` payload bytes (64-bit length form). */
function maskedHeader(opcode: number, length: number): Buffer {
  const header = Buffer.alloc(14);
  header[0] = 0x80 | opcode;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  randomBytes(4).copy(header, 10);
  return header;
}

/** A second, well-behaved client that must keep working while another connection is killed. */
async function goodClient(): Promise<{ ask: () => Promise<unknown>; call: (method: string, params: unknown) => Promise<unknown>; close: () => void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${app.port}/api?token=${app.token}`, { headers: { Origin: app.origin } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let id = 0;
  const call = (method: string, params: unknown): Promise<unknown> =>
    new Promise((resolve) => {
      const mine = ++id;
      const onMessage = (data: WebSocket.RawData): void => {
        const message = JSON.parse(data.toString()) as { kind: string; id: number; reply: unknown };
        if (message.kind === 'reply' && message.id === mine) {
          ws.off('message', onMessage);
          resolve(message.reply);
        }
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id: mine, method, params }));
    });
  return {
    call,
    ask: () => call('getAppInfo', {}),
    close: () => ws.close(),
  };
}

describe('web server under hostile WebSocket frames', () => {
  const frames: { name: string; code: number; send: (socket: Socket) => void }[] = [
    {
      name: `a frame announcing more than the ${MAX_CLIENT_MESSAGE_BYTES}-byte bound (17 MB)`,
      code: 1009,
      // Only the header: the bound is checked on the announced length, before any payload is buffered.
      send: (socket) => socket.write(maskedHeader(0x2, 17 * 1024 * 1024)),
    },
    {
      name: 'a text frame of invalid UTF-8 (81 82 00000000 ff fe)',
      code: 1007,
      send: (socket) => socket.write(Buffer.from('818200000000fffe', 'hex')),
    },
    {
      name: 'an unmasked client frame',
      code: 1002,
      send: (socket) => socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69])),
    },
  ];

  for (const frame of frames) {
    it(`${frame.name}: closes that connection with ${frame.code}; the server and another client keep working`, async () => {
      const other = await goodClient();
      expect(await other.ask()).toMatchObject({ ok: true });
      const bad = await rawClient();
      frame.send(bad.socket);
      await bad.ended;
      expect(closeCode(bad.received())).toBe(frame.code);
      expect(await other.ask()).toMatchObject({ ok: true });
      other.close();
      // A new connection is served too: the process did not die and still accepts.
      const fresh = await goodClient();
      expect(await fresh.ask()).toMatchObject({ ok: true });
      fresh.close();
      expect(app.output()).not.toMatch(/Unhandled 'error' event|RangeError/);
    });
  }

  it('names the bound in the close reason of an oversized message', async () => {
    const bad = await rawClient();
    bad.socket.write(maskedHeader(0x1, MAX_CLIENT_MESSAGE_BYTES + 1));
    await bad.ended;
    const received = bad.received();
    const length = received[1]! & 0x7f;
    expect(received.subarray(4, 2 + length).toString()).toBe(`Messages must be at most ${MAX_CLIENT_MESSAGE_BYTES} bytes.`);
  });
});

/** The server process's peak resident memory so far (VmHWM), in KB. */
async function serverPeakKb(): Promise<number> {
  const status = await readFile(`/proc/${app.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]);
}

describe('hostile inputs through the web API: one-line refusals, the server stays small', () => {
  it('refuses special and huge files, huge declared sizes and an export into its own run', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rnn-web-hostile-'));
    const client = await goodClient();
    try {
      const expectRefused = async (method: string, params: unknown, message: RegExp): Promise<void> => {
        const reply = (await client.call(method, params)) as { ok: boolean; error?: { message: string } };
        expect(reply.ok).toBe(false);
        expect(reply.error!.message).toMatch(message);
        expect(reply.error!.message).not.toContain('\n');
      };
      const fifo = path.join(dir, 'reviews.fifo');
      execFileSync('mkfifo', [fifo]);
      await expectRefused('openDataset', { path: fifo }, /reviews\.fifo: expected an aclImdb archive .*\. Received: a named pipe \(FIFO\)\.$/);
      await expectRefused('openDataset', { path: '/work/shared/data/aclImdb-sample.tar.gz', options: { maxlen: 300000 } }, /maxlen must be a positive integer of at most 20,000\. Received: 300000/);

      const folder = path.join(dir, 'aclImdb');
      for (const split of ['train', 'test']) {
        for (const label of ['pos', 'neg']) {
          await mkdir(path.join(folder, split, label), { recursive: true });
          await writeFile(path.join(folder, split, label, '1_5.txt'), 'a review');
        }
      }
      await writeFile(path.join(folder, 'train', 'pos', '2_8.txt'), '');
      await truncate(path.join(folder, 'train', 'pos', '2_8.txt'), 2.1e9);
      await expectRefused('openDataset', { path: folder }, /2_8\.txt: expected an aclImdb review file of at most 4\.0 MB\. Received: 2\.0 GB$/);

      const huge = createProject([
        { id: 'e', kind: 'Embedding', options: { input_dim: 10000, output_dim: 32 } },
        { id: 'l', kind: 'LSTM', options: { units: 20000 } },
        { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
      ]);
      await expectRefused('startTraining', { project: { ...huge, data: { ...huge.data, path: folder } } }, /layer 2 \(LSTM\): units must be a positive integer of at most 4,096\. Received: 20000$/);

      await expectRefused('importModel', { path: fifo }, /reviews\.fifo: expected an exported model folder or \.zip, a regular file\. Received: a named pipe \(FIFO\)$/);

      // A run in the server's store, through importModel, then an export aimed into its own folder.
      const run = path.join(dir, 'run');
      await makeRunFolder(run, lstmStack(30), sampleTokenizer(30, 16), 3);
      await exportRun({ runDir: run, out: path.join(dir, 'exported') });
      const imported = (await client.call('importModel', { path: path.join(dir, 'exported') })) as { ok: boolean; value: { id: string } };
      expect(imported.ok).toBe(true);
      const runDir = path.join(app.dataDir, 'runs', imported.value.id);
      await expectRefused('exportRun', { runId: imported.value.id, out: path.join(runDir, 'checkpoint'), force: true }, /out must be a path outside the run it exports/);
      await expectRefused('exportRun', { runId: imported.value.id, out: path.join(app.dataDir, 'runs', 'elsewhere'), force: true }, /out must be a path outside the runs store/);
      expect(JSON.parse(await readFile(path.join(runDir, 'run.json'), 'utf8'))).toMatchObject({ id: imported.value.id });

      expect(await serverPeakKb()).toBeLessThan(500 * 1024);
      expect(app.output()).not.toMatch(/HDF5-DIAG/);
    } finally {
      client.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('POST /upload (web mode: a Keras file from the browser)', () => {
  const upload = (kind: string, body: Uint8Array, headers: Record<string, string> = { Cookie: `rnn_workbench_token_${app.port}=${app.token}` }) =>
    fetch(`http://127.0.0.1:${app.port}/upload?kind=${kind}`, { method: 'POST', body, headers: { Origin: app.origin, ...headers } });

  it('streams an authorised body into the data folder and answers its id; refuses without the token, an unknown kind and an oversized body', async () => {
    const bytes = randomBytes(5000);
    const accepted = await upload('keras', bytes);
    expect(accepted.status).toBe(200);
    const { upload: id } = (await accepted.json()) as { upload: string };
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(await readFile(path.join(app.dataDir, 'uploads', id))).toEqual(bytes);

    const anonymous = await upload('keras', bytes, {});
    expect(anonymous.status).toBe(401);
    const unknown = await upload('video', bytes);
    expect(unknown.status).toBe(400);
    expect((await unknown.text()).trim()).toBe('kind must be one of keras, tokenizer, arch. Received: "video"');
    // 65 MB declared for a tokenizer: refused on the declared length, before any byte is stored.
    const big = new Uint8Array(65 * 1024 * 1024);
    const tooBig = await upload('tokenizer', big);
    expect(tooBig.status).toBe(413);
    expect((await tooBig.text()).trim()).toBe('An uploaded tokenizer file must be 1 byte to 64 MB. Received: 65 MB');
    expect((await readdir(path.join(app.dataDir, 'uploads'))).sort()).toEqual([id]);
  });
});
