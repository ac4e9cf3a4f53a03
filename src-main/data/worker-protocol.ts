import type { DataProgress } from '../../src-shared/data';
import type { ErrorPayload } from '../../src-shared/errors';
import type { DataJobRequest, DataJobResult, Fingerprint } from './job';

/** Main → data worker. */
export type WorkerRequest = { type: 'open'; request: DataJobRequest; known: Fingerprint };

/** Data worker → main. */
export type WorkerReply = { type: 'progress'; progress: DataProgress } | { type: 'done'; result: DataJobResult } | { type: 'error'; error: ErrorPayload };
