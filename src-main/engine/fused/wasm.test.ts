/**
 * The fused path on the engine's default backend (wasm), where tensors copy their values and the
 * fused op and the Embedding lookup reuse their buffers from one step to the next.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { FusedRecurrent, fusedStatus } from './index';

beforeAll(async () => {
  await initBackend('wasm');
});

function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0]! / Math.max(tf.max(tf.abs(expected)).dataSync()[0]!, 1e-6));
}

describe.skipIf(!fusedStatus().available)('the fused path on wasm', () => {
  it('runs on wasm', () => {
    expect(tf.getBackend()).toBe('wasm');
  });

  for (const returnSequences of [true, false]) {
    it(`Embedding → LSTM (return_sequences ${returnSequences}): repeated steps match tfjs-layers`, () => {
      const build = (recurrent: tf.layers.Layer) => {
        const model = tf.sequential();
        model.add(tf.layers.embedding({ inputDim: 40, outputDim: 6, inputLength: 9, maskZero: true }));
        model.add(recurrent);
        return model;
      };
      const ref = build(tf.layers.lstm({ units: 16, returnSequences, recurrentActivation: 'sigmoid' }));
      const fused = build(new FusedRecurrent({ kind: 'LSTM', units: 16, returnSequences }));
      fused.setWeights(ref.getWeights());
      const grads = (model: tf.Sequential, ids: tf.Tensor, weightOut: tf.Tensor) => {
        const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const { grads: g } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(ids) as tf.Tensor, weightOut)) as tf.Scalar, vars);
        // The outputs themselves, not their weighted sum, whose cancellation would blur the comparison.
        return [model.apply(ids) as tf.Tensor, ...vars.map((v) => g[v.name]!)];
      };
      // Three steps with different data: the second and third reuse the first one's buffers.
      for (let step = 0; step < 3; step++) {
        const ids = tf.tensor2d(Array.from({ length: 5 * 9 }, (_, i) => (i % 9 < step ? 0 : (i * (7 + step)) % 40)), [5, 9], 'int32');
        const weightOut = tf.randomNormal(returnSequences ? [5, 9, 16] : [5, 16]);
        const want = grads(ref, ids, weightOut);
        grads(fused, ids, weightOut).forEach((g, k) => expect(relativeError(g, want[k]!), `step ${step}, tensor ${k}`).toBeLessThan(1e-4));
      }
    });
  }
});
