import { describe, expect, it } from 'vitest';
import { summarize } from './summary';
import type { LayerSpec } from './types';

const output: LayerSpec = { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };

describe('GlobalMaxPooling1D', () => {
  it('collapses the steps and has no params', () => {
    const row = summarize([{ id: 'e', kind: 'Embedding', options: {} }, { id: 'g', kind: 'GlobalMaxPooling1D', options: {} }, output], { maxlen: 500 }).rows[1]!;
    expect([row.name, row.type, row.outputShape, row.params]).toEqual(['global_max_pooling1d', 'GlobalMaxPooling1D', '(None, 32)', 0]);
  });

  it('needs a sequence and says where it went', () => {
    const issues = summarize([{ id: 'e', kind: 'Embedding', options: {} }, { id: 'g0', kind: 'GlobalMaxPooling1D', options: {} }, { id: 'g', kind: 'GlobalMaxPooling1D', options: {} }, output]).issues;
    expect(issues.map((i) => [i.layerId, i.message, i.fix?.apply])).toEqual([
      [
        'g',
        'GlobalMaxPooling1D needs a sequence (None, steps, features), but global_max_pooling1d above gives (None, 32). Move global_max_pooling1d_1 above global_max_pooling1d, or remove global_max_pooling1d.',
        { type: 'removeLayer', layerId: 'g0' },
      ],
    ]);
  });

  it('takes no options', () => {
    expect(summarize([{ id: 'e', kind: 'Embedding', options: {} }, { id: 'g', kind: 'GlobalMaxPooling1D', options: { keepdims: true } }, output]).issues[0]!.message).toBe(
      "GlobalMaxPooling1D has no option 'keepdims'. Received: {\"keepdims\":true}",
    );
  });
});
