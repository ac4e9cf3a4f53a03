/**
 * One "open dataset" job, from path to tensors: detect, fingerprint, try the cache, read, tokenize, cache.
 * Runs inside the data worker (see `worker.ts`); plain async code so tests can also call it directly.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { DataProgress, DatasetOptions, DatasetPreview } from '../../src-shared/data';
import { openRegularStream, UNBOUNDED, type RegularFileOptions } from '../platform/bounded-file';
import { buildDataset, newScannedTexts, requirePaddedFits, type BuiltDataset } from './build';
import { readCache, writeCache } from './cache';
import { describeFsError, detectFormat, type Detected } from './detect';
import { listAclImdbFolder, readAclImdbFolder, type FolderListing } from './sources/aclimdb-folder';
import { readAclImdbTar } from './sources/aclimdb-tar';
import { readCsv } from './sources/csv';
import { readNpz, resolveWordIndex, WORD_INDEX_FILE } from './sources/npz';
import { defaultLimits, type ReadContext, type ReadLimits, type Source } from './sources/types';

/** Bump when tokenization or the cached layout changes, so older cache entries read as misses. */
const BUILD_VERSION = 2;

export interface DataJobRequest {
  path: string;
  options: DatasetOptions;
  dataDir: string;
  limits?: Partial<ReadLimits>;
  /** Unique per job: names the cache temp file. */
  tempTag: string;
}

export interface DataJobResult {
  preview: DatasetPreview;
  dataset: BuiltDataset;
}

async function hashFile(file: string, bound: RegularFileOptions, onBytes: (bytes: number) => void, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of await openRegularStream(file, { ...bound, highWaterMark: 1 << 20, signal })) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
      onBytes(bytes);
    }
  } catch (error) {
    throw describeFsError(file, error);
  }
  return hash.digest('hex');
}

/**
 * A folder's fingerprint: its review files' names, sizes and modification times (hashing 100,000 files would
 * cost seconds). Stats run synchronously in batches with a turn of the event loop between them: 25,000
 * promise-based stats take several times longer than the same stats in a loop.
 */
async function hashListing(listing: FolderListing): Promise<string> {
  const hash = createHash('sha256');
  const BATCH = 500;
  for (let from = 0; from < listing.files.length; from += BATCH) {
    for (const f of listing.files.slice(from, from + BATCH)) {
      const info = statSync(path.join(listing.root, f.rel));
      hash.update(`${f.rel}\0${info.size}\0${info.mtimeMs}\n`);
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return hash.digest('hex');
}

/** What identifies a dataset: its detected form and a key over its content and the options. */
export interface Fingerprint {
  file: string;
  detected: Detected;
  key: string;
  listing: FolderListing | null;
  wordIndexFile: string | null;
}

/** Detects the format and fingerprints the content: async I/O and hashing in small chunks, fine on the main thread. */
export async function fingerprint(request: DataJobRequest, onProgress: (p: DataProgress) => void, signal?: AbortSignal): Promise<Fingerprint> {
  const file = path.resolve(request.path);
  const { options } = request;
  const detected: Detected = await detectFormat(file);
  onProgress({ phase: 'fingerprinting', files: 0, bytes: 0, totalBytes: detected.size });
  let listing: FolderListing | null = null;
  let contentHash: string;
  let wordIndexFile: string | null = null;
  if (detected.format === 'aclImdb-folder') {
    try {
      listing = await listAclImdbFolder(file, { ...defaultLimits, ...request.limits }.maxEntries);
      contentHash = await hashListing(listing);
    } catch (error) {
      throw describeFsError(file, error);
    }
  } else {
    contentHash = await hashFile(file, { what: 'a dataset file', maxBytes: UNBOUNDED }, (bytes) => onProgress({ phase: 'fingerprinting', files: 0, bytes, totalBytes: detected.size }), signal);
    if (detected.format === 'keras-npz') {
      wordIndexFile = await resolveWordIndex(file, options.wordIndexPath);
      if (wordIndexFile !== null) contentHash += ':' + (await hashFile(wordIndexFile, WORD_INDEX_FILE, () => {}, signal));
    }
  }
  const key = createHash('sha256')
    .update(JSON.stringify({ v: BUILD_VERSION, format: detected.format, contentHash, options: normalizeOptions(options, detected) }))
    .digest('hex');
  return { file, detected, key, listing, wordIndexFile };
}

/** The cached result for a fingerprint, or null on a miss (a damaged or foreign entry is removed and counts as a miss). */
export async function openCached(request: DataJobRequest, print: Fingerprint, started: number): Promise<DataJobResult | null> {
  const cached = await readCache(request.dataDir, print.key);
  if (cached === null) return null;
  return { dataset: cached, preview: toPreview(print.file, print.key, request.options, cached, started, true) };
}

/** The whole job: fingerprint (unless given), cache hit, or read + tokenize + cache write. */
export async function runDataJob(
  request: DataJobRequest,
  onProgress: (p: DataProgress) => void,
  signal?: AbortSignal,
  known?: Fingerprint,
): Promise<DataJobResult> {
  const started = performance.now();
  const { options } = request;
  const ctx: ReadContext = { signal, onProgress, limits: { ...defaultLimits, ...request.limits }, texts: newScannedTexts() };
  const print = known ?? (await fingerprint(request, onProgress, signal));
  const { file, detected, key, wordIndexFile } = print;
  const hit = known === undefined ? await openCached(request, print, started) : null;
  if (hit !== null) {
    onProgress({ phase: 'done', files: hit.dataset.train.count + hit.dataset.test.count, bytes: detected.size, totalBytes: detected.size });
    return hit;
  }
  const listing = detected.format === 'aclImdb-folder' ? (print.listing ?? (await listAclImdbFolder(file, ctx.limits.maxEntries))) : null;
  // A folder's review count is known from its listing: refuse a maxlen too large for it before reading a file.
  if (listing !== null) requirePaddedFits(listing.files.length, options.maxlen);

  let source: Source;
  try {
    switch (detected.format) {
      case 'aclImdb-tar':
        source = await readAclImdbTar(file, detected.gzipped, ctx);
        break;
      case 'aclImdb-folder':
        source = await readAclImdbFolder(file, listing!, ctx);
        break;
      case 'keras-npz':
        source = await readNpz(file, wordIndexFile, ctx);
        break;
      case 'csv':
        source = await readCsv(file, options.csv ?? {}, ctx);
        break;
      default:
        throw new Error(`unknown format ${String(detected.format satisfies never)}`);
    }
  } catch (error) {
    throw describeFsError(file, error);
  }
  const files = source.kind === 'text' ? source.train.length + source.test.length : source.train.labels.length + source.test.labels.length;
  onProgress({ phase: 'tokenizing', files, bytes: detected.size, totalBytes: detected.size });
  const dataset = buildDataset(source, options);
  onProgress({ phase: 'caching', files, bytes: detected.size, totalBytes: detected.size });
  await writeCache(request.dataDir, key, dataset, request.tempTag);
  onProgress({ phase: 'done', files, bytes: detected.size, totalBytes: detected.size });
  return { dataset, preview: toPreview(file, key, options, dataset, started, false) };
}

/** Only the options that change the result go into the key (CSV settings mean nothing to an npz). */
function normalizeOptions(options: DatasetOptions, detected: Detected): unknown {
  return {
    maxFeatures: options.maxFeatures,
    maxlen: options.maxlen,
    csv: detected.format === 'csv' ? (options.csv ?? {}) : undefined,
  };
}

function toPreview(file: string, key: string, options: DatasetOptions, dataset: BuiltDataset, started: number, cached: boolean): DatasetPreview {
  return { ...dataset.stats, path: file, fingerprint: key, options, seconds: (performance.now() - started) / 1000, cached };
}
