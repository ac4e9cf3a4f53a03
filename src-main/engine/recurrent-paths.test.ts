import { beforeAll, describe, expect, it } from 'vitest';
import { recurrentPaths } from '../../src-shared/model/recurrent-path';
import type { LayerSpec } from '../../src-shared/model/types';
import { initBackend } from './backend';
import { FusedBidirectional, FusedRecurrent, fusedStatus, makeFusedRecurrent } from './fused';
import { SAVED_MODEL_REASON, engineInfoOf, modelRecurrentPaths } from './recurrent-paths';
import { buildTfModel } from './tfjs-model';

const maxlen = 12;
const embedding = (options: Record<string, unknown> = {}): LayerSpec => ({ id: 'e', kind: 'Embedding', options: { input_dim: 50, output_dim: 4, ...options } });
const head: LayerSpec = { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };

// One stack per reason the shared rule knows in the catalog's options, and the fused cases beside them.
const stacks: Record<string, LayerSpec[]> = {
  'LSTM, then a hard_sigmoid GRU': [
    embedding(),
    { id: 'a', kind: 'LSTM', options: { units: 3, return_sequences: true } },
    { id: 'b', kind: 'GRU', options: { units: 3, recurrent_activation: 'hard_sigmoid' } },
    head,
  ],
  'a relu SimpleRNN': [embedding(), { id: 'a', kind: 'SimpleRNN', options: { units: 3, activation: 'relu' } }, head],
  'GRU reset_after=false under mask_zero': [embedding({ mask_zero: true }), { id: 'a', kind: 'GRU', options: { units: 3, reset_after: false } }, head],
  'Bidirectional(LSTM) sum': [embedding(), { id: 'a', kind: 'Bidirectional', options: { layer: { kind: 'LSTM', options: { units: 3 } }, merge_mode: 'sum' } }, head],
};

beforeAll(async () => {
  await initBackend();
});

describe('modelRecurrentPaths', () => {
  it.each(Object.keys(stacks))('reports what the builder built for %s, as the shared rule says', (name) => {
    const layers = stacks[name]!;
    const model = buildTfModel(layers, { maxlen, makeRecurrent: makeFusedRecurrent });
    try {
      const kernels = fusedStatus();
      const paths = modelRecurrentPaths(model, { layers, maxlen }, kernels);
      expect(paths).toEqual(recurrentPaths(layers, { maxlen }, kernels));
      const built = model.layers.filter((layer) => paths.some((path) => path.layer === layer.name));
      expect(built.map((layer) => layer instanceof FusedRecurrent || layer instanceof FusedBidirectional)).toEqual(paths.map((path) => path.path === 'fused'));
    } finally {
      model.dispose();
    }
  });

  it.skipIf(!fusedStatus().available)('runs the catalog-covered stacks on the fused kernels when they built here', () => {
    const model = buildTfModel(stacks['LSTM, then a hard_sigmoid GRU']!, { maxlen, makeRecurrent: makeFusedRecurrent });
    expect(modelRecurrentPaths(model, { layers: stacks['LSTM, then a hard_sigmoid GRU']!, maxlen }, fusedStatus())).toEqual([
      { layer: 'lstm', kind: 'LSTM', path: 'fused' },
      { layer: 'gru', kind: 'GRU', path: 'tfjs-layers', reason: 'hard_sigmoid recurrent activation' },
    ]);
    model.dispose();
  });

  it('says a model opened from its model.json, without a stack, runs on tfjs-layers as saved', () => {
    const model = buildTfModel(stacks['Bidirectional(LSTM) sum']!, { maxlen });
    expect(modelRecurrentPaths(model, undefined, fusedStatus())).toEqual([{ layer: 'bidirectional', kind: 'Bidirectional(LSTM)', path: 'tfjs-layers', reason: SAVED_MODEL_REASON }]);
    model.dispose();
  });
});

describe('engineInfoOf', () => {
  it('claims no recurrent path for the probe, which builds no model: it names the kernels only', () => {
    const kernels = { available: true, simd: 'avx2+fma', threads: 2 };
    expect(engineInfoOf('cpu', kernels)).toEqual({ backend: 'cpu', recurrent: 'fused kernels ready (avx2+fma, 2 threads)', kernels, layers: [] });
  });

  it('describes the model that ran, layer by layer', () => {
    const layers = stacks['a relu SimpleRNN']!;
    const model = buildTfModel(layers, { maxlen, makeRecurrent: makeFusedRecurrent });
    const kernels = { available: true, simd: 'avx2+fma', threads: 2 };
    expect(engineInfoOf('cpu', kernels, model, { layers, maxlen })).toEqual({
      backend: 'cpu',
      recurrent: 'simple_rnn tfjs-layers (relu activation)',
      kernels,
      layers: [{ layer: 'simple_rnn', kind: 'SimpleRNN', path: 'tfjs-layers', reason: 'relu activation' }],
    });
    model.dispose();
  });
});
