import { apiEvents, apiMethodNames, type RemoteWorkbenchApi, type WorkbenchApi } from '../../../src-shared/api';
import type { DesktopApi, RemoteDesktopApi } from '../../../src-shared/desktop-api';
import { desktopMethodNames } from '../../../src-shared/desktop-api';
import { fromErrorPayload, type Reply } from '../../../src-shared/errors';
import type { Host } from './host';

/** What the Electron preload exposes as `window.workbench`: the workbench API plus the native dialogs, replies as data. */
export type DesktopBridge = RemoteWorkbenchApi & { desktop: RemoteDesktopApi };

declare global {
  interface Window {
    /** Exposed by the Electron preload: the workbench API as named functions, nothing else. */
    workbench?: DesktopBridge;
  }
}

/** Resolves with a reply's value, or rejects with its typed error, as the web host does with WebSocket replies. */
function unwrap(call: (params: unknown) => Promise<Reply<unknown>>): (params: unknown) => Promise<unknown> {
  return async (params) => {
    const reply = await call(params);
    if (reply.ok) return reply.value;
    throw fromErrorPayload(reply.error);
  };
}

/** The desktop host: the API over IPC and native Open/Save dialogs. */
export function createElectronHost(bridge: DesktopBridge): Host {
  const remote = bridge as unknown as Record<string, (params: unknown) => Promise<Reply<unknown>>>;
  const api = Object.fromEntries([
    ...apiMethodNames.map((method) => [method, unwrap(remote[method]!)]),
    ...apiEvents.map((event) => [event, bridge[event]]),
  ]) as unknown as WorkbenchApi;
  const remoteDesktop = bridge.desktop as unknown as Record<string, (params: unknown) => Promise<Reply<unknown>>>;
  const desktop = Object.fromEntries(desktopMethodNames.map((method) => [method, unwrap(remoteDesktop[method]!)])) as unknown as DesktopApi;
  return {
    capabilities: { remotePaths: false },
    api,
    openProjectFile: () => desktop.openProjectFile({}),
    saveProjectFile: async (suggestedName, text, path) => {
      const saved = await desktop.saveProjectFile({ suggestedName, text, ...(path === undefined ? {} : { path }) });
      return saved === null ? null : { name: saved.split(/[\\/]/).pop() ?? saved, path: saved };
    },
    pickDatasetPath: (folder) => desktop.pickDatasetPath({ folder }),
    pickModelFile: (kind) => desktop.pickModelFile({ kind }),
  };
}
