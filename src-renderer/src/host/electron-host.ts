import type { WorkbenchApi } from '../../../src-shared/api';
import type { DesktopApi } from '../../../src-shared/desktop-api';
import type { Host } from './host';

/** What the Electron preload exposes as `window.workbench`: the workbench API plus the native dialogs. */
export type DesktopBridge = WorkbenchApi & { desktop: DesktopApi };

declare global {
  interface Window {
    /** Exposed by the Electron preload: the workbench API as named functions, nothing else. */
    workbench?: DesktopBridge;
  }
}

/** The desktop host: the API over IPC and native Open/Save dialogs. */
export function createElectronHost(bridge: DesktopBridge): Host {
  return {
    kind: 'electron',
    api: bridge,
    openProjectFile: () => bridge.desktop.openProjectFile({}),
    saveProjectFile: async (suggestedName, text, path) => {
      const saved = await bridge.desktop.saveProjectFile({ suggestedName, text, ...(path === undefined ? {} : { path }) });
      return saved === null ? null : { name: saved.split(/[\\/]/).pop() ?? saved, path: saved };
    },
    pickDatasetPath: (folder) => bridge.desktop.pickDatasetPath({ folder }),
  };
}
