import { describe, expect, it } from 'vitest';
import { dense, denseOptions } from './dense';
import { summarize } from './summary';
import type { LayerSpec } from './types';

const embedding: LayerSpec = { id: 'e', kind: 'Embedding', options: { input_dim: 10000, output_dim: 32 } };
const rnn: LayerSpec = { id: 'r', kind: 'SimpleRNN', options: {} };

describe('Dense', () => {
  it('has 32 · 1 + 1 = 33 params on 32 features', () => {
    const row = summarize([embedding, rnn, { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } }]).rows[2]!;
    expect([row.name, row.type, row.outputShape, row.params, row.paramFormula]).toEqual(['dense', 'Dense', '(None, 1)', 33, '32 · 1 + 1 = 33']);
  });

  it('applies to the last axis of a sequence', () => {
    const rows = summarize(
      [embedding, { id: 'h', kind: 'Dense', options: { units: 8, activation: 'relu' } }, rnn, { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } }],
      { maxlen: 100 },
    ).rows;
    expect([rows[1]!.outputShape, rows[1]!.params, rows[1]!.multiplyAdds]).toEqual(['(None, 100, 8)', 264, 100 * 32 * 8]);
    expect(rows[2]!.params).toBe(32 * (8 + 32) + 32);
  });

  it('defaults to Keras: linear activation with a bias', () => {
    expect(denseOptions.parse({})).toEqual({ units: 1, activation: 'linear', use_bias: true });
  });

  it('asks the output layer for sigmoid and one unit', () => {
    const issues = summarize([embedding, rnn, { id: 'd', kind: 'Dense', options: { units: 2 } }]).issues;
    expect(issues.map((i) => [i.option, i.message, i.fix!.apply])).toEqual([
      ['units', 'The output Dense must have 1 unit to predict a binary label. Received: 2', { type: 'setOption', layerId: 'd', option: 'units', value: 1 }],
      ['activation', "The output Dense must use the sigmoid activation to give a probability. Received: 'linear'", { type: 'setOption', layerId: 'd', option: 'activation', value: 'sigmoid' }],
    ]);
  });

  it('flags a Dense output on a sequence and points at return_sequences', () => {
    const issues = summarize([embedding, { id: 'r', kind: 'LSTM', options: { return_sequences: true } }, { id: 'x', kind: 'Dropout', options: {} }, { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } }], { maxlen: 500 }).issues;
    expect(issues.map((i) => [i.layerId, i.message, i.fix!.apply])).toEqual([
      ['d', 'dense gets a sequence (None, 500, 32) and would predict once per step: turn off return_sequences on lstm above', { type: 'setOption', layerId: 'r', option: 'return_sequences', value: false }],
    ]);
  });

  it('suggests pooling when the sequence comes from a convolution', () => {
    const [issue] = summarize([embedding, { id: 'c', kind: 'Conv1D', options: {} }, { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } }]).issues;
    expect(issue!.message).toBe('dense gets a sequence (None, None, 32) and would predict once per step: add GlobalMaxPooling1D or Flatten above it');
    expect(issue!.fix!.apply).toEqual({ type: 'insertLayer', index: 2, layer: { kind: 'GlobalMaxPooling1D', options: {} } });
  });

  it('needs a known last dimension', () => {
    expect(dense.validate(denseOptions.parse({}), [null, null], { id: 'd', index: 1, name: 'dense', dataset: {} })[0]!.message).toBe(
      "Dense needs a known last dimension, but its input is (None, None). Set the sequence length (the dataset's maxlen or the Embedding's input_length), or pool over time first.",
    );
  });
});
