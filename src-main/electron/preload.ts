// The preload exposes exactly one object, `window.workbench`: the API as named functions. The renderer
// never sees ipcRenderer or an IPC event.
import { contextBridge, ipcRenderer } from 'electron';
import { apiEvents, apiMethodNames, channelOf } from '../../src-shared/api';
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

const api: Record<string, unknown> = {};
for (const method of apiMethodNames) {
  api[method] = async (params: unknown) => {
    const reply = (await ipcRenderer.invoke(channelOf(method), params)) as Reply<unknown>;
    if (reply.ok) return reply.value;
    throw new WorkbenchError(reply.error.code, reply.error.message);
  };
}
for (const event of apiEvents) {
  api[event] = (listener: (payload: unknown) => void) => {
    const wrapped = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(channelOf(event), wrapped);
    return () => ipcRenderer.removeListener(channelOf(event), wrapped);
  };
}

contextBridge.exposeInMainWorld('workbench', api);
