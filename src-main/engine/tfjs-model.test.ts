import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../../src-shared/model/summary';
import type { LayerSpec } from '../../src-shared/model/types';
import { getPreset, presetIds } from '../../src-shared/presets';
import { buildTfModel } from './tfjs-model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const built: tf.LayersModel[] = [];
afterAll(() => built.forEach((model) => model.dispose()));

function build(stack: LayerSpec[], maxlen?: number): tf.Sequential {
  const model = buildTfModel(stack, { maxlen });
  built.push(model);
  return model;
}

const withIds = (layers: Omit<LayerSpec, 'id'>[]): LayerSpec[] => layers.map((layer, i) => ({ id: `l${i}`, ...layer }));
const embedding = (options: Record<string, unknown> = {}) => ({ kind: 'Embedding', options: { input_dim: 50, output_dim: 4, ...options } });
const sigmoid = { kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };

/** Expects the tfjs model to have the spec's names, output shapes and per-layer counts. */
function expectSameAsSpec(stack: LayerSpec[], maxlen?: number): void {
  const summary = summarize(stack, { maxlen });
  expect(summary.issues).toEqual([]);
  const model = build(stack, maxlen);
  expect(model.countParams()).toBe(summary.totalParams);
  expect(model.layers.map((layer) => [layer.name, layer.outputShape, layer.countParams()])).toEqual(
    summary.rows.map((row) => [row.name, row.shape, row.params]),
  );
}

describe('buildTfModel', () => {
  it.each(presetIds)('builds preset %s with the spec count', (id) => {
    expectSameAsSpec(getPreset(id)!.layers.map((layer) => (layer.kind === 'Embedding' ? { ...layer, options: { input_dim: 100, output_dim: 32 } } : layer)), 7);
  });

  it.each([
    ['SimpleRNN', { kind: 'SimpleRNN', options: { units: 3 } }],
    ['LSTM', { kind: 'LSTM', options: { units: 3, use_bias: false } }],
    ['GRU reset_after', { kind: 'GRU', options: { units: 3 } }],
    ['GRU without reset_after', { kind: 'GRU', options: { units: 3, reset_after: false } }],
    ['Bidirectional(LSTM) sum', { kind: 'Bidirectional', options: { layer: { kind: 'LSTM', options: { units: 3 } }, merge_mode: 'sum' } }],
    ['Bidirectional(GRU)', { kind: 'Bidirectional', options: { layer: { kind: 'GRU', options: { units: 3 } } } }],
    ['Conv1D', { kind: 'Conv1D', options: { filters: 5, kernel_size: 3 } }],
    ['MaxPooling1D', { kind: 'MaxPooling1D', options: { pool_size: 3, padding: 'same' } }],
    ['SpatialDropout1D', { kind: 'SpatialDropout1D', options: {} }],
    ['Dense on a sequence', { kind: 'Dense', options: { units: 6 } }],
    ['Dropout', { kind: 'Dropout', options: {} }],
    ['Flatten', { kind: 'Flatten', options: {} }],
    ['GlobalAveragePooling1D', { kind: 'GlobalAveragePooling1D', options: {} }],
  ])('builds %s with the spec count and shape', (_label, layer) => {
    const ending = ['SimpleRNN', 'LSTM', 'GRU', 'Bidirectional', 'Flatten', 'GlobalAveragePooling1D'].includes(layer.kind) ? [] : [{ kind: 'GlobalMaxPooling1D', options: {} }];
    expectSameAsSpec(withIds([embedding(), layer, ...ending, sigmoid]), 8);
  });

  it('keeps the sequence length unknown without maxlen', () => {
    const model = build(withIds([embedding(), { kind: 'LSTM', options: { units: 2 } }, sigmoid]));
    expect(model.layers[0]!.outputShape).toEqual([null, null, 4]);
  });

  it('freezes layers marked trainable: false', () => {
    const model = build(withIds([{ ...embedding(), trainable: false }, { kind: 'LSTM', options: { units: 2 } }, sigmoid]));
    expect(model.layers[0]!.trainable).toBe(false);
    expect(model.trainableWeights.map((w) => w.shape)).toEqual([[4, 8], [2, 8], [8], [2, 1], [1]]);
  });

  it('names the halves of a Bidirectional after the wrapped layer, as Keras does', () => {
    const model = build(withIds([embedding(), { kind: 'Bidirectional', options: { layer: { kind: 'LSTM', options: { units: 2 } } } }, sigmoid]));
    const config = model.layers[1]!.getConfig() as { layer: { config: { name: string } } };
    expect(config.layer.config.name).toBe('lstm');
  });

  it('lets makeRecurrent replace recurrent layers and falls back when it declines', () => {
    const seen: string[] = [];
    const model = buildTfModel(withIds([embedding(), { kind: 'GRU', options: { units: 2, return_sequences: true } }, { kind: 'LSTM', options: { units: 2 } }, sigmoid]), {
      maxlen: 5,
      makeRecurrent(spec, inputShape) {
        seen.push(`${spec.name} ${JSON.stringify(inputShape)} ${JSON.stringify(spec.options.reset_after)}`);
        return spec.kind === 'LSTM' ? tf.layers.lstm({ units: 2, name: 'replacement' }) : undefined;
      },
    });
    built.push(model);
    expect(seen).toEqual(['gru [null,5,4] true', 'lstm [null,5,2] undefined']);
    expect(model.layers.map((layer) => layer.name)).toEqual(['embedding', 'gru', 'replacement', 'dense']);
  });

  it('refuses an invalid stack with the validation messages', () => {
    expect(() => buildTfModel(withIds([embedding(), { kind: 'LSTM', options: {} }, { kind: 'LSTM', options: {} }, sigmoid]))).toThrow(
      'lstm_1: LSTM needs a sequence: turn on return_sequences on lstm above',
    );
  });
});

// Random stacks: a layer menu with small sizes, kept when the spec calls them valid.
const recurrentArb = fc.record({
  kind: fc.constantFrom('SimpleRNN', 'LSTM', 'GRU'),
  options: fc.record({ units: fc.integer({ min: 1, max: 4 }), return_sequences: fc.boolean(), use_bias: fc.boolean(), go_backwards: fc.boolean() }),
});
const gruArb = fc.record({
  kind: fc.constant('GRU'),
  options: fc.record({ units: fc.integer({ min: 1, max: 4 }), reset_after: fc.boolean(), return_sequences: fc.boolean() }),
});
const layerArb: fc.Arbitrary<Omit<LayerSpec, 'id'>> = fc.oneof(
  recurrentArb,
  gruArb,
  fc.record({ kind: fc.constant('Bidirectional'), options: fc.record({ layer: recurrentArb, merge_mode: fc.constantFrom('concat', 'sum', 'mul', 'ave') }) }),
  fc.record({ kind: fc.constant('Dense'), options: fc.record({ units: fc.integer({ min: 1, max: 5 }), use_bias: fc.boolean() }) }),
  fc.record({ kind: fc.constant('Dropout'), options: fc.record({ rate: fc.constantFrom(0, 0.3) }) }),
  fc.record({ kind: fc.constant('SpatialDropout1D'), options: fc.record({ rate: fc.constantFrom(0, 0.3) }) }),
  fc.record({
    kind: fc.constant('Conv1D'),
    options: fc.record({
      filters: fc.integer({ min: 1, max: 4 }),
      kernel_size: fc.integer({ min: 1, max: 4 }),
      strides: fc.integer({ min: 1, max: 2 }),
      padding: fc.constantFrom('valid', 'same'),
      dilation_rate: fc.integer({ min: 1, max: 2 }),
      use_bias: fc.boolean(),
    }),
  }),
  fc.record({
    kind: fc.constant('MaxPooling1D'),
    options: fc.record({ pool_size: fc.integer({ min: 1, max: 3 }), strides: fc.constantFrom(null, 1, 2), padding: fc.constantFrom('valid', 'same') }),
  }),
  fc.record({ kind: fc.constantFrom('GlobalMaxPooling1D', 'GlobalAveragePooling1D', 'Flatten'), options: fc.constant({}) }),
);
const caseArb = fc.record({
  maxlen: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
  embedding: fc.record({ input_dim: fc.integer({ min: 2, max: 40 }), output_dim: fc.integer({ min: 1, max: 5 }), mask_zero: fc.boolean() }),
  body: fc.array(layerArb, { maxLength: 5 }),
  // Most random bodies end in a sequence; a pooling or recurrent finish makes more of them valid.
  finish: fc.constantFrom<Omit<LayerSpec, 'id'>[]>([], [{ kind: 'GlobalMaxPooling1D', options: {} }], [{ kind: 'LSTM', options: { units: 2 } }]),
});

describe('spec against tfjs on random stacks', () => {
  it('agrees on parameter counts and output shapes, and the model runs', () => {
    const valid = caseArb
      .map(({ maxlen, embedding: e, body, finish }) => ({ maxlen, stack: withIds([{ kind: 'Embedding', options: e }, ...body, ...finish, sigmoid]) }))
      .filter(({ maxlen, stack }) => summarize(stack, { maxlen }).valid);
    fc.assert(
      fc.property(valid, ({ maxlen, stack }) => {
        expectSameAsSpec(stack, maxlen);
        const model = built[built.length - 1]!;
        const steps = maxlen ?? 6;
        tf.tidy(() => {
          const ids = tf.randomUniform([2, steps], 0, 2, 'int32');
          const y = model.predict(ids) as tf.Tensor;
          expect(y.shape).toEqual([2, 1]);
        });
        model.dispose();
        built.pop();
      }),
      { numRuns: 60, seed: 20261128 },
    );
  });
});
