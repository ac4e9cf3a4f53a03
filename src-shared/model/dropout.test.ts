import { describe, expect, it } from 'vitest';
import { summarize } from './summary';
import type { LayerSpec } from './types';

const stack = (rate: unknown): LayerSpec[] => [
  { id: 'e', kind: 'Embedding', options: {} },
  { id: 'r', kind: 'LSTM', options: {} },
  { id: 'x', kind: 'Dropout', options: rate === undefined ? {} : { rate } },
  { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
];

describe('Dropout', () => {
  it('keeps the shape and has no params', () => {
    const row = summarize(stack(0.5)).rows[2]!;
    expect([row.name, row.type, row.outputShape, row.params, row.paramFormula]).toEqual(['dropout', 'Dropout', '(None, 32)', 0, '']);
  });

  it('refuses a rate outside [0, 1)', () => {
    expect(summarize(stack(1.5)).issues.map((i) => i.message)).toEqual(['rate must be a number from 0 up to (not including) 1. Received: 1.5']);
    expect(summarize(stack('0.5')).issues.map((i) => i.message)).toEqual(["rate must be a number from 0 up to (not including) 1. Received: '0.5'"]);
  });

  it('passes a mask_zero mask on to the next layer', () => {
    const layers = stack(0.2);
    layers[0] = { id: 'e', kind: 'Embedding', options: { mask_zero: true } };
    layers[1] = { id: 'x0', kind: 'Dropout', options: {} };
    layers.splice(2, 0, { id: 'r', kind: 'LSTM', options: {} });
    expect(summarize(layers).issues).toEqual([]);
  });
});
