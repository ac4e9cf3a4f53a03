import type { WorkbenchApi } from '../../../src-shared/api';
import type { Host, HostCapabilities, OpenedFile, SavedFile } from './host';

/** A test host and the project files it holds, by name. */
export interface TestHost extends Host {
  files: Map<string, string>;
  /** The file the next `openProjectFile` returns; null makes it a cancel. */
  nextOpen: string | null;
}

/**
 * A host for running renderer logic in a test, without a server or a window: the API is whatever
 * implementation the test passes (the main side's own `createWorkbench`, in process), and project
 * files live in a map, as a folder the user picks from.
 */
export function createTestHost(api: WorkbenchApi, capabilities: HostCapabilities = { remotePaths: false }): TestHost {
  const host: TestHost = {
    capabilities,
    api,
    files: new Map(),
    nextOpen: null,
    openProjectFile: async (): Promise<OpenedFile | null> => {
      const name = host.nextOpen;
      if (name === null) return null;
      const text = host.files.get(name);
      if (text === undefined) throw new Error(`${name} must be a file the test host holds. Received: none by that name`);
      return { name, path: name, text };
    },
    saveProjectFile: async (suggestedName: string, text: string, path?: string): Promise<SavedFile | null> => {
      const name = path ?? suggestedName;
      host.files.set(name, text);
      return { name, path: name };
    },
  };
  return host;
}
