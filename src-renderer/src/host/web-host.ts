import { apiEvents, apiMethodNames, type ApiEventName, type ApiMethodName, type WorkbenchApi } from '../../../src-shared/api';
import { fromErrorPayload } from '../../../src-shared/errors';
import { Emitter } from '../../../src-shared/event';
import type { ServerMessage } from '../../../src-shared/wire';
import { downloadTextFile, pickTextFile } from './browser-files';
import type { Host } from './host';

/**
 * The browser host: the workbench API over a WebSocket to `rnn-workbench serve`. The page's cookie
 * (set when the tokenized URL was opened) authorises the socket.
 */
export async function createWebHost(location: Location): Promise<Host> {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${scheme}//${location.host}/api`);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('Could not connect to the workbench server. Open the URL that `npm run serve` printed; it carries the access token.')), { once: true });
  });

  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const emitters = new Map<string, Emitter<unknown>>(apiEvents.map((name: ApiEventName) => [name, new Emitter<unknown>()]));
  let nextId = 1;

  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as ServerMessage;
    if (message.kind === 'event') {
      emitters.get(message.event)?.fire(message.payload);
      return;
    }
    if (message.id === null) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.reply.ok) waiter?.resolve(message.reply.value);
    else waiter?.reject(fromErrorPayload(message.reply.error));
  });
  socket.addEventListener('close', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('The connection to the workbench server closed.'));
    pending.clear();
  });

  const call = (method: ApiMethodName, params: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });

  const api = Object.fromEntries([
    ...apiMethodNames.map((method) => [method, (params: unknown) => call(method, params)]),
    ...[...emitters].map(([name, emitter]) => [name, emitter.event]),
  ]) as unknown as WorkbenchApi;
  return {
    capabilities: { remotePaths: true },
    api,
    openProjectFile: () => pickTextFile('.json,application/json'),
    saveProjectFile: (name, text) => downloadTextFile(name, text),
    uploadFile: async (file, kind) => {
      // Over HTTP, streamed to the server's disk: a model may be far larger than a WebSocket message may be.
      // The page's cookie carries the access token.
      const response = await fetch(`/upload?kind=${kind}`, { method: 'POST', body: file, headers: { 'Content-Type': 'application/octet-stream' } });
      if (!response.ok) throw new Error(`${file.name}: ${(await response.text()).trim()}`);
      return ((await response.json()) as { upload: string }).upload;
    },
  };
}
