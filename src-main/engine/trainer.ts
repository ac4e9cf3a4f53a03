/**
 * The training loop: Keras' `fit` for a binary classifier with a sigmoid output, written out so that
 * it can stop between any two batches, refuse a non-finite step, clip and measure gradients.
 */
import * as tf from '@tensorflow/tfjs';
import type { DoneReason, EpochMetrics, Evaluation, OptimizerConfig, TrainingConfig, TrainingEvent } from '../../src-shared/training';
import { DivergenceGuard } from './divergence-guard';
import { EarlyStopping } from './early-stopping';
import { NativeAdam, NativeRMSProp } from './fused/optimizers';

/** Padded id sequences and their labels, row-major. */
export interface Split {
  x: Int32Array;
  y: Uint8Array;
  count: number;
}

/** A batch's numbers, before throttling: the `batch` event without the fields the service adds. */
export type BatchProgress = Omit<Extract<TrainingEvent, { type: 'batch' }>, 'type' | 'runId'>;

export interface TrainHooks {
  onBatch?(progress: BatchProgress): void;
  /** Awaited, so a checkpoint is on disk before the next epoch starts. */
  onEpoch?(metrics: EpochMetrics, optimizer: tf.Optimizer): Promise<void> | void;
  onWarning?(message: string): void;
  /** Polled between batches. */
  shouldStop(): boolean;
}

export interface TrainResult {
  reason: DoneReason;
  message?: string;
  history: EpochMetrics[];
}

/** Global gradient norms above this mean the step is blowing up (Pascanu et al. 2013 clip at 1–10). */
const EXPLODING_NORM = 1e3;
/** Below this the recurrent weights have stopped receiving signal. */
const VANISHING_NORM = 1e-6;
/**
 * A small, fast PRNG (mulberry32) for shuffling and for seeding tfjs' initialisers and dropout,
 * which draw their seeds from `Math.random`.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs `fn` with `Math.random` replaced by a seeded generator.
 *
 * Porting note: tfjs layers take no global seed; their initialisers and dropout seed themselves
 * from `Math.random`, so seeding it is how Keras' `set_random_seed` is reproduced here.
 */
export async function withSeededMathRandom<T>(seed: number | undefined, fn: () => Promise<T>): Promise<T> {
  if (seed === undefined) return fn();
  const original = Math.random;
  Math.random = seededRandom(seed ^ 0x9e3779b9);
  try {
    return await fn();
  } finally {
    Math.random = original;
  }
}

/**
 * Builds the optimizer for a config: RMSprop and Adam update each variable in one native pass (same results
 * as tfjs' own, which runs where the native kernels are unavailable).
 *
 * Porting note: tfjs' RMSprop adds epsilon inside the square root (`g / sqrt(ms + eps)`), Keras
 * outside it (`g / (sqrt(ms) + eps)`); with eps 1e-7 the two differ only for gradients near zero.
 */
export function makeOptimizer(config: OptimizerConfig): tf.Optimizer {
  switch (config.name) {
    case 'rmsprop':
      return new NativeRMSProp(config.learningRate, config.rho, 0, config.epsilon);
    case 'adam':
      return new NativeAdam(config.learningRate, config.beta1, config.beta2, config.epsilon);
    case 'sgd':
      return config.momentum > 0 ? tf.train.momentum(config.learningRate, config.momentum) : tf.train.sgd(config.learningRate);
    default:
      throw new Error(`Unknown optimizer: ${JSON.stringify(config satisfies never)}`);
  }
}

/** Copies rows `order[from..to)` of a split into a batch. */
function gatherBatch(split: Split, maxlen: number, order: Int32Array, from: number, to: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const n = to - from;
  const xs = new Int32Array(n * maxlen);
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const row = order[from + i]!;
    xs.set(split.x.subarray(row * maxlen, (row + 1) * maxlen), i * maxlen);
    ys[i] = split.y[row]!;
  }
  return { x: tf.tensor2d(xs, [n, maxlen], 'int32'), y: tf.tensor2d(ys, [n, 1]) };
}

/** Keras' `binary_crossentropy` on probabilities: clipped to [eps, 1 - eps], mean over the batch. */
function binaryCrossentropy(labels: tf.Tensor, probabilities: tf.Tensor): tf.Scalar {
  return tf.mean(tf.metrics.binaryCrossentropy(labels, probabilities));
}

/** Keras' `binary_accuracy`: the share of predictions on the right side of 0.5. */
function binaryAccuracy(labels: tf.Tensor, probabilities: tf.Tensor): tf.Scalar {
  return tf.mean(tf.equal(tf.greater(probabilities, 0.5), tf.cast(labels, 'bool')).toFloat());
}

function identityOrder(count: number): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return order;
}

function shuffleInPlace(order: Int32Array, random: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
}

/** Keras' `validation_split`: the last `fraction` of the rows, taken before any shuffling. */
export function splitValidation(split: Split, maxlen: number, fraction: number): { train: Split; validation: Split } {
  const validationCount = Math.floor(split.count * fraction);
  const trainCount = split.count - validationCount;
  return {
    train: { x: split.x.subarray(0, trainCount * maxlen), y: split.y.subarray(0, trainCount), count: trainCount },
    validation: { x: split.x.subarray(trainCount * maxlen, split.count * maxlen), y: split.y.subarray(trainCount, split.count), count: validationCount },
  };
}

/** Lets messages (a stop request) reach the thread between batches. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Loss, accuracy and confusion matrix of `model` on `split`, in batches, inference mode. Resolves
 * to undefined when `shouldStop` says so between two batches.
 */
export async function evaluateSplit(model: tf.LayersModel, split: Split, maxlen: number, batchSize: number): Promise<Evaluation>;
export async function evaluateSplit(model: tf.LayersModel, split: Split, maxlen: number, batchSize: number, shouldStop: () => boolean): Promise<Evaluation | undefined>;
export async function evaluateSplit(model: tf.LayersModel, split: Split, maxlen: number, batchSize: number, shouldStop?: () => boolean): Promise<Evaluation | undefined> {
  let lossSum = 0;
  const confusion: [[number, number], [number, number]] = [
    [0, 0],
    [0, 0],
  ];
  const order = identityOrder(split.count);
  for (let from = 0; from < split.count; from += batchSize) {
    if (shouldStop !== undefined) {
      await yieldToEventLoop();
      if (shouldStop()) return undefined;
    }
    const to = Math.min(split.count, from + batchSize);
    const batch = gatherBatch(split, maxlen, order, from, to);
    const [lossTensor, probabilities] = tf.tidy(() => {
      // The whole batch in one forward pass: tfjs' predict otherwise splits it into passes of 32 rows, each a
      // separate run of the recurrent kernels over all the steps (a quarter of the rows to spread over the threads).
      const p = model.predict(batch.x, { batchSize: to - from }) as tf.Tensor;
      return [tf.mul(binaryCrossentropy(batch.y, p), to - from), p.reshape([-1])];
    });
    lossSum += (await lossTensor.data())[0]!;
    const values = await probabilities.data();
    tf.dispose([lossTensor, probabilities, batch.x, batch.y]);
    for (let i = 0; i < to - from; i++) {
      const truth = split.y[from + i]! === 1 ? 1 : 0;
      const predicted = values[i]! > 0.5 ? 1 : 0;
      confusion[truth][predicted]++;
    }
  }
  const correct = confusion[0][0] + confusion[1][1];
  return { loss: split.count === 0 ? NaN : lossSum / split.count, acc: split.count === 0 ? NaN : correct / split.count, count: split.count, confusion };
}

/** Clips each gradient to `clipnorm` by its own L2 norm, as Keras' per-variable `clipnorm` does. */
function clipGradients(grads: tf.NamedTensorMap, squaredNorms: Float32Array, clipnorm: number): tf.NamedTensorMap {
  const clipped: tf.NamedTensorMap = {};
  Object.keys(grads).forEach((name, i) => {
    const norm = Math.sqrt(squaredNorms[i]!);
    clipped[name] = norm > clipnorm ? tf.mul(grads[name]!, clipnorm / norm) : grads[name]!;
  });
  return clipped;
}

/**
 * Fits `model` on `train`, validating on `validation` after each epoch.
 *
 * Stops between batches when `hooks.shouldStop()` says so, keeping the weights trained so far. A
 * batch whose loss or gradients are not finite, or whose loss jumped far past chance right after a
 * sane batch, ends the run as `failed`: its gradients are not applied and the step that led to it
 * is undone, so the weights are the last good ones (`DivergenceGuard`). The history keeps every
 * completed epoch. Early stopping follows Keras' `EarlyStopping` (`min_delta` 0; `EarlyStopping`).
 */
export async function trainModel(
  model: tf.LayersModel,
  data: { train: Split; validation: Split; maxlen: number },
  config: TrainingConfig,
  hooks: TrainHooks,
  startEpoch = 0,
  optimizer: tf.Optimizer = makeOptimizer(config.optimizer),
): Promise<TrainResult> {
  const { train, validation, maxlen } = data;
  const history: EpochMetrics[] = [];
  const random = seededRandom(config.seed ?? Math.floor(Math.random() * 2 ** 31));
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const batches = Math.ceil(train.count / config.batchSize);
  const order = identityOrder(train.count);
  const early = config.earlyStopping === undefined ? undefined : new EarlyStopping(config.earlyStopping, config.validationSplit);
  const guard = new DivergenceGuard(variables, config.optimizer.learningRate);
  const finish = (result: TrainResult): TrainResult => {
    early?.dispose();
    guard.dispose();
    return result;
  };

  if (train.count === 0) return finish({ reason: 'failed', message: 'There are no training reviews left after the validation split. Lower validationSplit or raise limit.', history });

  for (let epoch = startEpoch + 1; epoch <= config.epochs; epoch++) {
    const started = performance.now();
    // Re-seeding per epoch makes a resumed run shuffle as the uninterrupted one would have.
    shuffleInPlace(order, config.seed === undefined ? random : seededRandom(config.seed + epoch));
    let lossSum = 0;
    let correctSum = 0;
    let seen = 0;
    let normSum = 0;
    for (let b = 0; b < batches; b++) {
      if (hooks.shouldStop()) return finish({ reason: 'stopped', history });
      const from = b * config.batchSize;
      const to = Math.min(train.count, from + config.batchSize);
      const batch = gatherBatch(train, maxlen, order, from, to);
      let probabilities: tf.Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const p = model.apply(batch.x, { training: true }) as tf.Tensor;
        probabilities = tf.keep(p);
        return binaryCrossentropy(batch.y, p);
      }, variables);
      const names = Object.keys(grads);
      const stats = tf.tidy(() => tf.concat([value.reshape([1]), binaryAccuracy(batch.y, probabilities!).reshape([1]), tf.stack(names.map((name) => tf.sum(tf.square(grads[name]!))))]));
      const statValues = (await stats.data()) as Float32Array;
      tf.dispose([stats, value, probabilities!, batch.x, batch.y]);
      const loss = statValues[0]!;
      const acc = statValues[1]!;
      const squaredNorms = statValues.subarray(2);
      const norm = Math.sqrt(squaredNorms.reduce((a, c) => a + c, 0));
      const n = to - from;
      const failure = guard.admit({ loss, norm, size: n, where: `epoch ${epoch}, batch ${b + 1}` });
      if (failure !== undefined) {
        tf.dispose(Object.values(grads));
        return finish({ reason: 'failed', message: failure, history });
      }
      const applied = config.clipnorm === undefined ? grads : clipGradients(grads, squaredNorms, config.clipnorm);
      optimizer.applyGradients(applied);
      tf.dispose(Object.values(grads));
      if (applied !== grads) tf.dispose(Object.values(applied));

      lossSum += loss * n;
      correctSum += acc * n;
      seen += n;
      normSum += norm;
      const elapsed = (performance.now() - started) / 1000;
      hooks.onBatch?.({
        epoch,
        batch: b + 1,
        batches,
        loss: lossSum / seen,
        acc: correctSum / seen,
        samplesPerSecond: seen / Math.max(elapsed, 1e-9),
        etaSeconds: (elapsed / (b + 1)) * (batches - b - 1),
      });
      await yieldToEventLoop();
    }

    const metrics: EpochMetrics = { epoch, loss: lossSum / seen, acc: correctSum / seen, seconds: 0, gradNorm: normSum / batches };
    if (validation.count > 0) {
      const evaluation = await evaluateSplit(model, validation, maxlen, config.batchSize, hooks.shouldStop);
      // A stop during validation ends the run; the unfinished epoch is not recorded, its weights are kept.
      if (evaluation === undefined) return finish({ reason: 'stopped', history });
      metrics.val_loss = evaluation.loss;
      metrics.val_acc = evaluation.acc;
    }
    metrics.seconds = (performance.now() - started) / 1000;
    history.push(metrics);
    if (metrics.gradNorm > EXPLODING_NORM) {
      hooks.onWarning?.(`Epoch ${epoch}: the gradient norm is ${metrics.gradNorm.toPrecision(3)}, above ${EXPLODING_NORM}; gradients are exploding. Set clipnorm (e.g. 1) or lower the learning rate.`);
    } else if (metrics.gradNorm < VANISHING_NORM) {
      // Saturated units pass no gradient: after a too-large step (the loss then rose past chance,
      // ln 2) or through long chains of small recurrent factors.
      const advice =
        metrics.loss > Math.LN2
          ? `The loss (${metrics.loss.toFixed(3)}) is worse than chance, so the units saturated: lower the learning rate (${config.optimizer.learningRate}).`
          : 'Try an LSTM or GRU, or shorter sequences.';
      hooks.onWarning?.(`Epoch ${epoch}: the gradient norm is ${metrics.gradNorm.toPrecision(3)}, below ${VANISHING_NORM}; gradients are vanishing. ${advice}`);
    }
    await hooks.onEpoch?.(metrics, optimizer);

    const stop = early?.afterEpoch(history, model);
    if (stop !== undefined) return finish({ ...stop, history });
  }
  return finish({ reason: 'done', history });
}
