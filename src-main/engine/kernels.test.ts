import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { registerFastKernels, unsortedSegmentSumValues } from './kernels';

beforeAll(async () => {
  // Loads wasm (the default here) and registers the fast kernels on it; cpu is always registered.
  await initBackend('wasm');
  registerFastKernels('cpu');
});

describe('unsortedSegmentSumValues', () => {
  it('adds rows into their segments and drops ids out of range', () => {
    const x = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const out = unsortedSegmentSumValues(x, [4, 2], new Int32Array([2, 0, 2, 5]), 3);
    expect(Array.from(out)).toEqual([3, 4, 0, 0, 1 + 5, 2 + 6]);
  });
});

for (const backend of ['cpu', 'wasm']) {
  describe(`UnsortedSegmentSum on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });

    it('matches the definition on a 3-d input with repeated ids', async () => {
      const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 1);
      const ids = tf.tensor2d([[0, 4, 0], [2, 4, 4]], [2, 3], 'int32');
      const got = await tf.unsortedSegmentSum(x.reshape([6, 4]), ids.reshape([6]) as tf.Tensor1D, 5).array();
      const rows = (await x.reshape([6, 4]).array()) as number[][];
      const flatIds = (await ids.reshape([6]).array()) as number[];
      const want = Array.from({ length: 5 }, (_, s) => [0, 1, 2, 3].map((k) => rows.reduce((sum, row, i) => sum + (flatIds[i] === s ? row[k]! : 0), 0)));
      (got as number[][]).forEach((row, s) => row.forEach((v, k) => expect(v).toBeCloseTo(want[s]![k]!, 5)));
    });

    it('transposes by any permutation, the identity without copying wrongly', async () => {
      const x = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2]);
      expect(await tf.transpose(x, [0, 1, 2]).array()).toEqual(await x.array());
      expect(await tf.transpose(x, [2, 0, 1]).array()).toEqual([
        [[1, 3, 5], [7, 9, 11]],
        [[2, 4, 6], [8, 10, 12]],
      ]);
      // Disposing the identity result must leave the input intact (shared data is reference-counted).
      const same = tf.transpose(x, [0, 1, 2]);
      same.dispose();
      expect(Array.from(await x.data())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    });

    it('clones a tensor that outlives its source, and keeps the source when the clone is disposed', async () => {
      const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
      const copy = tf.clone(x);
      x.dispose();
      expect(await copy.array()).toEqual([[1, 2], [3, 4]]);
      const again = tf.clone(copy);
      again.dispose();
      expect(Array.from(await copy.data())).toEqual([1, 2, 3, 4]);
      copy.dispose();
    });

    it("gives the Embedding lookup's gradient, checked against numeric differences", async () => {
      const vocab = 7;
      const dim = 3;
      const table = tf.randomNormal([vocab, dim], 0, 1, 'float32', 2);
      const ids = tf.tensor2d([[1, 3, 1, 6], [0, 3, 3, 2]], [2, 4], 'int32');
      const weights = tf.randomNormal([2, 4, dim], 0, 1, 'float32', 3);
      // A nonlinear loss, so the gradient depends on the values and not only on the counts.
      const loss = (t: tf.Tensor): tf.Scalar => tf.sum(tf.tanh(tf.mul(tf.gather(t, ids), weights)));
      const analytic = (await tf.grad(loss)(table).data()) as Float32Array;
      const base = (await table.data()) as Float32Array;
      const h = 1e-2;
      for (let i = 0; i < base.length; i++) {
        const plus = base.slice();
        const minus = base.slice();
        plus[i]! += h;
        minus[i]! -= h;
        const numeric = ((await loss(tf.tensor2d(plus, [vocab, dim])).data())[0]! - (await loss(tf.tensor2d(minus, [vocab, dim])).data())[0]!) / (2 * h);
        expect(analytic[i]!).toBeCloseTo(numeric, 2);
      }
      // Rows of ids that never occur (4 and 5) get exactly zero gradient.
      expect(Array.from(analytic.slice(4 * dim, 6 * dim))).toEqual(new Array(2 * dim).fill(0));
    });
  });
}
