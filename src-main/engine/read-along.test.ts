import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../src-shared/model/types';
import { makeFusedRecurrent } from './fused';
import { gradientOverTime, perturbedLoss, planReading, readAlong } from './read-along';
import { buildTfModel } from './tfjs-model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const built: tf.LayersModel[] = [];
afterAll(() => built.forEach((model) => model.dispose()));

const MAXLEN = 9;
const withIds = (layers: Omit<LayerSpec, 'id'>[]): LayerSpec[] => layers.map((layer, i) => ({ id: `l${i}`, ...layer }));
const embedding = { kind: 'Embedding', options: { input_dim: 30, output_dim: 4 } };
const sigmoid = { kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };

/** The run's model as the worker builds it (fused where the kernels load) and its tfjs-layers twin with the same weights. */
function models(layers: LayerSpec[]): { model: tf.LayersModel; stock: tf.LayersModel } {
  const model = buildTfModel(layers, { maxlen: MAXLEN, makeRecurrent: makeFusedRecurrent });
  const stock = buildTfModel(layers, { maxlen: MAXLEN });
  stock.setWeights(model.getWeights());
  built.push(model, stock);
  return { model, stock };
}

// A short review after 3 padding steps; the biases are randomised too, so no step is trivially zero.
const x = Int32Array.from([0, 0, 0, 5, 17, 2, 29, 11, 8]);
const padding = 3;

function randomiseBiases(model: tf.LayersModel): void {
  model.setWeights(model.getWeights().map((w, i) => (w.shape.length === 1 ? tf.randomUniform(w.shape, -0.5, 0.5, 'float32', i) : w)));
}

const stacks: [string, Omit<LayerSpec, 'id'>[]][] = [
  ['SimpleRNN', [embedding, { kind: 'SimpleRNN', options: { units: 3 } }, sigmoid]],
  ['LSTM', [embedding, { kind: 'LSTM', options: { units: 3 } }, sigmoid]],
  ['GRU (reset_after)', [embedding, { kind: 'GRU', options: { units: 3 } }, sigmoid]],
  ['GRU (reset_after false)', [embedding, { kind: 'GRU', options: { units: 3, reset_after: false } }, sigmoid]],
  ['Bidirectional(LSTM)', [embedding, { kind: 'Bidirectional', options: { layer: { kind: 'LSTM', options: { units: 3 } } } }, sigmoid]],
  ['Bidirectional(GRU) sum', [embedding, { kind: 'Bidirectional', options: { layer: { kind: 'GRU', options: { units: 3 } }, merge_mode: 'sum' } }, sigmoid]],
  [
    'stacked SimpleRNN → LSTM with a Dense head',
    [embedding, { kind: 'SimpleRNN', options: { units: 4, return_sequences: true } }, { kind: 'Dropout', options: {} }, { kind: 'LSTM', options: { units: 3 } }, { kind: 'Dense', options: { units: 5, activation: 'relu' } }, sigmoid],
  ],
];

describe('readAlong', () => {
  it.each(stacks)("%s: the last probability equals predict's within 1e-5, one per token", (_label, layers) => {
    const { model, stock } = models(withIds(layers));
    randomiseBiases(model);
    stock.setWeights(model.getWeights());
    const read = readAlong(model, x, padding, stock);
    const predicted = tf.tidy(() => (model.predict(tf.tensor2d(x, [1, MAXLEN], 'int32')) as tf.Tensor).dataSync()[0]!);
    expect(read.probabilities).toHaveLength(MAXLEN - padding);
    expect(read.state).toHaveLength(MAXLEN - padding);
    expect(Math.abs(read.probabilities!.at(-1)! - predicted)).toBeLessThan(1e-5);
    expect(Math.abs(read.prediction - predicted)).toBeLessThan(1e-7);
    // The line moves: each token changes the state and so the probability.
    expect(new Set(read.probabilities!.map((p) => p.toFixed(6))).size).toBeGreaterThan(1);
  });

  it('for a one-directional stack, each probability is the prediction of the review as it stands after that token', () => {
    // The state after a token does not depend on later tokens: replacing the later ones keeps it.
    const { model, stock } = models(withIds(stacks[0]![1]));
    const read = readAlong(model, x, padding, stock);
    const changedEnd = Int32Array.from([0, 0, 0, 5, 17, 2, 1, 1, 1]);
    const other = readAlong(model, changedEnd, padding, stock);
    expect(other.probabilities!.slice(0, 3)).toEqual(read.probabilities!.slice(0, 3));
    expect(other.probabilities![3]).not.toBe(read.probabilities![3]);
  });

  it("gives an LSTM's carry after each token, stepped with tfjs' LSTMCell, whose h matches the state the head reads", () => {
    const { model, stock } = models(withIds(stacks[1]![1]));
    randomiseBiases(model);
    stock.setWeights(model.getWeights());
    const read = readAlong(model, x, padding, stock);
    expect(read.carry).toHaveLength(MAXLEN - padding);
    expect(read.layer).toMatch(/\(LSTM\)$/);
    // h = o ⊙ tanh(c), so |h| < |tanh(c)| ≤ 1 elementwise, and h and c share signs.
    read.state!.forEach((row, t) =>
      row.forEach((h, u) => {
        expect(Math.abs(h)).toBeLessThanOrEqual(Math.abs(Math.tanh(read.carry![t]![u]!)) + 1e-6);
        if (Math.abs(h) > 1e-6) expect(Math.sign(h)).toBe(Math.sign(read.carry![t]![u]!));
      }),
    );
    const gru = models(withIds(stacks[2]![1]));
    expect(readAlong(gru.model, x, padding, gru.stock).carry).toBeNull();
  });

  it('says plainly why a stack has no read-along', () => {
    const pooled = models(withIds([embedding, { kind: 'LSTM', options: { units: 3, return_sequences: true } }, { kind: 'GlobalMaxPooling1D', options: {} }, sigmoid]));
    const read = readAlong(pooled.model, x, padding, pooled.stock);
    expect(read.probabilities).toBeNull();
    expect(read.note).toMatch(/no recurrent layer that reads the whole review/);
    const conv = models(withIds([embedding, { kind: 'Conv1D', options: { filters: 2, kernel_size: 3 } }, { kind: 'LSTM', options: { units: 3 } }, sigmoid]));
    expect(planReading(conv.model)).toEqual({ reason: expect.stringMatching(/^Conv1D sits between the words and the recurrent layer/) });
  });
});

describe('gradientOverTime', () => {
  /** ∂loss/∂h_t by central differences of the perturbed loss, one state component at a time. */
  function finiteDifferenceNorms(stock: tf.LayersModel, xs: Int32Array, ys: Uint8Array, count: number, units: number): number[] {
    const h = 1e-2;
    const time = xs.length / count;
    const { loss } = perturbedLoss(stock, tf.tensor2d(xs, [count, time], 'int32'), tf.tensor1d(Float32Array.from(ys)));
    const at = (t: number, b: number, u: number, delta: number): number =>
      tf.tidy(() => {
        const eps = tf.buffer([time, count, units]);
        eps.set(delta, t, b, u);
        return loss(eps.toTensor()).dataSync()[0]!;
      });
    const norms: number[] = [];
    for (let t = 0; t < time; t++) {
      let mean = 0;
      for (let b = 0; b < count; b++) {
        let squared = 0;
        for (let u = 0; u < units; u++) squared += ((at(t, b, u, h) - at(t, b, u, -h)) / (2 * h)) ** 2;
        mean += Math.sqrt(squared) / count;
      }
      norms.push(mean);
    }
    return norms;
  }

  const reviews = Int32Array.from([0, 0, 0, 5, 17, 2, 29, 11, 8, 0, 3, 9, 9, 1, 4, 22, 7, 6]);
  const labels = Uint8Array.from([1, 0]);

  it.each([stacks[0]!, stacks[1]!, stacks[2]!, stacks[4]!])('%s: equals a finite-difference check', (_label, layers) => {
    const { model, stock } = models(withIds(layers));
    randomiseBiases(model);
    stock.setWeights(model.getWeights());
    const { norms } = gradientOverTime(stock, reviews, labels, 2);
    const units = 3;
    const expected = finiteDifferenceNorms(stock, reviews, labels, 2, units);
    expect(norms).toHaveLength(MAXLEN);
    norms.forEach((norm, t) => expect(Math.abs(norm - expected[t]!), `step ${t}`).toBeLessThan(2e-3 * Math.max(expected[t]!, 1e-2)));
  });

  it('the unperturbed loss is the model’s own loss on the reviews', () => {
    const { model, stock } = models(withIds(stacks[1]![1]));
    const xs = tf.tensor2d(reviews, [2, MAXLEN], 'int32');
    const ys = tf.tensor1d([1, 0]);
    const { loss } = perturbedLoss(stock, xs, ys);
    const mine = loss(tf.zeros([MAXLEN, 2, 3])).dataSync()[0]!;
    const p = (model.predict(xs) as tf.Tensor).dataSync();
    expect(mine).toBeCloseTo(-Math.log(p[0]!) - Math.log(1 - p[1]!), 5);
  });
});
