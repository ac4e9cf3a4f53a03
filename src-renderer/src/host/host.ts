import type { WorkbenchApi } from '../../../src-shared/api';

/**
 * What the UI needs from where it runs. The boot file picks the host; components ask the host,
 * never `if (electron)`.
 */
export interface Host {
  kind: 'electron' | 'web';
  api: WorkbenchApi;
}
