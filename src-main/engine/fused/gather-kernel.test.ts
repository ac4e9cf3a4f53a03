import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { unsortedSegmentSumValues } from '../kernels';
import { gatherRows, registerFastGather, scatterAddRows } from './gather-kernel';
import { nativeKernels } from './native';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the row-copy GatherV2', () => {
  it('copies the rows the ids name, keeping the ids’ shape', () => {
    const table = Float32Array.from({ length: 12 }, (_, i) => i);
    expect(Array.from(gatherRows(table, 4, [3, 0, 3]))).toEqual([9, 10, 11, 0, 1, 2, 9, 10, 11]);
  });

  it('rejects ids outside the table as the stock kernel does', () => {
    expect(() => gatherRows(new Float32Array(8), 4, [1, 4])).toThrow('GatherV2: the index value 4 is not in [0, 3]');
    expect(() => gatherRows(new Float32Array(8), 4, [-1])).toThrow('not in [0, 3]');
    expect(() => gatherRows(new Float32Array(8), 4, Int32Array.from([2, -1]))).toThrow('GatherV2: the index value -1 is not in [0, 3]');
  });

  it('gives the same rows from Int32Array ids (the native path) as from plain ids', () => {
    const table = Float32Array.from({ length: 50 * 7 }, (_, i) => Math.sin(i));
    const ids = Int32Array.from({ length: 300 }, (_, i) => (i * 37) % 50);
    expect(Array.from(gatherRows(table, 50, ids))).toEqual(Array.from(gatherRows(table, 50, Array.from(ids))));
  });

  it('agrees with the stock kernel on axis 0 and hands other axes to it', () => {
    const x = tf.randomNormal([10, 3]);
    const ids = tf.tensor2d([[1, 9, 0], [4, 4, 2]], [2, 3], 'int32');
    const stockRows = tf.gather(x, ids).arraySync();
    const stockCols = tf.gather(x, tf.tensor1d([2, 0], 'int32'), 1).arraySync();
    registerFastGather('cpu');
    expect(tf.gather(x, ids).arraySync()).toEqual(stockRows);
    expect(tf.gather(x, tf.tensor1d([2, 0], 'int32'), 1).arraySync()).toEqual(stockCols);
    registerFastGather('cpu');
    expect(tf.gather(x, ids).shape).toEqual([2, 3, 3]);
  });
});

describe('the native scatter-add (the Embedding gradient)', () => {
  it('sums rows into their ids bit for bit as the sequential JavaScript sum, dropping ids out of range', () => {
    expect(nativeKernels()).toBeDefined();
    // 1,000 rows: every thread gets a band of them; repeated ids make the order of each row's sum matter.
    const rows = 1000;
    const inner = 5;
    const ids = Int32Array.from({ length: 4000 }, (_, i) => (i % 97 === 0 ? (i % 2 === 0 ? -3 : rows + 7) : (i * 7919) % 613 + (i % 3) * 300));
    const x = Float32Array.from({ length: ids.length * inner }, (_, i) => Math.sin(i) * 10 ** ((i % 9) - 4));
    const out = new Float32Array(rows * inner).fill(Number.NaN);
    expect(scatterAddRows(x, ids, rows, out)).toBe(true);
    expect(out).toEqual(unsortedSegmentSumValues(x, [ids.length, inner], ids, rows));
  });

  it('rejects an output that is not whole rows', () => {
    expect(() => nativeKernels()!.scatterAdd(new Float32Array(6), new Int32Array(2), 4, new Float32Array(10))).toThrow('out length must be a multiple of rows');
  });
});
