/**
 * Messages between the main thread and the engine worker: a typed request → reply map for the
 * one-reply jobs, and the events of a training run.
 * Typed arrays travel as transferables, so the dataset is never copied.
 */
import type { LayerSpec } from '../../src-shared/model/types';
import type { EngineInfo, EpochMetrics, Evaluation, RunRecord, TrainingConfig } from '../../src-shared/training';
import type { StagedOutput } from '../export/atomic-output';
import type { ExportRequest, ExportResult } from '../export/formats';
import type { KerasModelFile } from '../keras/keras-model-file';
import type { ReadAlongNumbers } from '../engine/read-along';
import type { Split } from '../engine/trainer';

export interface TrainRequest {
  type: 'train';
  /** The run folder: the worker writes weights and checkpoints there; the main thread owns run.json. */
  runDir: string;
  layers: LayerSpec[];
  training: TrainingConfig;
  maxlen: number;
  /** The training split after `limit`; the worker takes the validation split off its end. */
  train: Split;
  test: Split;
  /** Continue after this epoch from the folder's checkpoint (weights and optimizer state). */
  resumeFromEpoch?: number;
  /** A run folder whose weights (same stack) the first epoch starts from: fine-tuning. */
  initWeightsFrom?: string;
}

export interface EvaluateRequest {
  type: 'evaluate';
  modelDir: string;
  /** The spec to rebuild the model from; absent for a folder holding a self-contained model.json. */
  layers?: LayerSpec[];
  maxlen: number;
  batchSize: number;
  split: Split;
}

export interface PredictRequest {
  type: 'predict';
  modelDir: string;
  layers?: LayerSpec[];
  maxlen: number;
  /** `count × maxlen` encoded reviews (or id rows). */
  x: Int32Array;
  count: number;
}

/** Reads one padded review token by token (read-along); replies `explained`. */
export interface ExplainRequest {
  type: 'explain';
  modelDir: string;
  layers?: LayerSpec[];
  maxlen: number;
  /** The review, `maxlen` ids padded at the front. */
  x: Int32Array;
  /** Padding steps before its first token. */
  padding: number;
}

/** The loss gradient with respect to the reading layer's state at every step, over `count` reviews; replies `gradient`. */
export interface GradientRequest {
  type: 'gradient';
  modelDir: string;
  layers?: LayerSpec[];
  maxlen: number;
  /** `count × maxlen` padded reviews and their labels. */
  x: Int32Array;
  y: Uint8Array;
  count: number;
}

/** Times the training step of a stack on synthetic ids: one warm-up step, then `batches` timed ones. */
export interface BenchRequest {
  type: 'bench';
  layers: LayerSpec[];
  maxlen: number;
  batchSize: number;
  batches: number;
}

/**
 * Writes a run's export into the temp that `tempId` names beside `out` and replies `exported`; the
 * main thread renames it into place, or ends the worker and removes the temp to cancel.
 */
export interface ExportJob {
  type: 'export';
  request: Omit<ExportRequest, 'writeFile'>;
  tempId: string;
}

/** Imports an export (folder or `.zip`) as a new run in `<dataDir>/runs/` and replies `imported`. */
export interface ImportJob {
  type: 'import';
  location: string;
  dataDir: string;
}

/** Stores a Keras file the main thread opened (parsed in the parser process) as a new run and replies `imported-keras`. */
export interface ImportKerasJob {
  type: 'import-keras';
  opened: KerasModelFile;
  options: { dataDir: string; tokenizer?: string; maxlen?: number; name?: string };
}

/** Asks which backend and recurrent path this machine runs. */
export interface ProbeRequest {
  type: 'probe';
}

/**
 * The one-reply jobs, each with the request it takes and the reply that ends it. A request's `type`
 * is its key here, so `EngineClient.request` knows the reply a request gets from its type alone.
 */
export interface Jobs {
  probe: { request: ProbeRequest; reply: { type: 'probed'; engine: EngineInfo } };
  evaluate: { request: EvaluateRequest; reply: { type: 'evaluated'; evaluation: Evaluation; engine: EngineInfo } };
  /** Each row's last-layer output: one probability for the binary head, one value per unit for others. */
  predict: { request: PredictRequest; reply: { type: 'predicted'; outputs: number[][] } };
  explain: { request: ExplainRequest; reply: { type: 'explained'; reading: ReadAlongNumbers } };
  gradient: { request: GradientRequest; reply: { type: 'gradient'; norms: number[]; layer: string; bidirectional: boolean } };
  bench: { request: BenchRequest; reply: { type: 'benched'; msPerBatch: number; msPerEval: number; engine: EngineInfo } };
  export: { request: ExportJob; reply: { type: 'exported'; result: ExportResult; staged: StagedOutput } };
  import: { request: ImportJob; reply: { type: 'imported'; record: RunRecord } };
  'import-keras': { request: ImportKerasJob; reply: { type: 'imported-keras'; record: RunRecord; totalParams: number } };
}

export type JobKind = keyof Jobs;
export type JobRequest<K extends JobKind = JobKind> = Jobs[K]['request'];
export type JobReply<K extends JobKind = JobKind> = Jobs[K]['reply'];

/** The reply type that ends each job. */
export const replyTypes = {
  probe: 'probed',
  evaluate: 'evaluated',
  predict: 'predicted',
  explain: 'explained',
  gradient: 'gradient',
  bench: 'benched',
  export: 'exported',
  import: 'imported',
  'import-keras': 'imported-keras',
} as const satisfies { [K in JobKind]: JobReply<K>['type'] };

/** What a training run's worker reports, from `ready` to `done`. */
export type TrainEvent =
  | { type: 'ready'; engine: EngineInfo; batchesPerEpoch: number; trainCount: number; validationCount: number }
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number; acc: number; samplesPerSecond: number; etaSeconds: number }
  | { type: 'epoch'; metrics: EpochMetrics; checkpointEpoch: number }
  | { type: 'warning'; message: string }
  | { type: 'done'; reason: 'done' | 'stopped' | 'early-stopped' | 'failed'; message?: string; test?: Evaluation };

/** Ends a job or a run that failed. */
export interface ErrorReply {
  type: 'error';
  message: string;
  code?: string;
}

/** Main thread → worker: a job, a training run, or `stop` for the run. */
export type ToWorker = JobRequest | TrainRequest | { type: 'stop' };

/** Worker → main thread. */
export type FromWorker = JobReply | TrainEvent | ErrorReply;

/** The buffers to transfer with a split, so it moves to the worker instead of being copied. */
export function transferablesOf(...splits: { x: Int32Array; y?: Uint8Array }[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const split of splits) {
    buffers.add(split.x.buffer as ArrayBuffer);
    if (split.y !== undefined) buffers.add(split.y.buffer as ArrayBuffer);
  }
  return [...buffers];
}
