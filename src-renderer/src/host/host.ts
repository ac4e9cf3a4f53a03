import type { WorkbenchApi } from '../../../src-shared/api';

/** A project file the user chose: its name (for the title), where it is when the host knows, its text. */
export interface OpenedFile {
  name: string;
  path?: string;
  text: string;
}

/** Where a project was saved: its name, and its path when the host knows it (desktop). */
export interface SavedFile {
  name: string;
  path?: string;
}

/** What differs between hosts, asked by name rather than by which host it is. */
export interface HostCapabilities {
  /**
   * Paths the user types name files on the machine that runs the workbench, which is not the one
   * showing the UI (web mode); the UI says so beside path fields.
   */
  remotePaths: boolean;
}

/**
 * What the UI needs from where it runs. The boot file picks the host; components ask its
 * capabilities, never which host it is.
 */
export interface Host {
  capabilities: HostCapabilities;
  api: WorkbenchApi;
  /** Lets the user choose a project file to open; null when they cancel. */
  openProjectFile(): Promise<OpenedFile | null>;
  /**
   * Saves a project file: to `path` when given (desktop "Save"), else where the user chooses (web: a
   * download). Null when the user cancels.
   */
  saveProjectFile(suggestedName: string, text: string, path?: string): Promise<SavedFile | null>;
  /**
   * A native picker for a dataset file or folder on this machine, returning its path; absent where
   * there is none (web mode: the data lives on the server, so the user types or browses a server path).
   */
  pickDatasetPath?: (folder: boolean) => Promise<string | null>;
  /** A native picker for a Keras model, tokenizer or architecture file, returning its path; absent in web mode (a server path is typed). */
  pickModelFile?: (kind: 'keras' | 'tokenizer' | 'arch') => Promise<string | null>;
  /**
   * Sends a file from this browser to the workbench machine (web mode) and returns the upload id that
   * `importKerasUpload` takes; absent where files are opened by path.
   */
  uploadFile?: (file: File, kind: 'keras' | 'tokenizer' | 'arch') => Promise<string>;
}
