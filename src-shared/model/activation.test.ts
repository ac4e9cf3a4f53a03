import { describe, expect, it } from 'vitest';
import { summarize } from './summary';
import type { LayerSpec } from './types';

/** Keras 2's imdb_cnn.py ending: Dense(250) → Activation('relu') → Dense(1) → Activation('sigmoid'). */
const stack = (last: Record<string, unknown>, units = 1): LayerSpec[] => [
  { id: 'e', kind: 'Embedding', options: {} },
  { id: 'p', kind: 'GlobalMaxPooling1D', options: {} },
  { id: 'h', kind: 'Dense', options: { units: 250 } },
  { id: 'a', kind: 'Activation', options: { activation: 'relu' } },
  { id: 'd', kind: 'Dense', options: { units } },
  { id: 'o', kind: 'Activation', options: last },
];

describe('Activation', () => {
  it('keeps the shape and has no params', () => {
    const summary = summarize(stack({ activation: 'sigmoid' }), { maxlen: 400 });
    const row = summary.rows[3]!;
    expect([row.name, row.type, row.outputShape, row.params, row.paramFormula]).toEqual(['activation', 'Activation', '(None, 250)', 0, '']);
    expect(summary.rows[5]!.outputShape).toBe('(None, 1)');
  });

  it("ends a valid model as Activation('sigmoid') after Dense(1), and only so", () => {
    expect(summarize(stack({ activation: 'sigmoid' })).issues).toEqual([]);
    expect(summarize(stack({ activation: 'relu' })).issues.map((i) => i.message)).toEqual(['The model must end with Dense(1, sigmoid) to predict a binary label. Received: Activation last']);
    expect(summarize(stack({ activation: 'sigmoid' }, 2)).issues.map((i) => i.message)).toEqual(['The model must end with Dense(1, sigmoid) to predict a binary label. Received: Activation last']);
  });

  it('refuses an activation Keras does not have', () => {
    expect(summarize(stack({ activation: 'wiggle' })).issues.map((i) => i.message)[0]).toMatch(/^activation must be one of 'linear', 'relu', 'sigmoid'.* Received: 'wiggle'$/);
  });

  it('passes a mask_zero mask on to the next layer', () => {
    const layers: LayerSpec[] = [
      { id: 'e', kind: 'Embedding', options: { mask_zero: true } },
      { id: 'a', kind: 'Activation', options: { activation: 'tanh' } },
      { id: 'r', kind: 'LSTM', options: {} },
      { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
    ];
    expect(summarize(layers).issues).toEqual([]);
  });
});
