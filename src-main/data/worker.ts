/**
 * The data worker: parses and tokenizes off the main thread, so the UI and the server keep answering.
 * Messages are a discriminated union; the main side cancels by terminating the worker.
 */
import { parentPort } from 'node:worker_threads';
import { toErrorPayload } from '../../src-shared/errors';
import { runDataJob, type DataJobRequest, type Fingerprint } from './job';
import type { WorkerReply, WorkerRequest } from './worker-protocol';

const port = parentPort;
if (port === null) throw new Error('worker.ts must run in a worker thread');

port.on('message', (message: WorkerRequest) => {
  switch (message.type) {
    case 'open':
      void open(message.request, message.known);
      break;
    default:
      throw new Error(`unknown message ${JSON.stringify(message)}`);
  }
});

async function open(request: DataJobRequest, known: Fingerprint): Promise<void> {
  const post = (reply: WorkerReply, transfer: ArrayBuffer[] = []): void => port!.postMessage(reply, transfer);
  try {
    const result = await runDataJob(request, (progress) => post({ type: 'progress', progress }), undefined, known);
    const { train, test } = result.dataset;
    post({ type: 'done', result }, [train.x, train.y, train.rating, test.x, test.y, test.rating].map((a) => a.buffer as ArrayBuffer));
  } catch (error) {
    post({ type: 'error', error: toErrorPayload(error) });
  }
}
