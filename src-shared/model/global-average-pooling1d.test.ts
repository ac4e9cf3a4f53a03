import { describe, expect, it } from 'vitest';
import { summarize } from './summary';
import type { LayerSpec } from './types';

const output: LayerSpec = { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };

describe('GlobalAveragePooling1D', () => {
  it('averages over the steps and has no params', () => {
    const row = summarize([{ id: 'e', kind: 'Embedding', options: { output_dim: 16 } }, { id: 'g', kind: 'GlobalAveragePooling1D', options: {} }, output]).rows[1]!;
    expect([row.name, row.type, row.outputShape, row.params]).toEqual(['global_average_pooling1d', 'GlobalAveragePooling1D', '(None, 16)', 0]);
  });

  it('refuses a mask_zero mask, as tfjs-layers does', () => {
    const issues = summarize([{ id: 'e', kind: 'Embedding', options: { mask_zero: true } }, { id: 'g', kind: 'GlobalAveragePooling1D', options: {} }, output]).issues;
    expect(issues.map((i) => i.layerId)).toEqual(['g']);
  });
});
