/**
 * Training configuration, events, runs and their results: the shapes the engine, the run store, the
 * API and the CLI share.
 */
import { z } from 'zod';
import type { DatasetOptions } from './data';
import { WorkbenchError } from './errors';
import { bool, oneOf, positiveInt } from './model/options';
import { issueMessage } from './validation';

/** A number above zero (a step size, a norm, an epsilon). */
function positiveNumber() {
  const error = 'a positive number';
  return z.number({ error }).positive({ error });
}

/** A decay or momentum: a number strictly between `min` (or from 0, with `fromZero`) and 1. */
function unitInterval(fromZero = false) {
  const error = fromZero ? 'a number from 0 up to (not including) 1' : 'a number between 0 and 1 (exclusive)';
  const number = z.number({ error });
  return (fromZero ? number.min(0, { error }) : number.gt(0, { error })).lt(1, { error });
}

/** An integer from `min` to `max`, both included. */
function intFrom(min: number, max?: number) {
  const error = max === undefined ? `an integer of ${min} or more` : `an integer from ${min} to ${max.toLocaleString('en-US')}`;
  const schema = z.number({ error }).int({ error }).min(min, { error });
  return max === undefined ? schema : schema.max(max, { error });
}
import type { FusedKernels, RecurrentLayerPath } from './model/recurrent-path';

/** RMSprop with Keras' defaults (`keras.optimizers.RMSprop`). */
export const rmspropSchema = z
  .object({
    name: z.literal('rmsprop'),
    /** Step size. Default 0.001. */
    learningRate: positiveNumber().default(0.001),
    /** Decay of the moving average of squared gradients. Default 0.9. */
    rho: unitInterval().default(0.9),
    /** Added to the denominator for stability. Default 1e-7. */
    epsilon: positiveNumber().default(1e-7),
  })
  .strict();

/** Adam with Keras' defaults (`keras.optimizers.Adam`). */
export const adamSchema = z
  .object({
    name: z.literal('adam'),
    /** Step size. Default 0.001. */
    learningRate: positiveNumber().default(0.001),
    /** Decay of the first-moment estimate. Default 0.9. */
    beta1: unitInterval().default(0.9),
    /** Decay of the second-moment estimate. Default 0.999. */
    beta2: unitInterval().default(0.999),
    /** Added to the denominator for stability. Default 1e-7. */
    epsilon: positiveNumber().default(1e-7),
  })
  .strict();

/** Stochastic gradient descent with momentum (`keras.optimizers.SGD`). */
export const sgdSchema = z
  .object({
    name: z.literal('sgd'),
    /** Step size. Default 0.01 (Keras' SGD default). */
    learningRate: positiveNumber().default(0.01),
    /** Momentum; 0 is plain SGD. Default 0. */
    momentum: unitInterval(true).default(0),
  })
  .strict();

export const optimizerSchema = z.discriminatedUnion('name', [rmspropSchema, adamSchema, sgdSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? "one of 'rmsprop', 'adam', 'sgd'" : "an optimizer {name: 'rmsprop' | 'adam' | 'sgd', …}"),
});
export type OptimizerConfig = z.infer<typeof optimizerSchema>;
export type OptimizerName = OptimizerConfig['name'];
export const optimizerNames = ['rmsprop', 'adam', 'sgd'] as const satisfies readonly OptimizerName[];

/** The metrics early stopping can watch. */
export const monitorNames = ['val_loss', 'val_acc', 'loss', 'acc'] as const;
export type MonitorName = (typeof monitorNames)[number];

/** Keras' `EarlyStopping` callback. */
export const earlyStoppingSchema = z
  .object({
    /** The metric to watch; losses must fall, accuracies must rise. Default `val_loss`. */
    monitor: oneOf(monitorNames).default('val_loss'),
    /** Epochs without improvement before stopping. Default 2. */
    patience: intFrom(0).default(2),
    /** Put back the weights of the best epoch when stopping. Default true. */
    restoreBestWeights: bool().default(true),
  })
  .strict();
export type EarlyStoppingConfig = z.infer<typeof earlyStoppingSchema>;

/**
 * How a model is compiled and fitted: Keras' `compile(optimizer, loss='binary_crossentropy',
 * metrics=['acc'])` plus `fit(epochs, batch_size, validation_split)`.
 */
export const trainingConfigSchema = z
  .object({
    /** Passes over the training data. Default 10. */
    epochs: positiveInt(10_000).default(10),
    /** Reviews per gradient step. Default 128. */
    batchSize: positiveInt(65_536).default(128),
    /** Share of the training reviews held out, taken from the end as Keras does. Default 0.2. */
    validationSplit: unitInterval(true).default(0.2),
    /** Default RMSprop with Keras' defaults. */
    optimizer: optimizerSchema.default({ name: 'rmsprop', learningRate: 0.001, rho: 0.9, epsilon: 1e-7 }),
    /**
     * Clip each weight's gradient to this L2 norm before the step (Keras' per-variable `clipnorm`).
     * Default none.
     */
    clipnorm: positiveNumber().optional(),
    /** Seeds weight initialisation, shuffling and dropout: the same seed gives the same metrics on the same backend. */
    seed: intFrom(0, 2 ** 31 - 1).optional(),
    /** Stop when the monitored metric stops improving. Default off. */
    earlyStopping: earlyStoppingSchema.optional(),
    /** Use only the first `limit` training reviews (after the load-time shuffle). Default all. */
    limit: positiveInt().optional(),
  })
  .strict();
export type TrainingConfig = z.infer<typeof trainingConfigSchema>;
export type TrainingConfigInput = z.input<typeof trainingConfigSchema>;

/** Why a run ended. */
export type DoneReason = 'done' | 'stopped' | 'early-stopped' | 'failed';

/** A run's state as listed: finished runs keep their reason; a run whose process died is `interrupted`. */
export type RunStatus = 'loading' | 'running' | DoneReason | 'interrupted';

/** One row of the history, Keras' `History.history` names. */
export interface EpochMetrics {
  /** 1-based. */
  epoch: number;
  loss: number;
  acc: number;
  /** Absent when the validation split is 0. */
  val_loss?: number;
  val_acc?: number;
  /** Wall-clock seconds for the epoch, validation included. */
  seconds: number;
  /** Mean global L2 norm of the gradients over the epoch's batches, before clipping. */
  gradNorm: number;
}

/** Loss, accuracy and confusion matrix on a labelled split. */
export interface Evaluation {
  loss: number;
  acc: number;
  count: number;
  /** Rows are the true label, columns the prediction, threshold 0.5: `[[tn, fp], [fn, tp]]`. */
  confusion: [[number, number], [number, number]];
}

/** The model's verdict on one review. */
export interface Prediction {
  label: 'positive' | 'negative';
  /** Probability of `positive`, the sigmoid output. */
  probability: number;
}

/** Which engine ran the numbers. */
export interface EngineInfo {
  /** The TensorFlow.js backend: `tensorflow`, `wasm` or `cpu`. */
  backend: string;
  /**
   * Which recurrent implementation ran, in a few words (`describeRecurrentPaths`): e.g. `lstm fused`,
   * `1 fused, 1 on tfjs-layers`; for the probe, which runs no model, the kernels' state.
   */
  recurrent: string;
  /** The fused native kernels of the engine's machine. Absent in run records written before it was recorded. */
  kernels?: FusedKernels;
  /**
   * Each recurrent layer of the model that ran and the implementation that computed it (empty for
   * the probe). Absent in run records written before it was recorded.
   */
  layers?: RecurrentLayerPath[];
}

/** What the UI lists for each run. */
export interface RunSummary {
  id: string;
  /** A short label, e.g. the preset or first recurrent layer. */
  name: string;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  epochs: number;
  /** Epochs completed. */
  epochsDone: number;
  /** Last epoch's metrics, if any. */
  last?: EpochMetrics;
  test?: Evaluation;
  engine?: EngineInfo;
  /** Why the run failed or stopped early, in the house style. */
  message?: string;
}

/** The whole stored run (`run.json`). */
export interface RunRecord extends RunSummary {
  /** Format version of `run.json`. */
  version: 1;
  /**
   * The project the run trained (a `Project`: model spec, data source and options, training config).
   * Typed loosely because project.ts imports this file.
   */
  project: unknown;
  training: TrainingConfig;
  /** The data the run read: absolute path, content fingerprint, options, and how many reviews each split had. */
  dataset: { path: string; fingerprint: string; options: DatasetOptions; trainCount: number; validationCount: number; testCount: number };
  history: EpochMetrics[];
  /** Set while the run's process is alive; a `running` run whose process is gone is `interrupted`. */
  pid?: number;
  /** The last epoch whose weights and optimizer state are saved for resuming. */
  checkpointEpoch?: number;
  /** Warnings raised during training (exploding or vanishing gradients). */
  warnings: string[];
  /** Set for a model opened from a Keras file rather than trained here. */
  imported?: ImportedFrom;
  /** Set for a run whose weights started from another run's (fine-tuning): that run's id and name. */
  fineTunedFrom?: { runId: string; name: string };
}

/** Where an imported run's model came from and what the app does differently with it. */
export interface ImportedFrom {
  /** The Keras file, as opened. */
  file: string;
  /** `keras2-h5`, `keras2-weights-h5`, `keras3-h5` or `keras3-keras`. */
  layout: string;
  kerasVersion: string;
  /** Per layer, which implementation computes it here and why (fused kernels or tfjs-layers). */
  paths: string[];
  /** Options read but not carried over, an assumed input length, and the like. */
  notes: string[];
  /** Whether a tokenizer was attached, so typed text can be read. */
  hasTokenizer: boolean;
}

/** Streamed while a run trains. Every event names its run. */
export type TrainingEvent =
  | { type: 'started'; runId: string; engine: EngineInfo; epochs: number; batchesPerEpoch: number; trainCount: number; validationCount: number }
  | { type: 'loading'; runId: string; phase: string; bytes: number; totalBytes?: number }
  | {
      type: 'batch';
      runId: string;
      epoch: number;
      /** 1-based batch within the epoch. */
      batch: number;
      batches: number;
      loss: number;
      acc: number;
      samplesPerSecond: number;
      /** Seconds left in this epoch, validation excluded. */
      etaSeconds: number;
    }
  | ({ type: 'epoch'; runId: string; epochs: number } & EpochMetrics)
  | { type: 'warning'; runId: string; message: string }
  | { type: 'done'; runId: string; reason: DoneReason; message?: string; summary: RunSummary };

/** Reads a monitored value from an epoch's metrics; `undefined` when it was not measured. */
export function monitoredValue(metrics: EpochMetrics, monitor: MonitorName): number | undefined {
  return metrics[monitor];
}

/** Whether `monitor` improves by falling (losses) or rising (accuracies). */
export function monitorMode(monitor: MonitorName): 'min' | 'max' {
  return monitor.endsWith('loss') ? 'min' : 'max';
}

/**
 * Validates a training config, throwing the house-style message
 * (`training.epochs must be a positive integer of at most 10,000. Received: 0`).
 * Unknown fields are refused so a typo is not silently ignored.
 */
export function parseTrainingConfig(input: unknown): TrainingConfig {
  const result = trainingConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new WorkbenchError('bad_input', issueMessage(result.error.issues[0]!, input, 'training').message);
}

/**
 * Seconds for an epoch from measured step times: ceil(train/batch) training steps plus
 * ceil(validation/batch) inference batches.
 */
export function projectEpoch(times: { msPerBatch: number; msPerEval: number }, batchSize: number, trainReviews: number, validationReviews: number): number {
  return (Math.ceil(trainReviews / batchSize) * times.msPerBatch + Math.ceil(validationReviews / batchSize) * times.msPerEval) / 1000;
}
