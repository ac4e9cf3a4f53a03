/**
 * The native RMSprop and Adam updates against tfjs' own optimizers, on the engine's wasm backend and on cpu:
 * the same weights and slots bit for bit after several steps, and the same saved state.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { fusedStatus } from './native';
import { NativeAdam, NativeRMSProp } from './optimizers';

afterAll(async () => {
  await initBackend('wasm');
});

/** Deterministic values of mixed sign and magnitude (with exact zeros, as untouched Embedding rows get). */
function values(n: number, seed: number, zeroEvery = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (zeroEvery > 0 && i % zeroEvery === 0 ? 0 : Math.sin(seed * 97.3 + i * 1.7) * 10 ** ((i % 7) - 4)));
}

/** Runs `steps` updates of `make()` over three variables (one big, one a matrix, one a scalar-sized bias); returns the weights and slots. */
async function run(make: () => tf.Optimizer, steps: number, prefix: string): Promise<{ weights: Float32Array[]; slots: Float32Array[]; iterations: number }> {
  const shapes = [[500, 8], [3, 5], [1]];
  const vars = shapes.map((shape, k) => tf.variable(tf.tensor(values(shape.reduce((a, c) => a * c, 1), k + 1), shape), true, `${prefix}_${k}`));
  const optimizer = make();
  for (let step = 0; step < steps; step++) {
    const grads: tf.NamedTensorMap = {};
    vars.forEach((v, k) => {
      grads[v.name] = tf.tensor(values(v.size, 10 * step + k + 3, step % 2 === 0 ? 3 : 0), v.shape);
    });
    optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
  const saved = await optimizer.getWeights();
  const result = {
    weights: vars.map((v) => v.dataSync() as Float32Array),
    slots: saved.slice(1).map((w) => w.tensor.dataSync() as Float32Array),
    iterations: saved[0]!.tensor.dataSync()[0]!,
  };
  optimizer.dispose();
  tf.dispose(vars);
  return result;
}

describe.skipIf(!fusedStatus().available)('native optimizer updates', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`RMSprop equals tf.train.rmsprop bit for bit on ${backend}`, async () => {
      await initBackend(backend);
      const ours = await run(() => new NativeRMSProp(0.001, 0.9, 0, 1e-7), 5, `rms_ours_${backend}`);
      const theirs = await run(() => tf.train.rmsprop(0.001, 0.9, 0, 1e-7), 5, `rms_ref_${backend}`);
      expect(ours.iterations).toBe(5);
      expect(ours.iterations).toBe(theirs.iterations);
      expect(ours.weights).toEqual(theirs.weights);
      expect(ours.slots).toEqual(theirs.slots);
      // The update moved the weights (a no-op would also equal a no-op reference).
      expect(ours.weights[1]).not.toEqual(values(15, 2));
    });

    it(`RMSprop with momentum equals tf.train.rmsprop on ${backend}`, async () => {
      await initBackend(backend);
      const ours = await run(() => new NativeRMSProp(0.01, 0.8, 0.5, 1e-6), 4, `rmsm_ours_${backend}`);
      const theirs = await run(() => tf.train.rmsprop(0.01, 0.8, 0.5, 1e-6), 4, `rmsm_ref_${backend}`);
      expect(ours.weights).toEqual(theirs.weights);
      expect(ours.slots).toEqual(theirs.slots);
    });

    it(`Adam equals tf.train.adam bit for bit on ${backend}`, async () => {
      await initBackend(backend);
      const ours = await run(() => new NativeAdam(0.002, 0.9, 0.999, 1e-7), 5, `adam_ours_${backend}`);
      const theirs = await run(() => tf.train.adam(0.002, 0.9, 0.999, 1e-7), 5, `adam_ref_${backend}`);
      expect(ours.iterations).toBe(theirs.iterations);
      expect(ours.weights).toEqual(theirs.weights);
      expect(ours.slots).toEqual(theirs.slots);
      expect(ours.weights[1]).not.toEqual(values(15, 2));
    });
  }

  it('leaves a clone of a weight (the divergence guard keeps one to undo a step) unchanged', async () => {
    await initBackend('wasm');
    const v = tf.variable(tf.tensor(values(40, 1), [40]), true, 'clone_kept');
    const kept = tf.clone(v);
    const before = kept.dataSync().slice();
    const optimizer = new NativeRMSProp(0.1, 0.9, 0, 1e-7);
    const grad = tf.ones([40]);
    optimizer.applyGradients({ [v.name]: grad });
    expect(kept.dataSync()).toEqual(before);
    expect(v.dataSync()).not.toEqual(before);
    optimizer.dispose();
    tf.dispose([v, kept, grad]);
  });

  it('restores saved state into a fresh optimizer and continues as tfjs does', async () => {
    await initBackend('wasm');
    const start = values(24, 5);
    const step = async (optimizer: tf.Optimizer, v: tf.Variable, k: number) => {
      const g = tf.tensor(values(24, 20 + k), [24]);
      optimizer.applyGradients({ [v.name]: g });
      g.dispose();
    };
    const a = tf.variable(tf.tensor(start, [24]), true, 'resume_a');
    const first = new NativeRMSProp(0.01, 0.9, 0, 1e-7);
    await step(first, a, 0);
    const saved = await first.getWeights();
    const second = tf.train.rmsprop(0.01, 0.9, 0, 1e-7);
    await second.setWeights(saved.map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) })));
    const b = tf.variable(a.clone(), true, 'resume_b');
    const resumed = new NativeRMSProp(0.01, 0.9, 0, 1e-7);
    await resumed.setWeights(saved.map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) })));
    await step(resumed, a, 1);
    await step(second, b, 1);
    expect(a.dataSync()).toEqual(b.dataSync());
    tf.dispose([a, b]);
    [first, second, resumed].forEach((o) => o.dispose());
  });
});
