/**
 * The main thread's side of the engine worker: starts it (through tsx from sources, or the bundled
 * `engine-worker.js`), and runs one-reply jobs (probe, evaluate, predict, export, import) on a reused
 * worker.
 */
import { Worker } from 'node:worker_threads';
import { WorkbenchError, type ErrorCode } from '../../src-shared/errors';
import { entryUrl } from '../platform/entry-points';
import { replyTypes, type FromWorker, type JobReply, type JobRequest } from './protocol';

/** An idle inference worker is kept this long for the next "try a review". */
const IDLE_MS = 60_000;

/** A new engine worker thread. */
export function startEngineWorker(): Worker {
  // From sources (tsx, vitest) the worker needs tsx registered first; a bundled build names its `engine-worker.js`.
  return new Worker(entryUrl('engineWorker', new URL('./worker-entry.mjs', import.meta.url)));
}

const passedThrough: readonly ErrorCode[] = ['not_found', 'bad_input', 'invalid_request', 'conflict'];

/** The error an aborted job rejects with: the signal's reason when it is a WorkbenchError. */
function abortReason(signal: AbortSignal): WorkbenchError {
  return signal.reason instanceof WorkbenchError ? signal.reason : new WorkbenchError('cancelled', 'The job was cancelled.');
}

/** Runs jobs one at a time on one engine worker, started on demand and ended when idle. */
export class EngineClient {
  private worker: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private idle: NodeJS.Timeout | undefined;

  /**
   * Sends `request` and resolves with the reply that ends its job (`replyTypes`); an `error` reply rejects.
   * Aborting `signal` drops the job while it waits its turn, or ends the worker running it (the
   * next job starts a new one): the promise then rejects with the signal's reason, and only once
   * the worker has exited, so what the job left on disk can be removed without a race.
   */
  request<R extends JobRequest>(request: R, transfer: ArrayBuffer[], signal?: AbortSignal): Promise<JobReply<R['type']>> {
    let started = false;
    const job = this.queue.then(() => {
      started = true;
      return this.send(request, transfer, signal);
    });
    this.queue = job.catch(() => undefined);
    if (signal === undefined) return job;
    return new Promise<JobReply<R['type']>>((resolve, reject) => {
      const onAbort = (): void => {
        if (!started) reject(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      job.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** Ends the worker; a job it was running rejects with `cancelled`, and the next request starts a new one. */
  async close(): Promise<void> {
    clearTimeout(this.idle);
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private send<R extends JobRequest>(request: R, transfer: ArrayBuffer[], signal: AbortSignal | undefined): Promise<JobReply<R['type']>> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    clearTimeout(this.idle);
    const worker = (this.worker ??= startEngineWorker());
    // Referenced only while a job runs: an idle worker must not keep the process alive.
    worker.ref();
    return new Promise<JobReply<R['type']>>((resolve, reject) => {
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
      };
      const onMessage = (message: FromWorker): void => {
        // Closed while the job ran: a reply already on its way does not count; the exit rejects.
        if (this.worker !== worker) return;
        if (message.type === 'error') {
          cleanup();
          const code = passedThrough.find((known) => known === message.code) ?? 'internal';
          reject(new WorkbenchError(code, message.message));
          return;
        }
        if (message.type !== replyTypes[request.type]) return;
        cleanup();
        resolve(message as JobReply<R['type']>);
      };
      const onError = (error: Error): void => {
        cleanup();
        if (this.worker === worker) this.worker = undefined;
        reject(new WorkbenchError('internal', `The engine worker failed: ${error.message}`));
      };
      const onExit = (code: number): void => {
        cleanup();
        if (this.worker !== worker) {
          reject(new WorkbenchError('cancelled', 'The engine worker was closed before the job finished.'));
          return;
        }
        this.worker = undefined;
        reject(new WorkbenchError('internal', `The engine worker stopped unexpectedly (exit code ${code}).`));
      };
      const onAbort = (): void => {
        cleanup();
        if (this.worker === worker) this.worker = undefined;
        void worker.terminate().then(() => reject(abortReason(signal!)));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.postMessage(request, transfer);
    }).finally(() => {
      worker.unref();
      this.idle = setTimeout(() => void this.close(), IDLE_MS);
      this.idle.unref();
    });
  }
}
