import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTrainingConfig, type TrainingConfigInput } from '../../src-shared/training';
import { initBackend } from './backend';
import { makeFusedRecurrent } from './fused';
import { buildTfModel } from './tfjs-model';
import { evaluateSplit, splitValidation, trainModel, withSeededMathRandom, type Split } from './trainer';

const maxlen = 12;
const vocab = 30;

/** Label 1 exactly when token 7 occurs: learnable by an RNN, invisible to a constant guess. */
function synthetic(count: number, seed: number): Split {
  let s = seed;
  const rand = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const x = new Int32Array(count * maxlen);
  const y = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const positive = rand() < 0.5;
    for (let t = 0; t < maxlen; t++) {
      let id = 1 + Math.floor(rand() * (vocab - 1));
      if (id === 7) id = 8;
      x[i * maxlen + t] = id;
    }
    if (positive) x[i * maxlen + Math.floor(rand() * maxlen)] = 7;
    y[i] = positive ? 1 : 0;
  }
  return { x, y, count };
}

function smallModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.embedding({ inputDim: vocab, outputDim: 8, inputLength: maxlen }));
  model.add(tf.layers.simpleRNN({ units: 8 }));
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  return model;
}

/** The app's own builder, with the fused recurrent layers when they built on this machine. */
function appModel(): tf.LayersModel {
  return buildTfModel(
    [
      { id: 'embedding-1', kind: 'Embedding', options: { input_dim: vocab, output_dim: 8 } },
      { id: 'lstm-1', kind: 'LSTM', options: { units: 8, dropout: 0.2 } },
      { id: 'dense-1', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
    ],
    { maxlen, makeRecurrent: makeFusedRecurrent },
  );
}

async function fit(config: TrainingConfigInput, stopAfter?: number, build: () => tf.LayersModel = smallModel) {
  const training = parseTrainingConfig(config);
  return withSeededMathRandom(training.seed, async () => {
    const model = build();
    const { train, validation } = splitValidation(synthetic(1000, 1), maxlen, training.validationSplit);
    let batchesSeen = 0;
    const result = await trainModel(model, { train, validation, maxlen }, training, {
      onBatch: () => void batchesSeen++,
      shouldStop: () => stopAfter !== undefined && batchesSeen >= stopAfter,
    });
    return { model, result, batchesSeen };
  });
}

async function weightValues(model: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.getWeights().map(async (w) => Float32Array.from(await w.data())));
}

/** Trains like `fit`, recording the weights before the first step and after every step taken. */
async function fitWatchingWeights(config: TrainingConfigInput, build: () => tf.LayersModel = smallModel, onEpoch?: (optimizer: tf.Optimizer) => void, count = 1000) {
  const training = parseTrainingConfig(config);
  return withSeededMathRandom(training.seed, async () => {
    const model = build();
    const { train, validation } = splitValidation(synthetic(count, 1), maxlen, training.validationSplit);
    const stepped = [await weightValues(model)];
    const result = await trainModel(model, { train, validation, maxlen }, training, {
      onBatch: () => void stepped.push(model.getWeights().map((w) => Float32Array.from(w.dataSync()))),
      onEpoch: (_metrics, optimizer) => onEpoch?.(optimizer),
      shouldStop: () => false,
    });
    return { model, result, stepped };
  });
}

beforeAll(async () => {
  await initBackend();
});

describe('trainModel', () => {
  it('learns a learnable synthetic task well above chance', async () => {
    const { model, result } = await fit({ epochs: 7, batchSize: 32, seed: 3, optimizer: { name: 'adam', learningRate: 0.01 } });
    expect(result.reason).toBe('done');
    expect(result.history).toHaveLength(7);
    expect(result.history.at(-1)!.val_acc).toBeGreaterThan(0.85);
    const test = await evaluateSplit(model, synthetic(200, 99), maxlen, 64);
    expect(test.acc).toBeGreaterThan(0.85);
    expect(test.confusion.flat().reduce((a, b) => a + b, 0)).toBe(200);
  });

  it('evaluates a batch of more than 32 reviews in one pass with the same results as tfjs-layers’ 32-row prediction', async () => {
    const model = appModel();
    const split = synthetic(150, 21);
    const evaluation = await evaluateSplit(model, split, maxlen, 100);
    // The reference: tfjs' own predict (32 rows at a time) over the same reviews, scored by hand.
    const p = tf.tidy(() => (model.predict(tf.tensor2d(split.x, [split.count, maxlen], 'int32')) as tf.Tensor).dataSync());
    let correct = 0;
    let loss = 0;
    for (let i = 0; i < split.count; i++) {
      const q = Math.min(Math.max(p[i]!, 1e-7), 1 - 1e-7);
      loss -= split.y[i]! === 1 ? Math.log(q) : Math.log(1 - q);
      if ((p[i]! > 0.5 ? 1 : 0) === split.y[i]) correct++;
    }
    expect(evaluation.count).toBe(150);
    expect(evaluation.acc).toBeCloseTo(correct / split.count, 10);
    expect(evaluation.loss).toBeCloseTo(loss / split.count, 5);
    model.dispose();
  });

  it('gives the same metrics for the same seed', async () => {
    const a = await fit({ epochs: 1, batchSize: 64, seed: 11 });
    const b = await fit({ epochs: 1, batchSize: 64, seed: 11 });
    expect(a.result.history[0]!.loss).toBe(b.result.history[0]!.loss);
    expect(a.result.history[0]!.val_acc).toBe(b.result.history[0]!.val_acc);
  });

  it("gives the same metrics for the same seed with the app's model builder and dropout", async () => {
    const a = await fit({ epochs: 1, batchSize: 64, seed: 5 }, undefined, appModel);
    const b = await fit({ epochs: 1, batchSize: 64, seed: 5 }, undefined, appModel);
    const c = await fit({ epochs: 1, batchSize: 64, seed: 6 }, undefined, appModel);
    // Multithreaded fused kernels split the batch the same way every call, so even their sums match.
    for (const key of ['loss', 'val_loss'] as const) expect(a.result.history[0]![key]).toBe(b.result.history[0]![key]);
    expect(Math.abs(c.result.history[0]!.loss - a.result.history[0]!.loss)).toBeGreaterThan(1e-4);
  });

  it('stops between batches and keeps the trained weights', async () => {
    const { result, batchesSeen } = await fit({ epochs: 3, batchSize: 32, seed: 1 }, 2);
    expect(result.reason).toBe('stopped');
    expect(batchesSeen).toBe(2);
    expect(result.history).toHaveLength(0);
  });

  it('stops with a clear message when the loss or gradient is not finite, undoing the step that led there', async () => {
    // A rate past float32's range turns the first step's weights into NaN and Infinity; batches of
    // 8 are too small to judge by the loss, so only the non-finite check can catch it.
    const { model, result, stepped } = await fitWatchingWeights({ epochs: 1, batchSize: 8, seed: 1, optimizer: { name: 'sgd', learningRate: 1e39 } });
    expect(result.reason).toBe('failed');
    expect(result.message).toMatch(
      /^Training stopped at epoch 1, batch 2: the (loss|gradient norm) became (NaN|Infinity)\. The weights from before the step that led here were kept\. Lower the learning rate \(1e\+39\) or set clipnorm\.$/,
    );
    expect(stepped).toHaveLength(2);
    expect(stepped[1]!.some((values) => values.some((v) => !Number.isFinite(v)))).toBe(true);
    const kept = await weightValues(model);
    expect(kept).toEqual(stepped[0]);
    expect(kept.every((values) => values.every(Number.isFinite))).toBe(true);
  });

  it.each([
    ['rmsprop', 'SimpleRNN (tfjs-layers)', smallModel],
    ['adam', "LSTM (the app's builder, fused kernels when built)", appModel],
    ['sgd', 'SimpleRNN (tfjs-layers)', smallModel],
  ] as const)('stops within one batch when a %s step of rate 1e6 diverges, keeping the weights from before it: %s', async (name, _model, build) => {
    const { model, result, stepped } = await fitWatchingWeights({ epochs: 2, batchSize: 32, seed: 1, optimizer: { name, learningRate: 1e6 } }, build);
    expect(result.reason).toBe('failed');
    expect(result.message).toMatch(
      /^Training diverged at epoch 1, batch 2: the loss jumped from 0\.6\d\d to \d+\.\d{3} after one step, far worse than chance \(0\.693\)\. The weights from before that step were kept\. Lower the learning rate \(1000000\) or set clipnorm\.$/,
    );
    expect(result.history).toEqual([]);
    // stepped[k] holds the weights after k steps: the diverging step is the last one taken.
    expect(stepped).toHaveLength(2);
    const kept = await weightValues(model);
    expect(kept).toEqual(stepped[0]);
    expect(kept).not.toEqual(stepped[1]);
    expect(kept.every((values) => values.every(Number.isFinite))).toBe(true);
  });

  it('keeps the completed epochs when a step in a later epoch diverges', async () => {
    const { model, result, stepped } = await fitWatchingWeights({ epochs: 3, batchSize: 32, seed: 1, optimizer: { name: 'adam', learningRate: 0.01 } }, smallModel, (optimizer) => {
      // A schedule gone wrong: tfjs reads this (protected) field at every step.
      (optimizer as unknown as { learningRate: number }).learningRate = 1e6;
    }, 400);
    expect(result.reason).toBe('failed');
    expect(result.message).toMatch(/^Training diverged at epoch 2, batch 2: the loss jumped from 0\.\d{3} to/);
    expect(result.history.map((row) => row.epoch)).toEqual([1]);
    expect(result.history[0]!.val_acc).toBeGreaterThan(0.5);
    expect(await weightValues(model)).toEqual(stepped.at(-2));
  });

  it('clips each gradient to clipnorm before the step', async () => {
    const training = parseTrainingConfig({ epochs: 1, batchSize: 800, validationSplit: 0, seed: 4, clipnorm: 0.01, optimizer: { name: 'sgd', learningRate: 1 } });
    await withSeededMathRandom(training.seed, async () => {
      const model = smallModel();
      const before = model.getWeights().map((w) => w.clone());
      const { train, validation } = splitValidation(synthetic(800, 5), maxlen, 0);
      const result = await trainModel(model, { train, validation, maxlen }, training, { shouldStop: () => false });
      expect(result.history[0]!.gradNorm).toBeGreaterThan(0.01);
      // One SGD step of rate 1: each weight moves by its clipped gradient, at most 0.01 in L2 norm.
      const moved = model.getWeights().map((w, i) => tf.norm(tf.sub(w, before[i]!)).dataSync()[0]!);
      for (const distance of moved) expect(distance).toBeLessThanOrEqual(0.01 + 1e-6);
      expect(Math.max(...moved)).toBeGreaterThan(0.009);
    });
  });

  it('warns when the gradients vanish, for a diverging step in batches too small to judge', async () => {
    const warnings: string[] = [];
    const training = parseTrainingConfig({ epochs: 2, batchSize: 8, seed: 1, optimizer: { name: 'rmsprop', learningRate: 1e6 } });
    const result = await withSeededMathRandom(training.seed, async () => {
      const { train, validation } = splitValidation(synthetic(160, 1), maxlen, 0.2);
      // A huge step saturates every unit, after which no gradient flows back; with 8 reviews a
      // batch the loss is too noisy to stop on, so the run ends and the warning names the cause.
      return trainModel(smallModel(), { train, validation, maxlen }, training, { onWarning: (m) => warnings.push(m), shouldStop: () => false });
    });
    expect(result.reason).toBe('done');
    expect(warnings.some((m) => /gradients are vanishing\. The loss .* is worse than chance.*lower the learning rate \(1000000\)/.test(m))).toBe(true);
  });

  it('early-stops when the monitored metric stops improving', async () => {
    const { result } = await fit({ epochs: 40, batchSize: 64, seed: 2, optimizer: { name: 'adam', learningRate: 0.05 }, earlyStopping: { monitor: 'val_loss', patience: 1 } });
    expect(result.reason).toBe('early-stopped');
    expect(result.history.length).toBeLessThan(40);
  });
});
