/**
 * Opening IMDb data: the one entry point for the app, the web mode and the CLI.
 *
 * `loadDataset` fingerprints the source and looks in the cache on the main thread (async I/O and chunked
 * hashing only); on a miss, reading and tokenizing run in a process of their own with a heap cap, so a
 * huge or hostile file, or a crash in the parsers, costs that process, not the app.
 */
import { randomUUID } from 'node:crypto';
import { parseDatasetOptions, type DataProgress, type DatasetOptions, type DatasetPreview, type TokenizerSpec } from '../../src-shared/data';
import { WorkbenchError, fromErrorPayload } from '../../src-shared/errors';
import { readCache, removeOrphanedTemps, removeTemps } from './cache';
import { launchNodeProcess, isOutOfMemory, type ProcessLauncher } from '../platform/isolated-process';
import { entryUrl } from '../platform/entry-points';
import { encodeWithSpec, readWithSpec, type ReadText } from './keras-text';
import { fingerprint, openCached, type DataJobRequest, type DataJobResult, type Fingerprint } from './job';
import type { ReadLimits } from './sources/types';
import type { WorkerReply, WorkerRequest } from './worker-protocol';

/** A dataset ready for training. */
export interface LoadedDataset {
  preview: DatasetPreview;
  /**
   * `x` is `count × maxlen` ids, row-major, pre-padded with 0; `y` is 0 (neg) or 1 (pos); `rating` the aclImdb
   * star rating from the file name (0 when the source has none). Shuffled once with `tokenizer.shuffleSeed`.
   */
  train: { x: Int32Array; y: Uint8Array; rating?: Uint8Array; count: number };
  test: { x: Int32Array; y: Uint8Array; rating?: Uint8Array; count: number };
  maxlen: number;
  /** Turns new raw text into the same ids (see `encodeText`); plain JSON. */
  tokenizer: TokenizerSpec;
}

export interface LoadContext {
  /** The app's data folder; the cache lives in `<dataDir>/cache/`. */
  dataDir: string;
  onProgress?: (progress: DataProgress) => void;
  /** Aborting kills the parser process; the promise rejects with a `cancelled` WorkbenchError. */
  signal?: AbortSignal;
  /** Tighter read bounds (tests of hostile files). */
  limits?: Partial<ReadLimits>;
  /** The parser process's heap cap in MB; default 2048. */
  heapMb?: number;
  /** Starts the parser process: Electron passes its utilityProcess launcher; plain Node forks. */
  launchProcess?: ProcessLauncher;
}

/** Heap cap of the parser process: the largest real sources (official archive, 50,000-row CSV) peak at a few hundred MB. */
const PARSER_HEAP_MB = 2048;

/** The parser process's entry module. */
export function parserUrl(): URL {
  // From sources (tsx, vitest) the process needs tsx registered first; a bundled build names its `data-worker.js`.
  return entryUrl('dataParser', new URL('./worker-entry.mjs', import.meta.url));
}

/**
 * Opens IMDb data in any supported form and returns padded tensors, a preview and the tokenizer.
 *
 * Args:
 *   path: an aclImdb `.tar.gz`/`.tar`, an aclImdb folder (or its parent), a Keras `imdb.npz`, or a CSV.
 *   options: `maxFeatures` (Keras `num_words`), `maxlen`, and CSV/npz settings.
 *   ctx: the data folder for the cache, a progress listener and an abort signal.
 */
export async function loadDataset(path: string, given: DatasetOptions, ctx: LoadContext): Promise<LoadedDataset> {
  // The API and project files parse these already; the CLI and tests call in directly.
  const options = parseDatasetOptions(given);
  const started = performance.now();
  if (ctx.signal?.aborted) throw new WorkbenchError('cancelled', 'Opening the dataset was cancelled.');
  const request: DataJobRequest = { path, options, dataDir: ctx.dataDir, limits: ctx.limits, tempTag: `${process.pid}-${randomUUID()}` };
  const onProgress = ctx.onProgress ?? (() => {});
  await removeOrphanedTemps(ctx.dataDir);
  // Fingerprint and cache lookup are async I/O plus chunked hashing: done here, so a cached reopen never
  // starts a parser process (measured: starting a worker alongside, to overlap its start-up, doubled the reopen time).
  const print = await fingerprint(request, onProgress, ctx.signal);
  const hit = await openCached(request, print, started);
  if (hit !== null) {
    onProgress({ phase: 'done', files: hit.dataset.train.count + hit.dataset.test.count, bytes: print.detected.size, totalBytes: print.detected.size });
    return toLoaded(hit, started);
  }
  return toLoaded(await runInProcess(request, print, onProgress, ctx), started);
}

/** Reads, tokenizes and caches in a process of its own with a heap cap; abort kills it and removes its temp file. */
async function runInProcess(request: DataJobRequest, print: Fingerprint, onProgress: (p: DataProgress) => void, ctx: LoadContext): Promise<DataJobResult> {
  const heapMb = ctx.heapMb ?? PARSER_HEAP_MB;
  const child = (ctx.launchProcess ?? launchNodeProcess)(parserUrl(), { heapMb, name: 'RNN Workbench data parser' });
  let settled = false;
  let onAbort = (): void => {};
  try {
    const preview = await new Promise<DatasetPreview>((resolve, reject) => {
      onAbort = (): void => {
        settled = true;
        reject(new WorkbenchError('cancelled', 'Opening the dataset was cancelled.'));
      };
      if (ctx.signal?.aborted) return onAbort();
      ctx.signal?.addEventListener('abort', onAbort, { once: true });
      child.onMessage((message) => {
        const reply = message as WorkerReply;
        switch (reply.type) {
          case 'progress':
            onProgress(reply.progress);
            break;
          case 'done':
            settled = true;
            resolve(reply.preview);
            break;
          case 'error':
            settled = true;
            reject(fromErrorPayload(reply.error));
            break;
          case 'keras':
            settled = true;
            reject(new Error('the data parser answered an open request with a Keras file'));
            break;
          default:
            reject(new Error(`unknown parser reply ${JSON.stringify(reply satisfies never)}`));
        }
      });
      child.onExit((exit) => {
        if (settled) return;
        settled = true;
        reject(
          isOutOfMemory(exit)
            ? new WorkbenchError('bad_input', `${request.path}: reading it needed more than ${heapMb} MB of memory. Expected an IMDb-sized dataset.`)
            : new WorkbenchError(
                'internal',
                `The data parser process stopped unexpectedly (${exit.signal ?? `exit code ${exit.code}`}) while opening ${request.path}. The app is unaffected; try again, or check the file.`,
              ),
        );
      });
      // With the folder listing the fingerprint was made from: the parser reads those files instead of listing again
      // (0.3 s for 25,000 files).
      child.postMessage({ type: 'open', request, known: print } satisfies WorkerRequest);
    });
    const dataset = await readCache(request.dataDir, print.key);
    if (dataset === null) {
      throw new WorkbenchError(
        'internal',
        `The data parser finished ${request.path}, but its cache entry in ${request.dataDir} could not be read back (removed or damaged meanwhile). Open the data again.`,
      );
    }
    return { preview, dataset };
  } catch (error) {
    // A parser stopped mid-write leaves its temp file; the cache folder must hold only whole entries.
    // Removed once the parser has exited, so it cannot create the file again after the sweep.
    await child.kill();
    await removeTemps(ctx.dataDir, request.tempTag);
    throw error;
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
    // Done or failed, the parser only waits for more work now; on a failure this is the kill above.
    void child.kill();
  }
}

function toLoaded({ dataset, preview }: DataJobResult, started: number): LoadedDataset {
  return {
    // Wall time as the user waits for it, fingerprinting and parser start-up included.
    preview: { ...preview, seconds: (performance.now() - started) / 1000 },
    train: dataset.train,
    test: dataset.test,
    maxlen: dataset.maxlen,
    tokenizer: dataset.tokenizer,
  };
}

/**
 * Encodes one new review exactly as the training data was encoded (for "try a review" and predict).
 *
 * Args:
 *   tokenizer: the spec from `LoadedDataset.tokenizer` (or an export).
 *   text: raw review text.
 *   maxlen: the model's input length; the result is pre-padded / pre-truncated to it.
 */
export function encodeText(tokenizer: TokenizerSpec, text: string, maxlen: number): Int32Array {
  try {
    return encodeWithSpec(tokenizer, text, maxlen);
  } catch (error) {
    throw new WorkbenchError('invalid_request', (error as Error).message);
  }
}

/** `encodeText` plus the tokens the ids stand for and what became of each word (read-along). */
export function readText(tokenizer: TokenizerSpec, text: string, maxlen: number): ReadText {
  try {
    return readWithSpec(tokenizer, text, maxlen);
  } catch (error) {
    throw new WorkbenchError('invalid_request', (error as Error).message);
  }
}
