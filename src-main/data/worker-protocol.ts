import type { DataProgress, DatasetPreview } from '../../src-shared/data';
import type { ErrorPayload } from '../../src-shared/errors';
import type { KerasFileParts } from './keras-container';
import type { DataJobRequest, Fingerprint } from './job';

/** Main → parser process: open a dataset, or read a Keras model file's container (`.h5` tree, `.keras` zip). */
export type WorkerRequest = { type: 'open'; request: DataJobRequest; known: Fingerprint } | { type: 'keras'; path: string };

/**
 * Parser process → main. `done` carries the preview only: the tensors are in the cache entry the parser has just
 * written, which main reads back (measured on the 50,000 reviews of a full archive: sending their 100 MB of ids
 * through the IPC channel took 1.4 s; reading the entry back instead, the whole open went from 4.8 s to 3.9 s).
 */
export type WorkerReply =
  | { type: 'progress'; progress: DataProgress }
  | { type: 'done'; preview: DatasetPreview }
  | { type: 'keras'; parts: KerasFileParts }
  | { type: 'error'; error: ErrorPayload };
