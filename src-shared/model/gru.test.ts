import { describe, expect, it } from 'vitest';
import { gru, gruOptions } from './gru';
import { summarize } from './summary';
import type { LayerSpec } from './types';

const embedding: LayerSpec = { id: 'e', kind: 'Embedding', options: { input_dim: 10000, output_dim: 32 } };
const output: LayerSpec = { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };
const row = (options: Record<string, unknown>) => summarize([embedding, { id: 'g', kind: 'GRU', options }, output]).rows[1]!;

describe('GRU', () => {
  it('has 3 · (32 · (32 + 32) + 2 · 32) = 6,336 params with reset_after (the default)', () => {
    expect([row({}).name, row({}).type, row({}).outputShape, row({}).params, row({}).paramFormula]).toEqual(['gru', 'GRU', '(None, 32)', 6336, '3 · (32 · (32 + 32) + 2 · 32) = 6,336']);
  });

  it('has 6,240 params without reset_after', () => {
    expect([row({ reset_after: false }).params, row({ reset_after: false }).paramFormula]).toEqual([6240, '3 · (32 · (32 + 32) + 32) = 6,240']);
  });

  it('has no bias row without use_bias', () => {
    expect(row({ use_bias: false }).params).toBe(6144);
  });

  it("builds the engine's ResetAfterGRU for reset_after and tfjs' GRU otherwise, with Keras' sigmoid", () => {
    const afterDescription = gru.toTfjs(gruOptions.parse({}), [null, null, 32]);
    expect(afterDescription.className).toBe('ResetAfterGRU');
    expect(afterDescription.config).toMatchObject({ recurrentActivation: 'sigmoid', units: 32 });
    expect(gru.toTfjs(gruOptions.parse({ reset_after: false }), [null, null, 32]).className).toBe('GRU');
  });

  it('gives Keras bias shapes [2, 96] and [96]', () => {
    expect(gru.weightShapes(gruOptions.parse({}), [null, null, 32]).map((w) => w.shape)).toEqual([[32, 96], [32, 96], [2, 96]]);
    expect(gru.weightShapes(gruOptions.parse({ reset_after: false }), [null, null, 32]).at(-1)!.shape).toEqual([96]);
  });
});
