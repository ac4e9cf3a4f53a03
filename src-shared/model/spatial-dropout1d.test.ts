import { describe, expect, it } from 'vitest';
import { summarize } from './summary';
import type { LayerSpec } from './types';

const embedding: LayerSpec = { id: 'e', kind: 'Embedding', options: {} };
const output: LayerSpec = { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };

describe('SpatialDropout1D', () => {
  it('keeps a sequence shape and has no params', () => {
    const row = summarize([embedding, { id: 's', kind: 'SpatialDropout1D', options: { rate: 0.2 } }, { id: 'r', kind: 'GRU', options: {} }, output], { maxlen: 500 }).rows[1]!;
    expect([row.name, row.type, row.outputShape, row.params]).toEqual(['spatial_dropout1d', 'SpatialDropout1D', '(None, 500, 32)', 0]);
  });

  it('needs a sequence', () => {
    const [issue] = summarize([embedding, { id: 'r', kind: 'GRU', options: {} }, { id: 's', kind: 'SpatialDropout1D', options: {} }, output]).issues;
    expect(issue!.message).toBe('SpatialDropout1D needs a sequence: turn on return_sequences on gru above');
  });
});
