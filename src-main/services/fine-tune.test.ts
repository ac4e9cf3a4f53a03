import { describe, expect, it } from 'vitest';
import { createProject } from '../../src-shared/project';
import type { RunRecord } from '../../src-shared/training';
import type { LayerSpec } from '../../src-shared/model/types';
import { sampleTokenizer } from '../export/test-fixtures';
import { fineTuneLayers, requireSameVocabulary } from './fine-tune';

/** A stored run of `layers` as an import leaves it: no epochs, weights from the file. */
function importedRun(layers: LayerSpec[]): RunRecord {
  const project = createProject(layers);
  return {
    version: 1,
    id: '20261202-210000-abcdef',
    name: 'model.h5',
    status: 'done',
    createdAt: '',
    updatedAt: '',
    epochs: 0,
    epochsDone: 0,
    project,
    training: project.training,
    dataset: { path: '', fingerprint: '', options: project.data.options, trainCount: 0, validationCount: 0, testCount: 0 },
    history: [],
    warnings: [],
    imported: { file: '/models/model.h5', layout: 'keras2-h5', kerasVersion: '2.4.0', paths: [], notes: [], hasTokenizer: true },
  };
}

function stack(inputDim: number, head: Record<string, unknown>): LayerSpec[] {
  return [
    { id: 'e', kind: 'Embedding', options: { input_dim: inputDim, output_dim: 8 } },
    { id: 'l', kind: 'LSTM', options: { units: 4 } },
    { id: 'd', kind: 'Dense', options: head },
  ];
}

describe('fineTuneLayers', () => {
  it("gives the run's own stack when it ends in Dense(1, sigmoid) and its Embedding covers the vocabulary", () => {
    const layers = stack(10_000, { units: 1, activation: 'sigmoid' });
    expect(fineTuneLayers(importedRun(layers), { maxFeatures: 10_000, maxlen: 50 })).toEqual(layers);
    expect(fineTuneLayers(importedRun(layers), { maxFeatures: 5_000, maxlen: 50 })).toEqual(layers);
  });

  it('lets the data set the input length unless a Flatten depends on it', () => {
    const fixed: LayerSpec[] = [{ id: 'e', kind: 'Embedding', options: { input_dim: 100, output_dim: 8, input_length: 500 } }, ...stack(100, { units: 1, activation: 'sigmoid' }).slice(1)];
    expect(fineTuneLayers(importedRun(fixed), { maxFeatures: 100, maxlen: 40 })[0]!.options['input_length']).toBeNull();
    const flat: LayerSpec[] = [fixed[0]!, { id: 'f', kind: 'Flatten', options: {} }, fixed[2]!];
    expect(fineTuneLayers(importedRun(flat), { maxFeatures: 100, maxlen: 40 })[0]!.options['input_length']).toBe(500);
  });

  it('refuses a head that is not one sigmoid probability, saying why', () => {
    expect(() => fineTuneLayers(importedRun(stack(10_000, { units: 6, activation: 'softmax' })), { maxFeatures: 10_000, maxlen: 50 })).toThrow(
      'model.h5 cannot be fine-tuned on the open data: expected a model ending in Dense(1, sigmoid), one probability of positive, and a 6-class softmax head cannot be trained on binary IMDb labels. Received: Dense(6, softmax)',
    );
    expect(() => fineTuneLayers(importedRun(stack(10_000, { units: 1, activation: 'linear' })), { maxFeatures: 10_000, maxlen: 50 })).toThrow(
      'model.h5 cannot be fine-tuned on the open data: expected a model ending in Dense(1, sigmoid), one probability of positive. Received: Dense(1, linear)',
    );
  });

  it("refuses an Embedding with fewer rows than the data's vocabulary", () => {
    expect(() => fineTuneLayers(importedRun(stack(5_000, { units: 1, activation: 'sigmoid' })), { maxFeatures: 10_000, maxlen: 50 })).toThrow(
      'model.h5 cannot be fine-tuned on the open data: its Embedding has 5000 rows, so max features must be at most 5000 or word ids from 5000 on have no vector. Received: max features 10000',
    );
  });

  it('refuses a run trained here that finished no epoch', () => {
    const run = { ...importedRun(stack(100, { units: 1, activation: 'sigmoid' })), imported: undefined, name: 'LSTM(4)' };
    expect(() => fineTuneLayers(run, { maxFeatures: 100, maxlen: 50 })).toThrow('LSTM(4) cannot be fine-tuned on the open data: expected a run with trained weights. Received: run 20261202-210000-abcdef finished no epoch');
  });
});

describe('requireSameVocabulary', () => {
  const run = importedRun(stack(100, { units: 1, activation: 'sigmoid' }));
  const model = sampleTokenizer(100, 50);

  it('accepts data that builds the same vocabulary, or a prefix of it', () => {
    expect(() => requireSameVocabulary(run, model, model, '/data/a.tar.gz')).not.toThrow();
    expect(() => requireSameVocabulary(run, model, { ...model, numWords: 10, words: model.words!.slice(0, 9) }, '/data/a.tar.gz')).not.toThrow();
  });

  it('refuses a model without a tokenizer, data without words, and a vocabulary that differs', () => {
    expect(() => requireSameVocabulary(run, { ...model, words: null }, model, '/data/a.tar.gz')).toThrow(
      'model.h5 cannot be fine-tuned on /data/a.tar.gz: which word each of its ids stands for is unknown, so expected its word index (imdb_word_index.json or a Tokenizer.to_json() file) attached when opening it. Received: no tokenizer',
    );
    expect(() => requireSameVocabulary(run, model, { ...model, words: null }, '/data/imdb.npz')).toThrow(
      'model.h5 cannot be fine-tuned on /data/imdb.npz: expected data whose words are known (a Keras npz needs its imdb_word_index.json). Received: an npz without its word index',
    );
    const swapped = [model.words![1]!, model.words![0]!, ...model.words!.slice(2)];
    expect(() => requireSameVocabulary(run, model, { ...model, words: swapped }, '/data/a.tar.gz')).toThrow(
      `model.h5 cannot be fine-tuned on /data/a.tar.gz: expected data that builds the model's vocabulary, so its word ids mean the words the model learnt. Received: the word of rank 1 is "${swapped[0]}" in the data, "${model.words![0]}" in the model`,
    );
    expect(() => requireSameVocabulary(run, model, { ...model, scheme: 'keras-imdb', startChar: 1, oovChar: 2, indexFrom: 3 }, '/data/imdb.npz')).toThrow(
      `model.h5 cannot be fine-tuned on /data/imdb.npz: expected data that builds the model's vocabulary, so its word ids mean the words the model learnt. Received: tokenizer scheme "keras-imdb" in the data, "keras-tokenizer" in the model`,
    );
    expect(() => requireSameVocabulary(run, { ...model, words: model.words!.slice(0, 3) }, model, '/data/a.tar.gz')).toThrow(`Received: ${model.words!.length} words in the data, 3 in the model`);
  });
});
