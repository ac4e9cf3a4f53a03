// The preload exposes exactly one object, `window.workbench`: the API as named functions. The renderer
// never sees ipcRenderer or an IPC event.
import { contextBridge, ipcRenderer } from 'electron';
import { apiEvents, apiMethodNames, channelOf } from '../../src-shared/api';
import { desktopChannelOf, desktopMethodNames } from '../../src-shared/desktop-api';
import type { Reply } from '../../src-shared/errors';

class WorkbenchError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkbenchError';
  }
}

async function invoke(channel: string, params: unknown): Promise<unknown> {
  const reply = (await ipcRenderer.invoke(channel, params)) as Reply<unknown>;
  if (reply.ok) return reply.value;
  throw new WorkbenchError(reply.error.code, reply.error.message);
}

const api: Record<string, unknown> = {};
for (const method of apiMethodNames) api[method] = (params: unknown) => invoke(channelOf(method), params);
for (const event of apiEvents) {
  api[event] = (listener: (payload: unknown) => void) => {
    const wrapped = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(channelOf(event), wrapped);
    return () => ipcRenderer.removeListener(channelOf(event), wrapped);
  };
}

const desktop: Record<string, unknown> = {};
for (const method of desktopMethodNames) desktop[method] = (params: unknown) => invoke(desktopChannelOf(method), params);
api.desktop = desktop;

contextBridge.exposeInMainWorld('workbench', api);
