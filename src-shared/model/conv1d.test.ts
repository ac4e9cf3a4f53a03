import { describe, expect, it } from 'vitest';
import { convOutputLength } from './conv1d';
import { summarize } from './summary';
import type { LayerSpec } from './types';

const embedding: LayerSpec = { id: 'e', kind: 'Embedding', options: { input_dim: 10000, output_dim: 128 } };
const pool: LayerSpec = { id: 'p', kind: 'GlobalMaxPooling1D', options: {} };
const output: LayerSpec = { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };
const conv = (options: Record<string, unknown>): LayerSpec => ({ id: 'c', kind: 'Conv1D', options });

describe('Conv1D', () => {
  it("has 7 · 128 · 32 + 32 = 28,704 params and shortens a 500-step input to 494 (Chollet's Conv1D(32, 7))", () => {
    const row = summarize([embedding, conv({ filters: 32, kernel_size: 7, activation: 'relu' }), pool, output], { maxlen: 500 }).rows[1]!;
    expect([row.name, row.type, row.outputShape, row.params, row.paramFormula]).toEqual(['conv1d', 'Conv1D', '(None, 494, 32)', 28_704, '7 · 128 · 32 + 32 = 28,704']);
    expect(row.multiplyAdds).toBe(494 * 7 * 128 * 32);
  });

  it("matches the book's 1D convnet on IMDb: 1,315,937 params", () => {
    const summary = summarize([
      { id: 'e', kind: 'Embedding', options: { input_dim: 10000, output_dim: 128, input_length: 500 } },
      conv({ filters: 32, kernel_size: 7, activation: 'relu' }),
      { id: 'm', kind: 'MaxPooling1D', options: { pool_size: 5 } },
      { id: 'c2', kind: 'Conv1D', options: { filters: 32, kernel_size: 7, activation: 'relu' } },
      pool,
      output,
    ]);
    expect(summary.rows.map((row) => [row.name, row.outputShape, row.params])).toEqual([
      ['embedding', '(None, 500, 128)', 1_280_000],
      ['conv1d', '(None, 494, 32)', 28_704],
      ['max_pooling1d', '(None, 98, 32)', 0],
      ['conv1d_1', '(None, 92, 32)', 7200],
      ['global_max_pooling1d', '(None, 32)', 0],
      ['dense', '(None, 1)', 33],
    ]);
    expect(summary.totalParams).toBe(1_315_937);
  });

  it("computes Keras' conv_output_length", () => {
    expect(convOutputLength(500, 7, 'valid', 1)).toBe(494);
    expect(convOutputLength(500, 7, 'same', 1)).toBe(500);
    expect(convOutputLength(500, 7, 'valid', 2)).toBe(247);
    expect(convOutputLength(10, 3, 'valid', 1, 2)).toBe(6);
    expect(convOutputLength(null, 3, 'valid', 1)).toBeNull();
  });

  it('asks for a kernel that fits the sequence, offering same padding', () => {
    const [issue] = summarize([embedding, conv({ kernel_size: 9 }), pool, output], { maxlen: 5 }).issues;
    expect(issue!.message).toBe("kernel_size must fit the 5 steps of its input (None, 5, 128) with padding 'valid'. Received: 9");
    expect(issue!.fix!.apply).toEqual({ type: 'setOption', layerId: 'c', option: 'padding', value: 'same' });
  });

  it('refuses strides with dilation, as Keras does', () => {
    expect(summarize([embedding, conv({ strides: 2, dilation_rate: 2 }), pool, output]).issues.map((i) => i.message)).toEqual([
      'strides must be 1 when dilation_rate is above 1. Received: 2',
    ]);
  });

  it("refuses 'causal' padding, which tfjs-layers lacks", () => {
    expect(summarize([embedding, conv({ padding: 'causal' }), pool, output]).issues.map((i) => i.message)).toEqual([
      "padding must be one of 'valid', 'same'. Received: 'causal'",
    ]);
  });

  it('cannot take a mask_zero mask', () => {
    const issues = summarize([{ ...embedding, options: { mask_zero: true } }, conv({}), pool, output]).issues;
    expect(issues.map((i) => [i.layerId, i.message, i.fix!.apply])).toEqual([
      ['c', 'Conv1D cannot take the padding mask from embedding (mask_zero): turn off mask_zero on embedding', { type: 'setOption', layerId: 'e', option: 'mask_zero', value: false }],
    ]);
  });
});
