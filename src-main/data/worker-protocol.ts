import type { DataProgress } from '../../src-shared/data';
import type { ErrorPayload } from '../../src-shared/errors';
import type { KerasFileParts } from './keras-container';
import type { DataJobRequest, DataJobResult, Fingerprint } from './job';

/** Main → parser process: open a dataset, or read a Keras model file's container (`.h5` tree, `.keras` zip). */
export type WorkerRequest = { type: 'open'; request: DataJobRequest; known: Fingerprint } | { type: 'keras'; path: string };

/** Parser process → main. */
export type WorkerReply =
  | { type: 'progress'; progress: DataProgress }
  | { type: 'done'; result: DataJobResult }
  | { type: 'keras'; parts: KerasFileParts }
  | { type: 'error'; error: ErrorPayload };
