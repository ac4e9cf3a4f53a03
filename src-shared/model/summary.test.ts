import { describe, expect, it } from 'vitest';
import { getPreset, presetIds } from '../presets';
import { formatSummary, summarize } from './summary';
import type { LayerSpec } from './types';

const stack = (...layers: Omit<LayerSpec, 'id'>[]): LayerSpec[] => layers.map((layer, i) => ({ id: `l${i}`, ...layer }));
const embedding = { kind: 'Embedding', options: { input_dim: 10000, output_dim: 32 } };
const output = { kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };

describe('summarize', () => {
  it.each([
    ['simplernn', 322_113],
    ['simplernn-stack', 328_353],
    ['lstm', 328_353],
    ['gru', 326_369],
  ])('preset %s totals %i params, as Keras prints', (id, total) => {
    const summary = summarize(getPreset(id)!.layers);
    expect(summary.issues).toEqual([]);
    expect(summary.totalParams).toBe(total);
    expect(summary.trainableParams).toBe(total);
    expect(summary.nonTrainableParams).toBe(0);
  });

  it('knows every preset id', () => {
    expect(presetIds).toEqual(['simplernn', 'simplernn-stack', 'lstm', 'gru']);
  });

  it('gives the seed stack of four SimpleRNNs 328,320 params before the output layer', () => {
    const summary = summarize(getPreset('simplernn-stack')!.layers);
    expect(summary.rows.slice(0, 5).reduce((total, row) => total + row.params!, 0)).toBe(328_320);
    expect(summary.rows.map((row) => row.name)).toEqual(['embedding', 'simple_rnn', 'simple_rnn_1', 'simple_rnn_2', 'simple_rnn_3', 'dense']);
  });

  it('shows (None, None, 32) without a sequence length and (None, 500, 32) with one', () => {
    const layers = getPreset('simplernn')!.layers;
    expect(summarize(layers).rows[0]!.outputShape).toBe('(None, None, 32)');
    expect(summarize(layers, { maxlen: 500 }).rows[0]!.outputShape).toBe('(None, 500, 32)');
    expect(summarize(layers, { maxlen: 500 }).inputShape).toBe('(None, 500)');
  });

  it('counts a frozen layer as non-trainable', () => {
    const summary = summarize(stack({ ...embedding, trainable: false }, { kind: 'LSTM', options: {} }, output));
    expect(summary.nonTrainableParams).toBe(320_000);
    expect(summary.trainableParams).toBe(8_353);
    expect(summary.totalParams).toBe(328_353);
  });

  it('leaves rows after a broken layer unknown but keeps their names', () => {
    const summary = summarize(stack(embedding, { kind: 'LSTM', options: { units: 0 } }, output));
    expect(summary.valid).toBe(false);
    expect(summary.rows.map((row) => [row.name, row.outputShape, row.params])).toEqual([
      ['embedding', '(None, None, 32)', 320_000],
      ['lstm', '?', null],
      ['dense', '?', null],
    ]);
    expect(summary.totalParams).toBe(320_000);
  });

  it('prints the Keras table', () => {
    const text = formatSummary(summarize(getPreset('simplernn')!.layers, { maxlen: 500 }));
    expect(text).toBe(
      [
        'Model: "sequential"',
        '_________________________________________________________________',
        'Layer (type)                 Output Shape              Param #',
        '=================================================================',
        'embedding (Embedding)        (None, 500, 32)           320000',
        '_________________________________________________________________',
        'simple_rnn (SimpleRNN)       (None, 32)                2080',
        '_________________________________________________________________',
        'dense (Dense)                (None, 1)                 33',
        '=================================================================',
        'Total params: 322,113',
        'Trainable params: 322,113',
        'Non-trainable params: 0',
        '_________________________________________________________________',
      ].join('\n'),
    );
  });

  it('adds multiply-adds per sample over the known sequence length', () => {
    const summary = summarize(getPreset('lstm')!.layers, { maxlen: 500 });
    expect(summary.rows.map((row) => row.multiplyAdds)).toEqual([0, 500 * 4 * 32 * 64, 32]);
    expect(summarize(getPreset('lstm')!.layers).rows[1]!.multiplyAdds).toBeNull();
  });
});
