import { describe, expect, it } from 'vitest';
import { bidirectional, bidirectionalOptions, computingLayer, isRecurrentLayer, wrappedLayer } from './bidirectional';
import { summarize } from './summary';
import type { LayerSpec } from './types';

const embedding: LayerSpec = { id: 'e', kind: 'Embedding', options: { input_dim: 10000, output_dim: 32 } };
const output: LayerSpec = { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };
const bi = (options: Record<string, unknown>): LayerSpec => ({ id: 'b', kind: 'Bidirectional', options });

describe('Bidirectional', () => {
  it('wraps LSTM(32) with 16,640 params and 64 outputs', () => {
    const rows = summarize([embedding, bi({ layer: { kind: 'LSTM', options: { units: 32 } } }), output]).rows;
    expect([rows[1]!.name, rows[1]!.type, rows[1]!.outputShape, rows[1]!.params, rows[1]!.paramFormula]).toEqual([
      'bidirectional',
      'Bidirectional',
      '(None, 64)',
      16_640,
      '2 · (4 · (32 · (32 + 32) + 32)) = 16,640',
    ]);
    expect(rows[2]!.params).toBe(65);
  });

  it('keeps the feature size with merge_mode sum, mul or ave', () => {
    for (const mode of ['sum', 'mul', 'ave']) {
      expect(summarize([embedding, bi({ layer: { kind: 'GRU', options: {} }, merge_mode: mode }), output]).rows[1]!.outputShape).toBe('(None, 32)');
    }
  });

  it('returns sequences when the wrapped layer does', () => {
    const rows = summarize([embedding, bi({ layer: { kind: 'SimpleRNN', options: { return_sequences: true } } }), { id: 'l', kind: 'LSTM', options: {} }, output], { maxlen: 500 }).rows;
    expect(rows[1]!.outputShape).toBe('(None, 500, 64)');
    expect(rows[2]!.params).toBe(4 * (32 * (64 + 32) + 32));
  });

  it('names the wrapped layer first, as Keras builds it first', () => {
    const names = summarize([embedding, bi({ layer: { kind: 'LSTM', options: { return_sequences: true } } }), { id: 'l', kind: 'LSTM', options: {} }, output]).rows.map((r) => r.name);
    expect(names).toEqual(['embedding', 'bidirectional', 'lstm_1', 'dense']);
  });

  it('points a needed return_sequences at the wrapped layer', () => {
    const [issue] = summarize([embedding, bi({}), { id: 'l', kind: 'LSTM', options: {} }, output]).issues;
    expect(issue!.message).toBe('LSTM needs a sequence: turn on return_sequences on bidirectional above');
    expect(issue!.fix!.apply).toEqual({ type: 'setOption', layerId: 'b', option: 'layer.options.return_sequences', value: true });
  });

  it('wraps only recurrent layers', () => {
    const issues = summarize([embedding, bi({ layer: { kind: 'Dense', options: {} } }), output]).issues;
    expect(issues.map((i) => [i.option, i.message])).toEqual([['layer.kind', "layer.kind must be one of 'SimpleRNN', 'LSTM', 'GRU'. Received: 'Dense'"]]);
    const notALayer = summarize([embedding, bi({ layer: 3 }), output]).issues;
    expect(notALayer.map((i) => i.message)).toEqual(["layer must be a recurrent layer {kind: 'SimpleRNN' | 'LSTM' | 'GRU', options}. Received: 3"]);
  });
});

describe('wrappedLayer and computingLayer: Bidirectional unwrapped in one place', () => {
  it('gives the wrapped layer of a Bidirectional, with the default LSTM when the kind is missing, and nothing for other layers', () => {
    expect(wrappedLayer({ kind: 'Bidirectional', options: { layer: { kind: 'GRU', options: { units: 5 } } } })).toEqual({ kind: 'GRU', options: { units: 5 } });
    expect(wrappedLayer({ kind: 'Bidirectional', options: {} })).toEqual({ kind: 'LSTM', options: {} });
    expect(wrappedLayer({ kind: 'LSTM', options: { units: 3 } })).toBeUndefined();
  });

  it('the computing layer is the wrapped one, else the layer itself', () => {
    expect(computingLayer({ kind: 'Bidirectional', options: { layer: { kind: 'SimpleRNN', options: {} } } }).kind).toBe('SimpleRNN');
    expect(computingLayer({ kind: 'Dense', options: { units: 2 } })).toEqual({ kind: 'Dense', options: { units: 2 } });
  });

  it('a layer is recurrent when it or its wrapped layer is', () => {
    expect([{ kind: 'GRU' }, { kind: 'Bidirectional', options: { layer: { kind: 'SimpleRNN' } } }, { kind: 'Conv1D' }, { kind: 'Bidirectional', options: { layer: { kind: 'Dense' } } }].map(isRecurrentLayer)).toEqual([true, true, false, false]);
  });

  it('shows the wrapped layer and merge mode on its card', () => {
    expect(bidirectional.cardText(bidirectionalOptions.parse({ layer: { kind: 'GRU', options: { units: 8, return_sequences: true } }, merge_mode: 'ave' }))).toBe(
      'GRU(8) · ave · return_sequences (an output per word)',
    );
  });
});
