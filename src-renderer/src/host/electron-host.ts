import type { WorkbenchApi } from '../../../src-shared/api';
import type { Host } from './host';

declare global {
  interface Window {
    /** Exposed by the Electron preload: the workbench API as named functions, nothing else. */
    workbench?: WorkbenchApi;
  }
}

export function createElectronHost(api: WorkbenchApi): Host {
  return { kind: 'electron', api };
}
