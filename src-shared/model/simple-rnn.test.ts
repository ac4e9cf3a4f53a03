import { describe, expect, it } from 'vitest';
import { simpleRnn, simpleRnnOptions } from './simple-rnn';
import { summarize } from './summary';
import type { LayerSpec } from './types';

const embedding: LayerSpec = { id: 'e', kind: 'Embedding', options: { input_dim: 10000, output_dim: 32 } };
const output: LayerSpec = { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };

describe('SimpleRNN', () => {
  it('has 32 · (32 + 32) + 32 = 2,080 params on 32 features', () => {
    const row = summarize([embedding, { id: 'r', kind: 'SimpleRNN', options: { units: 32 } }, output]).rows[1]!;
    expect([row.name, row.type, row.outputShape, row.params, row.paramFormula]).toEqual(['simple_rnn', 'SimpleRNN', '(None, 32)', 2080, '32 · (32 + 32) + 32 = 2,080']);
  });

  it('returns the whole sequence with return_sequences', () => {
    const rows = summarize([embedding, { id: 'r', kind: 'SimpleRNN', options: { units: 16, return_sequences: true } }, { id: 'p', kind: 'GlobalMaxPooling1D', options: {} }, output], { maxlen: 500 }).rows;
    expect(rows[1]!.outputShape).toBe('(None, 500, 16)');
    expect(rows[1]!.params).toBe(16 * (32 + 16) + 16);
  });

  it('drops the bias without use_bias', () => {
    const row = summarize([embedding, { id: 'r', kind: 'SimpleRNN', options: { use_bias: false } }, output]).rows[1]!;
    expect([row.params, row.paramFormula]).toEqual([2048, '32 · (32 + 32) = 2,048']);
  });

  it('names stacked layers simple_rnn, simple_rnn_1, …', () => {
    const layers: LayerSpec[] = [embedding, ...[0, 1, 2].map((i) => ({ id: `r${i}`, kind: 'SimpleRNN', options: { return_sequences: i < 2 } })), output];
    expect(summarize(layers).rows.map((row) => row.name)).toEqual(['embedding', 'simple_rnn', 'simple_rnn_1', 'simple_rnn_2', 'dense']);
  });

  it('refuses a dropout rate of 1 or more', () => {
    const issues = summarize([embedding, { id: 'r', kind: 'SimpleRNN', options: { recurrent_dropout: 1 } }, output]).issues;
    expect(issues.map((i) => [i.layerId, i.option, i.message])).toEqual([['r', 'recurrent_dropout', 'recurrent_dropout must be a number from 0 up to (not including) 1. Received: 1']]);
  });

  it("describes tfjs' SimpleRNN with Keras' initializers", () => {
    const config = simpleRnn.toTfjs(simpleRnnOptions.parse({}), [null, null, 32]).config;
    expect(config).toMatchObject({ units: 32, activation: 'tanh', kernelInitializer: { className: 'GlorotUniform' }, recurrentInitializer: { className: 'Orthogonal' } });
  });
});
