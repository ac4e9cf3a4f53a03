import type { AppInfo, WorkbenchApi } from '../../src-shared/api';
import { appVersion } from './app-version';

export interface WorkbenchOptions {
  dataDir: string;
  host: AppInfo['host'];
}

/** A WorkbenchApi plus what its owner must call when the app quits. */
export interface Workbench extends WorkbenchApi {
  dispose(): Promise<void>;
}

/**
 * The main side's one implementation of the workbench API, composed of plain-Node services. Both
 * transports (Electron IPC, WebSocket) serve this object; the CLI uses the services directly.
 */
export function createWorkbench(options: WorkbenchOptions): Workbench {
  const info: AppInfo = { name: 'RNN Workbench', version: appVersion, dataDir: options.dataDir, host: options.host };
  return {
    getAppInfo: async () => info,
    dispose: async () => {},
  };
}
