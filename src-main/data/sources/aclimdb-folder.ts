/** An unpacked `aclImdb` folder, or the folder that holds it. Only regular files are read; links are not followed. */
import { opendir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { readRegularFileSync } from '../../platform/bounded-file';
import { badFile, canonicalOrder, classifyReviewPath, requireAclImdb, throwIfAborted, type KeyedReview, type ReadContext, type TextSource } from './types';

/** The aclImdb root inside `folder`: the folder itself when it has `train/`, else its `aclImdb/` child. */
async function findAclImdbRoot(folder: string): Promise<string | null> {
  const entries = await readdir(folder, { withFileTypes: true });
  if (entries.some((e) => e.isDirectory() && e.name === 'train')) return folder;
  const child = entries.find((e) => e.isDirectory() && e.name === 'aclImdb');
  return child === undefined ? null : path.join(folder, child.name);
}

export interface FolderListing {
  root: string;
  files: { rel: string; split: 'train' | 'test'; label: 0 | 1; id: number; rating: number }[];
}

/** Lists the review files of an aclImdb folder, at most `maxEntries`; the listing is also its fingerprint. */
export async function listAclImdbFolder(folder: string, maxEntries: number): Promise<FolderListing> {
  const root = await findAclImdbRoot(folder);
  if (root === null) {
    const names = (await readdir(folder)).slice(0, 5);
    throw badFile(
      folder,
      `expected an aclImdb folder (with train/pos and train/neg) or a folder holding one. Received: a folder with ${names.length === 0 ? 'nothing in it' : names.map((n) => JSON.stringify(n)).join(', ')}.`,
    );
  }
  const files: FolderListing['files'] = [];
  for (const split of ['train', 'test'] as const) {
    for (const label of ['neg', 'pos'] as const) {
      const dir = path.join(root, split, label);
      let entries;
      try {
        entries = await opendir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      // Streamed, so a folder of a million files ends at the bound instead of being listed whole.
      let seen = 0;
      for await (const dirent of entries) {
        if (++seen > maxEntries) throw badFile(dir, `expected a review folder of at most ${maxEntries} files. Received: more.`);
        if (!dirent.isFile()) continue;
        const rel = `${split}/${label}/${dirent.name}`;
        const review = classifyReviewPath(rel);
        if (review !== null) files.push({ rel, ...review });
      }
    }
  }
  return { root, files };
}

/** Reads the listed reviews. Synchronous reads on purpose: this runs in the data worker, where a plain loop
 * is several times faster than thousands of promise round trips through the thread pool. */
export async function readAclImdbFolder(folder: string, listing: FolderListing, ctx: ReadContext): Promise<TextSource> {
  const train: KeyedReview[] = [];
  const test: KeyedReview[] = [];
  const decoder = new TextDecoder('utf-8');
  let bytes = 0;
  let done = 0;
  for (const f of listing.files) {
    throwIfAborted(ctx.signal);
    const full = path.join(listing.root, f.rel);
    // The size is checked before the read: a 2 GB (even sparse) file in the folder costs nothing.
    const buffer = readRegularFileSync(full, { what: 'an aclImdb review file', maxBytes: ctx.limits.maxReviewBytes });
    bytes += buffer.length;
    (f.split === 'train' ? train : test).push({ row: ctx.texts.add(decoder.decode(buffer)), label: f.label, rating: f.rating, id: f.id });
    if (++done % 500 === 0) ctx.onProgress({ phase: 'reading', files: done, bytes });
  }
  requireAclImdb(folder, 'folder', train, test, listing.files.length);
  return { kind: 'text', format: 'aclImdb-folder', texts: ctx.texts, train: canonicalOrder(train), test: canonicalOrder(test) };
}
