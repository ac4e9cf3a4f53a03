// The preload exposes exactly one object, `window.workbench`: the API as named functions. The renderer
// never sees ipcRenderer or an IPC event. Replies cross as data (`Reply`), not as thrown errors: contextBridge
// copies an Error with its message only, and ipcRenderer.invoke rewrites a handler's throw as "Error invoking
// remote method …", so an error's code would not reach the renderer otherwise.
import { contextBridge, ipcRenderer } from 'electron';
import { apiEvents, apiMethodNames, channelOf } from '../../src-shared/api';
import { desktopChannelOf, desktopMethodNames } from '../../src-shared/desktop-api';

const invoke = (channel: string) => (params: unknown) => ipcRenderer.invoke(channel, params);

const api: Record<string, unknown> = {};
for (const method of apiMethodNames) api[method] = invoke(channelOf(method));
for (const event of apiEvents) {
  api[event] = (listener: (payload: unknown) => void) => {
    const wrapped = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(channelOf(event), wrapped);
    return () => ipcRenderer.removeListener(channelOf(event), wrapped);
  };
}

const desktop: Record<string, unknown> = {};
for (const method of desktopMethodNames) desktop[method] = invoke(desktopChannelOf(method));
api.desktop = desktop;

contextBridge.exposeInMainWorld('workbench', api);
