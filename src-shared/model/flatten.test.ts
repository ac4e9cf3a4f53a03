import { describe, expect, it } from 'vitest';
import { summarize } from './summary';
import type { LayerSpec } from './types';

const embedding: LayerSpec = { id: 'e', kind: 'Embedding', options: { input_dim: 10000, output_dim: 8 } };
const output: LayerSpec = { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };

describe('Flatten', () => {
  it("joins steps and features: Chollet's Embedding(10000, 8) on 20 steps gives (None, 160) and Dense 161 params", () => {
    const rows = summarize([embedding, { id: 'f', kind: 'Flatten', options: {} }, output], { maxlen: 20 }).rows;
    expect([rows[1]!.name, rows[1]!.type, rows[1]!.outputShape, rows[1]!.params]).toEqual(['flatten', 'Flatten', '(None, 160)', 0]);
    expect(rows[2]!.params).toBe(161);
  });

  it('needs a fixed sequence length', () => {
    const issues = summarize([embedding, { id: 'f', kind: 'Flatten', options: {} }, output]).issues;
    expect(issues.map((i) => i.message)).toEqual([
      "Flatten needs a fixed sequence length, but its input is (None, None, 8). Set the dataset's maxlen or the Embedding's input_length, or use GlobalMaxPooling1D.",
    ]);
  });

  it('refuses an input that is already flat', () => {
    const issues = summarize([embedding, { id: 'r', kind: 'LSTM', options: {} }, { id: 'f', kind: 'Flatten', options: {} }, output]).issues;
    expect(issues.map((i) => [i.message, i.fix!.apply])).toEqual([['Flatten needs a sequence (None, steps, features), but its input is already flat (None, 32). Remove flatten.', { type: 'removeLayer', layerId: 'f' }]]);
  });
});
