/**
 * Where the modules that start in a thread or process of their own (the engine worker, the data parser)
 * are. From the TypeScript sources (CLI via tsx, vitest) each has a small `.mjs` entry beside it that registers
 * tsx; a bundle has them as entries of its own, which the bundled front end names once at start-up: the
 * bundler puts the modules that start them into shared chunks elsewhere, so nothing is found relative to them.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The bundle's entry names (electron.vite.config.ts builds one file each, `<name>.js`). */
export const bundledEntryNames = { engineWorker: 'engine-worker', dataParser: 'data-worker' } as const;
export type EntryName = keyof typeof bundledEntryNames;

let bundleDir: string | undefined;

/** Called by a bundled front end with the folder its entries were built into; the sources' entries are used otherwise. */
export function useBundledEntries(dir: string): void {
  bundleDir = dir;
}

/** The module to start for `name`: the bundle's file when one was named, else the source tree's entry. */
export function entryUrl(name: EntryName, sourceEntry: URL): URL {
  return bundleDir === undefined ? sourceEntry : pathToFileURL(path.join(bundleDir, `${bundledEntryNames[name]}.js`));
}
