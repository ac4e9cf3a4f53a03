/**
 * The main thread's side of the engine worker: starts it (through tsx from sources, or the bundled
 * `engine-worker.js`), and runs one-reply jobs (probe, evaluate, predict) on a reused worker.
 */
import { Worker } from 'node:worker_threads';
import { WorkbenchError, type ErrorCode } from '../../src-shared/errors';
import type { FromWorker, ToWorker } from './protocol';

/** An idle inference worker is kept this long for the next "try a review". */
const IDLE_MS = 60_000;

/** A new engine worker thread. */
export function startEngineWorker(): Worker {
  // From sources (tsx, vitest) the worker needs tsx registered first; a bundled build ships
  // `engine-worker.js` (built from src-main/engine/worker.ts) beside the main bundle.
  const url = import.meta.url.endsWith('.ts') ? new URL('./worker-entry.mjs', import.meta.url) : new URL('./engine-worker.js', import.meta.url);
  return new Worker(url);
}

const passedThrough: readonly ErrorCode[] = ['not_found', 'bad_input', 'invalid_request'];

/** Runs jobs one at a time on one engine worker, started on demand and ended when idle. */
export class EngineClient {
  private worker: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private idle: NodeJS.Timeout | undefined;

  /** Sends `request` and resolves with the first reply `pick` accepts; an `error` reply rejects. */
  request<T>(request: ToWorker, transfer: ArrayBuffer[], pick: (message: FromWorker) => T | undefined): Promise<T> {
    const job = this.queue.then(() => this.send(request, transfer, pick));
    this.queue = job.catch(() => undefined);
    return job;
  }

  /** Ends the worker; the next request starts a new one. */
  async close(): Promise<void> {
    clearTimeout(this.idle);
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private send<T>(request: ToWorker, transfer: ArrayBuffer[], pick: (message: FromWorker) => T | undefined): Promise<T> {
    clearTimeout(this.idle);
    const worker = (this.worker ??= startEngineWorker());
    // Referenced only while a job runs: an idle worker must not keep the process alive.
    worker.ref();
    return new Promise<T>((resolve, reject) => {
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (message: FromWorker): void => {
        if (message.type === 'error') {
          cleanup();
          const code = passedThrough.find((known) => known === message.code) ?? 'internal';
          reject(new WorkbenchError(code, message.message));
          return;
        }
        const value = pick(message);
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const onError = (error: Error): void => {
        cleanup();
        if (this.worker === worker) this.worker = undefined;
        reject(new WorkbenchError('internal', `The engine worker failed: ${error.message}`));
      };
      const onExit = (code: number): void => {
        cleanup();
        if (this.worker === worker) this.worker = undefined;
        reject(new WorkbenchError('internal', `The engine worker stopped unexpectedly (exit code ${code}).`));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(request, transfer);
    }).finally(() => {
      worker.unref();
      this.idle = setTimeout(() => void this.close(), IDLE_MS);
      this.idle.unref();
    });
  }
}
