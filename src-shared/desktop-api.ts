/**
 * What only the desktop host offers: native file dialogs. Declared once like the workbench API; the
 * Electron main side binds it and the preload exposes it as `window.workbench.desktop`.
 */
import { z } from 'zod';
import type { Reply } from './errors';

/** A project file the user chose: its name for the title bar, its path for saving back, its text. */
export interface DesktopOpenedFile {
  name: string;
  path: string;
  text: string;
}

/** Projects are small JSON files; anything larger is not one. */
export const MAX_PROJECT_BYTES = 10 * 1024 * 1024;

export const desktopMethods = {
  /** Shows the native Open dialog for a project file and reads it. */
  openProjectFile: z.object({}).strict(),
  /** Shows the native Save dialog (unless `path` is given), checks the text reads as a project, and writes it atomically. */
  saveProjectFile: z
    .object({ suggestedName: z.string().min(1).max(255), text: z.string().max(MAX_PROJECT_BYTES), path: z.string().min(1).optional() })
    .strict(),
  /** Shows the native Open dialog for a dataset: an archive, npz or CSV file, or an aclImdb folder. */
  pickDatasetPath: z.object({ folder: z.boolean().default(false) }).strict(),
  /** Shows the native Open dialog for a Keras model (.h5, .keras), its tokenizer or its architecture JSON. */
  pickModelFile: z.object({ kind: z.enum(['keras', 'tokenizer', 'arch']) }).strict(),
} as const;

export type DesktopMethodName = keyof typeof desktopMethods;

export interface DesktopResults {
  openProjectFile: DesktopOpenedFile | null;
  /** The saved path, or null when the user cancelled. */
  saveProjectFile: string | null;
  pickDatasetPath: string | null;
  pickModelFile: string | null;
}

export type DesktopApi = {
  [M in DesktopMethodName]: (params: z.input<(typeof desktopMethods)[M]>) => Promise<DesktopResults[M]>;
};

export const desktopMethodNames = Object.keys(desktopMethods) as DesktopMethodName[];

/** The IPC channel of a desktop method: the only place these channel strings are made. */
export function desktopChannelOf(name: DesktopMethodName): string {
  return `desktop:${name}`;
}

/** The desktop API as the preload exposes it: replies as data (see `RemoteWorkbenchApi`). */
export type RemoteDesktopApi = {
  [M in DesktopMethodName]: (params: z.input<(typeof desktopMethods)[M]>) => Promise<Reply<DesktopResults[M]>>;
};
