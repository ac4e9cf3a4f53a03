/**
 * The data parser process: reads and tokenizes in a process of its own, so a crash or an out-of-memory on a
 * hostile file ends only this process. Messages are a discriminated union; the main side cancels by killing it.
 *
 * It runs under plain Node (`child_process.fork`, messages on `process.send`) or as an Electron utility
 * process (messages on `process.parentPort`); both carry structured clones, typed arrays included.
 */
import { toErrorPayload } from '../../src-shared/errors';
import { readKerasContainer } from './keras-container';
import { runDataJob, type DataJobRequest, type Fingerprint } from './job';
import type { WorkerReply, WorkerRequest } from './worker-protocol';

interface ParentChannel {
  post(reply: WorkerReply): void;
  onRequest(listener: (request: WorkerRequest) => void): void;
}

/** Electron's utility process has `process.parentPort`; Node's typings do not know it. */
type ElectronParentPort = { postMessage(message: unknown): void; on(event: 'message', listener: (event: { data: unknown }) => void): void };

function parentChannel(): ParentChannel {
  const electronPort = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort !== undefined) {
    return { post: (reply) => electronPort.postMessage(reply), onRequest: (listener) => electronPort.on('message', (event) => listener(event.data as WorkerRequest)) };
  }
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('worker.ts must run as a child process with an IPC channel');
  return { post: (reply) => void send(reply), onRequest: (listener) => process.on('message', (message) => listener(message as WorkerRequest)) };
}

const parent = parentChannel();

parent.onRequest((message) => {
  switch (message.type) {
    case 'open':
      void open(message.request, message.known);
      break;
    case 'keras':
      void readKeras(message.path);
      break;
    default:
      throw new Error(`unknown message ${JSON.stringify(message)}`);
  }
});

async function open(request: DataJobRequest, known: Fingerprint): Promise<void> {
  try {
    const { preview } = await runDataJob(request, (progress) => parent.post({ type: 'progress', progress }), undefined, known);
    parent.post({ type: 'done', preview });
  } catch (error) {
    parent.post({ type: 'error', error: toErrorPayload(error) });
  }
}

async function readKeras(path: string): Promise<void> {
  try {
    parent.post({ type: 'keras', parts: await readKerasContainer(path) });
  } catch (error) {
    parent.post({ type: 'error', error: toErrorPayload(error) });
  }
}
