import { describe, expect, it } from 'vitest';
import { getLayerKind } from '../../../src-shared/model';
import { optionFields, valueAt } from './schema-fields';

describe('optionFields', () => {
  it("reads a kind's schema into typed fields with Keras' defaults and help", () => {
    const fields = optionFields(getLayerKind('LSTM')!.optionsSchema);
    const byPath = new Map(fields.map((field) => [field.path, field]));
    expect(byPath.get('units')).toMatchObject({ type: 'number', integer: true, defaultValue: 32 });
    expect(byPath.get('units')!.description).toMatch(/^Dimensionality of the output space/);
    expect(byPath.get('return_sequences')).toMatchObject({ type: 'boolean', defaultValue: false });
    expect(byPath.get('activation')).toMatchObject({ type: 'enum', defaultValue: 'tanh' });
  });

  it("gives Bidirectional's wrapped layer a kind choice with its own dotted fields", () => {
    const layer = optionFields(getLayerKind('Bidirectional')!.optionsSchema).find((field) => field.path === 'layer');
    expect(layer?.type).toBe('layer');
    if (layer?.type !== 'layer') return;
    expect(layer.kinds.map((kind) => kind.kind)).toEqual(['SimpleRNN', 'LSTM', 'GRU']);
    expect(layer.kinds[1]!.fields.map((field) => field.path)).toContain('layer.options.units');
  });
});

describe('valueAt', () => {
  it('follows a dotted path and stops at a missing step', () => {
    const options = { layer: { kind: 'LSTM', options: { units: 8 } } };
    expect(valueAt(options, 'layer.options.units')).toBe(8);
    expect(valueAt(options, 'layer.options.units.x')).toBeUndefined();
  });
});
