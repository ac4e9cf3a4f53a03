/**
 * Times the app's training step on IMDb-shaped synthetic data (the Keras book's model: Embedding
 * 10,000×32 → 32-unit recurrent layer → Dense(1), RMSprop, batch 128, maxlen 500) and projects an
 * epoch of 20,000 training and 5,000 validation reviews. Also runs the PyTorch reference script
 * (`bench/torch_rnn_bench.py`) when a python3 with torch is installed. Its step timing also serves the
 * engine's `bench` job, which times the user's own stack for the builder's epoch estimate.
 */
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import type { LayerSpec } from '../../src-shared/model/types';
import { optimizerSchema, projectEpoch } from '../../src-shared/training';
import { kerasTokenizerSpec } from '../data/build';
import { encodeWithSpec } from '../data/keras-text';
import { initBackend } from './backend';
import type { BackendName } from './backend-names';
import { buildTfModel } from './tfjs-model';
import { evaluateSplit, makeOptimizer } from './trainer';
import type { BenchCell } from './bench-cells';
import { FusedBidirectional, FusedRecurrent, makeFusedRecurrent } from './fused';
import { nativeKernels, type NativeKernels } from './fused/native';
import { profilePhases, type MeasuredPhase } from './phase-profile';

/** The fixed problem size of the IMDb benchmark. */
export const benchShape = { batchSize: 128, maxlen: 500, vocab: 10_000, embedding: 32, units: 32, trainReviews: 20_000, validationReviews: 5_000, testReviews: 25_000 };

const gates: Record<BenchCell, number> = { lstm: 4, gru: 3, simplernn: 1 };

/**
 * Multiply-adds of one projected epoch of the bench's model. A review's forward pass is the recurrent layer's
 * T × (I + H) × G × H (input and recurrent products of its G gates) plus the Dense head's H; a training step
 * also runs the backward pass, whose products with the inputs' and the weights' gradients are each of the
 * forward's size, so it costs 3× the forward. The Embedding is a lookup and adds none.
 */
export function epochMacs(cell: BenchCell): number {
  const { maxlen, embedding, units, trainReviews, validationReviews } = benchShape;
  const forward = maxlen * (embedding + units) * gates[cell] * units + units;
  return trainReviews * 3 * forward + validationReviews * forward;
}

/** One bench result, as `bench --json` prints it. */
export interface BenchResult {
  cell: BenchCell;
  /** The tfjs backend, or `torch` for the PyTorch reference. */
  backend: string;
  /** Which recurrent implementation ran: `fused`, `tfjs-layers` or `pytorch`. */
  path: string;
  /** Mean wall time of one training step (forward, backward, RMSprop update). */
  msPerBatch: number;
  /** Projected epoch: ceil(20,000/128) training steps plus ceil(5,000/128) validation forward passes. */
  epochSeconds: number;
  /**
   * CPU time of one training step, summed over the process's threads. On a machine shared with
   * other work, wall times stretch with the load; CPU time mostly does not.
   */
  cpuMsPerBatch: number;
  /** Multiply-adds per second of the projected epoch (`epochMacs` over the unrounded `epochSeconds`). */
  macsPerSecond?: number;
  /**
   * The machine's multiply-add peak on the kernels' threads and instruction set, measured right after the
   * cell's timing, under the same load (absent without the native kernels, whose loop measures it).
   */
  peakMacsPerSecond?: number;
  /** `macsPerSecond` / `peakMacsPerSecond`. */
  peakFraction?: number;
  /**
   * Seconds of the projected epoch per phase: the training steps' phases times the epoch's steps, and the
   * validation passes (their batch preparation included). They add up to about `epochSeconds`.
   */
  profile?: Record<TrainingPhase | 'validation', number>;
  /** Milliseconds to predict one typed review (encode, forward pass, read the output): the median of 100 after warm-up. */
  predictMs?: number;
  /** Seconds to evaluate the 25,000 reviews of IMDb's test half (loss, accuracy and confusion matrix). */
  evaluateSeconds?: number;
}

const kerasKind: Record<BenchCell, string> = { lstm: 'LSTM', gru: 'GRU', simplernn: 'SimpleRNN' };

function benchStack(cell: BenchCell): LayerSpec[] {
  return [
    { id: 'embedding', kind: 'Embedding', options: { input_dim: benchShape.vocab, output_dim: benchShape.embedding } },
    { id: 'recurrent', kind: kerasKind[cell], options: { units: benchShape.units } },
    { id: 'dense', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
  ];
}

/** The size of the batches a timing runs on. */
export interface StepShape {
  batchSize: number;
  maxlen: number;
  /** Word ids are drawn from 1 … vocab − 1 (the Embedding's input_dim). */
  vocab: number;
}

/** Mean wall and CPU times of one training step and one inference batch. */
export interface StepTimes {
  msPerBatch: number;
  cpuMsPerBatch: number;
  msPerEval: number;
  /** Mean wall time per training step of each phase; `head` is the rest of the loss and gradients. */
  phases: Record<TrainingPhase, number>;
}

/** The phases of a training step that the profile tells apart. */
export type TrainingPhase = MeasuredPhase | 'batchPreparation' | 'head' | 'optimizer';

/** Deterministic synthetic reviews' ids, spread over the vocabulary. */
function syntheticIds(shape: StepShape, seed: number): Int32Array {
  const { batchSize, maxlen, vocab } = shape;
  const ids = new Int32Array(batchSize * maxlen);
  let state = seed * 2654435761;
  for (let i = 0; i < ids.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    ids[i] = vocab > 1 ? 1 + (state % (vocab - 1)) : 0;
  }
  return ids;
}

/** Deterministic synthetic reviews: ids spread over the vocabulary, labels alternating. */
function syntheticBatch(shape: StepShape, seed: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const { batchSize, maxlen } = shape;
  const labels = Float32Array.from({ length: batchSize }, (_, i) => (i + seed) % 2);
  return { x: tf.tensor2d(syntheticIds(shape, seed), [batchSize, maxlen], 'int32'), y: tf.tensor2d(labels, [batchSize, 1]) };
}

/**
 * Times `batches` training steps of `model` (after one untimed warm-up step) with the engine's
 * step (loss, gradients, RMSprop update), then `evalBatches` inference batches. Trains the model's
 * weights on synthetic data, so pass a model built for the timing only.
 */
export function timeTrainingSteps(model: tf.LayersModel, shape: StepShape, batches: number, evalBatches: number): StepTimes {
  const optimizer = makeOptimizer(optimizerSchema.parse({ name: 'rmsprop' }));
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  // The same step as the engine's trainer: loss and its gradients, then the optimizer update.
  // Wall time of the step's parts outside the phases the engine's kernels report (phase-profile.ts).
  const spent = { batchPreparation: 0, gradients: 0, optimizer: 0 };
  const clock = <T>(part: keyof typeof spent, fn: () => T): T => {
    const started = performance.now();
    const result = fn();
    spent[part] += performance.now() - started;
    return result;
  };
  const step = (batch: { x: tf.Tensor; y: tf.Tensor }): number => {
    const { value, grads } = clock('gradients', () =>
      tf.variableGrads(() => {
        const p = model.apply(batch.x, { training: true }) as tf.Tensor;
        return tf.mean(tf.metrics.binaryCrossentropy(batch.y, p));
      }, variables),
    );
    // Reading the loss waits for the update on a backend that runs asynchronously.
    const loss = clock('optimizer', () => {
      optimizer.applyGradients(grads);
      return value.dataSync()[0]!;
    });
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };
  let cpuMs = 0;
  const time = (fn: (seed: number) => void, runs: number): number => {
    fn(0);
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let k = 1; k <= runs; k++) fn(k);
    const used = process.cpuUsage(cpu);
    cpuMs = (used.user + used.system) / 1000 / runs;
    return (performance.now() - started) / runs;
  };
  try {
    const measured: Record<MeasuredPhase, number> = { embeddingForward: 0, embeddingBackward: 0, recurrentForward: 0, recurrentBackward: 0 };
    const msPerBatch = time((seed) => {
      const run = () => {
        const batch = clock('batchPreparation', () => syntheticBatch(shape, seed));
        const loss = step(batch);
        tf.dispose([batch.x, batch.y]);
        if (!Number.isFinite(loss)) throw new Error(`The bench's loss became ${loss}.`);
      };
      if (seed === 0) {
        // The untimed warm-up step (first-call costs) stays out of the profile too.
        run();
        Object.assign(spent, { batchPreparation: 0, gradients: 0, optimizer: 0 });
        return;
      }
      const phases = profilePhases(run);
      for (const phase of Object.keys(measured) as MeasuredPhase[]) measured[phase] += phases[phase];
    }, batches);
    const perStep = (ms: number) => ms / batches;
    const kernelsMs = measured.embeddingForward + measured.embeddingBackward + measured.recurrentForward + measured.recurrentBackward;
    const phases: Record<TrainingPhase, number> = {
      batchPreparation: perStep(spent.batchPreparation),
      embeddingForward: perStep(measured.embeddingForward),
      embeddingBackward: perStep(measured.embeddingBackward),
      recurrentForward: perStep(measured.recurrentForward),
      recurrentBackward: perStep(measured.recurrentBackward),
      head: perStep(Math.max(0, spent.gradients - kernelsMs)),
      optimizer: perStep(spent.optimizer),
    };
    const cpuMsPerBatch = cpuMs;
    const msPerEval = time((seed) => {
      const batch = syntheticBatch(shape, seed);
      // As the trainer's validation (evaluateSplit): the whole batch in one pass.
      tf.tidy(() => (model.predict(batch.x, { batchSize: shape.batchSize }) as tf.Tensor).dataSync());
      tf.dispose([batch.x, batch.y]);
    }, evalBatches);
    return { msPerBatch, cpuMsPerBatch, msPerEval, phases };
  } finally {
    optimizer.dispose();
  }
}

/**
 * Times `batches` training steps (after one untimed warm-up step) and validation forward passes.
 *
 * Args:
 *   cell: the recurrent layer.
 *   batches: timed training steps. Default 5.
 *   fused: use the fused kernels when available (true) or tfjs-layers' own layer (false). Default true.
 *   backend: the tfjs backend; default the engine's choice.
 */
export async function runAppBench(cell: BenchCell, options: { batches?: number; fused?: boolean; backend?: BackendName } = {}): Promise<BenchResult> {
  const batches = options.batches ?? 5;
  const backend = await initBackend(options.backend);
  const model = buildTfModel(benchStack(cell), {
    maxlen: benchShape.maxlen,
    makeRecurrent: options.fused === false ? undefined : makeFusedRecurrent,
  });
  const fused = model.layers.some((layer) => layer instanceof FusedRecurrent || layer instanceof FusedBidirectional);
  try {
    const times = timeTrainingSteps(model, benchShape, batches, Math.max(1, Math.ceil(batches / 2)));
    const epochSeconds = projectEpoch(times, benchShape.batchSize, benchShape.trainReviews, benchShape.validationReviews);
    const macsPerSecond = epochMacs(cell) / epochSeconds;
    // Right after the cell's timing, so both see the same machine load.
    const kernels = nativeKernels();
    const peak = kernels === undefined ? undefined : measurePeakMacsPerSecond(kernels);
    const inference = await timeInference(model);
    return {
      cell,
      backend,
      path: fused ? 'fused' : 'tfjs-layers',
      msPerBatch: round(times.msPerBatch),
      epochSeconds: round(epochSeconds),
      cpuMsPerBatch: round(times.cpuMsPerBatch),
      macsPerSecond: Math.round(macsPerSecond),
      ...(peak === undefined ? {} : { peakMacsPerSecond: Math.round(peak), peakFraction: Math.round((macsPerSecond / peak) * 1000) / 1000 }),
      profile: epochProfile(times),
      predictMs: Math.round(inference.predictMs * 100) / 100,
      evaluateSeconds: Math.round(inference.evaluateSeconds * 100) / 100,
    };
  } finally {
    model.dispose();
  }
}

/**
 * Inference as the app runs it with the bench's model: one typed review (encoded with the data path's tokenizer
 * over the bench's vocabulary, a forward pass on its row, its output read: the engine worker's predict), the median
 * of 100 after five warm-up runs; and one evaluation of IMDb's 25,000 test reviews with the app's `evaluateSplit`.
 */
export async function timeInference(model: tf.LayersModel): Promise<{ predictMs: number; evaluateSeconds: number }> {
  const { vocab, maxlen, batchSize, testReviews } = benchShape;
  const words = Array.from({ length: vocab - 1 }, (_, i) => `word${i + 1}`);
  const tokenizer = kerasTokenizerSpec(words, vocab);
  // A review of IMDb's median length, about 230 words.
  const review = Array.from({ length: 230 }, (_, i) => words[(i * 7919) % words.length]!).join(' ');
  const predictOnce = async (): Promise<void> => {
    const x = encodeWithSpec(tokenizer, review, maxlen);
    const output = tf.tidy(() => model.predict(tf.tensor2d(x, [1, maxlen], 'int32')) as tf.Tensor);
    await output.data();
    output.dispose();
  };
  for (let i = 0; i < 5; i++) await predictOnce();
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    const started = performance.now();
    await predictOnce();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const x = syntheticIds({ batchSize: testReviews, maxlen, vocab }, 1);
  const y = Uint8Array.from({ length: testReviews }, (_, i) => i % 2);
  const started = performance.now();
  await evaluateSplit(model, { x, y, count: testReviews }, maxlen, batchSize);
  return { predictMs: times[50]!, evaluateSeconds: (performance.now() - started) / 1000 };
}

/** The step's phases as seconds of the projected epoch (rounded to 0.01 s). */
function epochProfile(times: StepTimes): Record<TrainingPhase | 'validation', number> {
  const steps = Math.ceil(benchShape.trainReviews / benchShape.batchSize);
  const seconds = (ms: number) => Math.round(ms * steps / 10) / 100;
  const training = Object.fromEntries(Object.entries(times.phases).map(([phase, ms]) => [phase, seconds(ms)])) as Record<TrainingPhase, number>;
  const validation = Math.round((Math.ceil(benchShape.validationReviews / benchShape.batchSize) * times.msPerEval) / 10) / 100;
  return { ...training, validation };
}

/**
 * The machine's multiply-add peak: the best of five runs of the kernels' tight multiply-add loop on all their
 * threads, each sized to about 0.1 s (a best-of, as a peak is what the hardware reaches when not interrupted).
 */
export function measurePeakMacsPerSecond(kernels: NativeKernels): number {
  const probe = kernels.peak(1_000_000);
  const perIteration = probe.seconds / 1_000_000;
  const iterations = Math.max(1_000_000, Math.min(2_000_000_000, Math.round(0.1 / perIteration)));
  let best = probe.macs / probe.seconds;
  for (let run = 0; run < 5; run++) {
    const { macs, seconds } = kernels.peak(iterations);
    best = Math.max(best, macs / seconds);
  }
  return best;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * The first python that imports torch: `$RNN_WORKBENCH_PYTHON`, then `python3` on PATH, then the
 * system's `/usr/bin/python3` (Debian's `python3-torch` installs there, beside pyenv shims).
 */
export function findTorchPython(): string | undefined {
  const candidates = [process.env['RNN_WORKBENCH_PYTHON'], 'python3', '/usr/bin/python3'].filter((c): c is string => c !== undefined && c !== '');
  return candidates.find((python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
}

/**
 * Runs the PyTorch reference of the same model and step; the script (`bench/torch_rnn_bench.py` in the package's
 * folder, which the caller names: this module may run from a bundle) prints one BenchResult line.
 */
export function runTorchBench(python: string, torchScript: string, cell: BenchCell, batches: number): BenchResult {
  const result = spawnSync(python, [torchScript, '--cell', cell, '--batches', String(batches)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`The PyTorch bench failed (${python} ${torchScript}): ${result.stderr.trim() || result.error?.message}`);
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as BenchResult;
}
