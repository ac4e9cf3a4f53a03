import { describe, expect, it } from 'vitest';
import { lstm, lstmOptions } from './lstm';
import { summarize } from './summary';
import type { LayerSpec } from './types';

const embedding: LayerSpec = { id: 'e', kind: 'Embedding', options: { input_dim: 10000, output_dim: 32 } };
const output: LayerSpec = { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };

describe('LSTM', () => {
  it('has 4 · (32 · (32 + 32) + 32) = 8,320 params on 32 features', () => {
    const row = summarize([embedding, { id: 'l', kind: 'LSTM', options: { units: 32 } }, output]).rows[1]!;
    expect([row.name, row.type, row.outputShape, row.params, row.paramFormula]).toEqual(['lstm', 'LSTM', '(None, 32)', 8320, '4 · (32 · (32 + 32) + 32) = 8,320']);
  });

  it('counts 4 · (64 · (32 + 64) + 64) on 32 features with 64 units', () => {
    expect(summarize([embedding, { id: 'l', kind: 'LSTM', options: { units: 64 } }, output]).rows[1]!.params).toBe(4 * (64 * 96 + 64));
  });

  it('says which layer above must return sequences', () => {
    const issues = summarize([embedding, { id: 'a', kind: 'SimpleRNN', options: {} }, { id: 'b', kind: 'LSTM', options: {} }, output]).issues;
    expect(issues).toEqual([
      {
        layerId: 'b',
        layerIndex: 2,
        message: 'LSTM needs a sequence: turn on return_sequences on simple_rnn above',
        fix: { label: 'Turn on return_sequences on simple_rnn', apply: { type: 'setOption', layerId: 'a', option: 'return_sequences', value: true } },
      },
    ]);
  });

  it("uses Keras' sigmoid recurrent activation and unit forget bias, not tfjs' defaults", () => {
    expect(lstmOptions.parse({})).toMatchObject({ recurrent_activation: 'sigmoid', unit_forget_bias: true, activation: 'tanh' });
    const { className, config } = lstm.toTfjs(lstmOptions.parse({}), [null, null, 32]);
    expect(className).toBe('LSTM');
    expect(config).toMatchObject({ recurrentActivation: 'sigmoid', unitForgetBias: true, kernelInitializer: { className: 'GlorotUniform' } });
  });

  it("takes Keras 2's hard_sigmoid, which tfjs-layers names hardSigmoid", () => {
    const { config } = lstm.toTfjs(lstmOptions.parse({ recurrent_activation: 'hard_sigmoid' }), [null, null, 32]);
    expect(config).toMatchObject({ recurrentActivation: 'hardSigmoid', activation: 'tanh' });
  });

  it('refuses an unknown option by name', () => {
    const issues = summarize([embedding, { id: 'l', kind: 'LSTM', options: { unit: 3 } }, output]).issues;
    expect(issues.map((i) => i.message)).toEqual(["LSTM has no option 'unit'. Received: {\"unit\":3}"]);
  });
});

describe('LSTM beyond the summary', () => {
  it('shows units, return_sequences and dropout on its card', () => {
    expect(lstm.cardText(lstmOptions.parse({ units: 64, return_sequences: true, dropout: 0.2 }))).toBe('64 units · return_sequences (an output per word) · dropout 0.2');
    expect(lstm.cardText(lstmOptions.parse({}))).toBe('32 units');
  });

  it('is LSTM(32) in Keras code, keeps its weights in lstm_cell, and takes its own gates options in the torch job', () => {
    expect(lstm.keras).toMatchObject({ positional: ['units'], cell: 'lstm_cell', aliases: ['CuDNNLSTM'] });
    expect(lstm.torch?.keywords.slice(-2)).toEqual(['recurrent_activation', 'unit_forget_bias']);
  });
});
