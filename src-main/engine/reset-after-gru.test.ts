import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ResetAfterGRU } from './reset-after-gru';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Keras' GRUCell with reset_after=True, written out with plain numbers. */
function referenceGru(x: number[][][], kernel: number[][], recurrent: number[][], bias: number[][], units: number, resetAfter = true): number[][][] {
  return x.map((sequence) => {
    let h = new Array<number>(units).fill(0);
    return sequence.map((step) => {
      const gate = (g: number, j: number, withR: number[] | null) => {
        const col = g * units + j;
        const fromX = step.reduce((sum, v, i) => sum + v * kernel[i]![col]!, 0) + bias[0]![col]!;
        const hIn = withR === null ? h : h.map((v, k) => v * withR[k]!);
        const fromH = hIn.reduce((sum, v, k) => sum + v * recurrent[k]![col]!, 0) + bias[1]![col]!;
        return { fromX, fromH };
      };
      const z = h.map((_, j) => sigmoid(gate(0, j, null).fromX + gate(0, j, null).fromH));
      const r = h.map((_, j) => sigmoid(gate(1, j, null).fromX + gate(1, j, null).fromH));
      const candidate = h.map((_, j) => {
        if (resetAfter) {
          const { fromX, fromH } = gate(2, j, null);
          return Math.tanh(fromX + r[j]! * fromH);
        }
        const { fromX, fromH } = gate(2, j, r);
        return Math.tanh(fromX + fromH);
      });
      h = h.map((prev, j) => z[j]! * prev + (1 - z[j]!) * candidate[j]!);
      return h;
    });
  });
}

const units = 2;
const x = [
  [[0.5, -1], [1.5, 0.25], [-0.75, 2]],
  [[0, 1], [-1, -1], [0.3, 0.6]],
];
const kernel = [
  [0.1, -0.2, 0.3, 0.4, -0.5, 0.6],
  [-0.7, 0.8, 0.9, -0.1, 0.2, -0.3],
];
const recurrent = [
  [0.5, 0.1, -0.4, 0.3, 0.7, -0.6],
  [-0.2, 0.9, 0.6, -0.8, 0.4, 0.35],
];
const bias = [
  [0.05, -0.1, 0.15, 0.2, -0.25, 0.3],
  [-0.35, 0.4, 0.45, -0.5, 0.55, -0.6],
];

function run(layer: tf.layers.Layer, input: number[][][]): number[][][] {
  const y = layer.apply(tf.tensor3d(input)) as tf.Tensor;
  return y.arraySync() as number[][][];
}

function makeLayer(args: Partial<ConstructorParameters<typeof ResetAfterGRU>[0]> = {}): ResetAfterGRU {
  const layer = new ResetAfterGRU({ units, returnSequences: true, batchInputShape: [null, 3, 2], ...args });
  // Adding the layer to a model builds it.
  tf.sequential({ layers: [layer] });
  layer.setWeights([tf.tensor2d(kernel), tf.tensor2d(recurrent), tf.tensor2d(bias)]);
  return layer;
}

describe('ResetAfterGRU', () => {
  it('has Keras weights: kernel, recurrent_kernel and a [2, 3·units] bias', () => {
    const layer = makeLayer();
    expect(layer.weights.map((w) => [w.name.split('/').pop(), w.shape])).toEqual([
      ['kernel', [2, 6]],
      ['recurrent_kernel', [2, 6]],
      ['bias', [2, 6]],
    ]);
    expect(layer.countParams()).toBe(36);
  });

  it('computes Keras reset_after GRU steps', () => {
    const expected = referenceGru(x, kernel, recurrent, bias, units);
    const actual = run(makeLayer(), x);
    actual.flat(2).forEach((value, i) => expect(value).toBeCloseTo(expected.flat(2)[i]!, 5));
    // The reset-before GRU differs on this input, so the comparison above can fail.
    const resetBefore = referenceGru(x, kernel, recurrent, bias, units, false);
    expect(Math.max(...actual.flat(2).map((v, i) => Math.abs(v - resetBefore.flat(2)[i]!)))).toBeGreaterThan(1e-3);
  });

  it('reads the sequence backwards with go_backwards', () => {
    const reversed = x.map((sequence) => [...sequence].reverse());
    const expected = referenceGru(reversed, kernel, recurrent, bias, units);
    const actual = run(makeLayer({ goBackwards: true }), x);
    actual.flat(2).forEach((value, i) => expect(value).toBeCloseTo(expected.flat(2)[i]!, 5));
  });

  it('survives a serialization round trip with the same outputs', async () => {
    const model = tf.sequential({ layers: [makeLayer()] });
    const artifacts = await new Promise<tf.io.ModelArtifacts>((resolve) => {
      void model.save(tf.io.withSaveHandler(async (a) => (resolve(a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    });
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const a = (model.predict(tf.tensor3d(x)) as tf.Tensor).arraySync() as number[][][];
    const b = (loaded.predict(tf.tensor3d(x)) as tf.Tensor).arraySync() as number[][][];
    expect(b).toEqual(a);
    expect(loaded.layers[0]!.getClassName()).toBe('ResetAfterGRU');
  });

  it('drops inputs only while training', () => {
    const layer = makeLayer({ dropout: 0.5, recurrentDropout: 0.5 });
    const input = tf.tensor3d(x);
    const inference = (layer.apply(input, { training: false }) as tf.Tensor).arraySync();
    expect(inference).toEqual(run(makeLayer(), x));
    const trainingRuns = [0, 1, 2, 3].map(() => JSON.stringify((layer.apply(input, { training: true }) as tf.Tensor).arraySync()));
    expect(new Set(trainingRuns).size).toBeGreaterThan(1);
  });
});
