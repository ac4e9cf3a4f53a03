/**
 * The portable (SSE2) build of the kernels, which CPUs without AVX2+FMA run: forced here with
 * RNN_WORKBENCH_SIMD=baseline and checked against tfjs-layers' own layers.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

process.env['RNN_WORKBENCH_SIMD'] = 'baseline';
const { FusedRecurrent, fusedStatus } = await import('./index');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0]! / Math.max(tf.max(tf.abs(expected)).dataSync()[0]!, 1e-6));
}

describe.skipIf(!fusedStatus().available)('the baseline kernels', () => {
  it('are the ones loaded', () => {
    expect(fusedStatus().simd).toBe('baseline');
  });

  const standard = {
    SimpleRNN: () => tf.layers.simpleRNN({ units: 16, returnSequences: true }),
    LSTM: () => tf.layers.lstm({ units: 16, returnSequences: true, recurrentActivation: 'sigmoid' }),
    GRU: () => tf.layers.gru({ units: 16, returnSequences: true, recurrentActivation: 'sigmoid' }),
  };
  for (const kind of ['SimpleRNN', 'LSTM', 'GRU'] as const) {
    it(`${kind}: outputs and gradients match tfjs-layers`, () => {
      const x = tf.randomNormal([6, 7, 5]);
      const ref = standard[kind]();
      const fused = new FusedRecurrent({ kind, units: 16, returnSequences: true, resetAfter: false });
      ref.apply(x);
      fused.apply(x);
      ref.setWeights(ref.getWeights().map((w) => tf.randomNormal(w.shape, 0, 0.5)));
      fused.setWeights(ref.getWeights());
      const weightOut = tf.randomNormal([6, 7, 16]);
      const grads = (layer: tf.layers.Layer) => {
        const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
        const { grads: g } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, weightOut)) as tf.Scalar, vars);
        return vars.map((v) => g[v.name]!);
      };
      expect(relativeError(fused.apply(x) as tf.Tensor, ref.apply(x) as tf.Tensor)).toBeLessThan(1e-4);
      const want = grads(ref);
      grads(fused).forEach((g, k) => expect(relativeError(g, want[k]!), `gradient ${k}`).toBeLessThan(1e-4));
    });
  }
});
