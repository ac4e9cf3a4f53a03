/**
 * Fine-tuning: a new run whose weights start from another run's (one trained here or a model opened
 * from a Keras file), on the data open now. What can be fine-tuned is decided here, before any run is
 * stored: the stack must end in IMDb's binary head, its Embedding must cover the data's vocabulary, and
 * the data's word ids must mean the words the model learnt them as.
 */
import type { TokenizerSpec } from '../../src-shared/data';
import { WorkbenchError } from '../../src-shared/errors';
import type { LayerSpec } from '../../src-shared/model/types';
import type { Project } from '../../src-shared/project';
import type { RunRecord } from '../../src-shared/training';
import type { RunTokenizer } from '../runs/run-store';

/**
 * The layers of `source` as the stack to fine-tune on reviews of `maxlen` ids, or a one-line refusal
 * when they cannot train on binary IMDb labels or `maxFeatures` ids. An input length the model fixed
 * (a Keras file's input shape) gives way to the data's when no weight depends on it (no Flatten).
 */
export function fineTuneLayers(source: RunRecord, { maxFeatures, maxlen }: { maxFeatures: number; maxlen: number }): LayerSpec[] {
  const layers = (source.project as Project).layers;
  const what = `${source.name} cannot be fine-tuned on the open data`;
  if (source.imported === undefined && source.epochsDone === 0) {
    throw new WorkbenchError('conflict', `${what}: expected a run with trained weights. Received: run ${source.id} finished no epoch`);
  }
  const last = layers[layers.length - 1];
  const units = last?.options['units'];
  const activation = last?.options['activation'] ?? 'linear';
  if (last?.kind !== 'Dense' || units !== 1 || activation !== 'sigmoid') {
    const head = last?.kind === 'Dense' ? `Dense(${String(units)}, ${String(activation)})` : (last?.kind ?? 'no layer');
    const why = typeof units === 'number' && units > 1 ? `, and a ${units}-class ${String(activation)} head cannot be trained on binary IMDb labels` : '';
    throw new WorkbenchError('bad_input', `${what}: expected a model ending in Dense(1, sigmoid), one probability of positive${why}. Received: ${head}`);
  }
  const embedding = layers[0];
  const inputDim = embedding?.kind === 'Embedding' ? embedding.options['input_dim'] : undefined;
  if (typeof inputDim === 'number' && inputDim < maxFeatures) {
    throw new WorkbenchError(
      'bad_input',
      `${what}: its Embedding has ${inputDim} rows, so max features must be at most ${inputDim} or word ids from ${inputDim} on have no vector. Received: max features ${maxFeatures}`,
    );
  }
  const fixed = embedding?.options['input_length'];
  if (typeof fixed === 'number' && fixed !== maxlen && !layers.some((layer) => layer.kind === 'Flatten')) {
    return [{ ...embedding!, options: { ...embedding!.options, input_length: null } }, ...layers.slice(1)];
  }
  return layers;
}

/** The tokenizer settings besides the words that decide a text's ids. */
const CONVENTIONS = ['scheme', 'lower', 'filters', 'split', 'stripHtmlBreaks', 'startChar', 'oovChar', 'indexFrom', 'skipTop'] as const;

/**
 * Refuses data whose word ids would mean other words than the model learnt: the model's tokenizer must
 * be known (attached when a Keras file was opened) and give every id the data uses to the same word.
 * A model with a larger vocabulary than the data's is fine: the data uses a prefix of its ids.
 */
export function requireSameVocabulary(source: RunRecord, model: RunTokenizer, data: TokenizerSpec, dataPath: string): void {
  const what = `${source.name} cannot be fine-tuned on ${dataPath}`;
  if (model.words === null) {
    const attach = source.imported === undefined ? 'a run whose tokenizer knows its words' : 'its word index (imdb_word_index.json or a Tokenizer.to_json() file) attached when opening it';
    throw new WorkbenchError('bad_input', `${what}: which word each of its ids stands for is unknown, so expected ${attach}. Received: no tokenizer`);
  }
  if (data.words === null) {
    throw new WorkbenchError('bad_input', `${what}: expected data whose words are known (a Keras npz needs its imdb_word_index.json). Received: an npz without its word index`);
  }
  const expected = "expected data that builds the model's vocabulary, so its word ids mean the words the model learnt";
  const setting = CONVENTIONS.find((key) => model[key] !== data[key]);
  if (setting !== undefined) {
    throw new WorkbenchError('bad_input', `${what}: ${expected}. Received: tokenizer ${setting} ${JSON.stringify(data[setting])} in the data, ${JSON.stringify(model[setting])} in the model`);
  }
  if (data.words.length > model.words.length) {
    throw new WorkbenchError('bad_input', `${what}: ${expected}. Received: ${data.words.length} words in the data, ${model.words.length} in the model`);
  }
  const rank = data.words.findIndex((word, i) => word !== model.words![i]);
  if (rank !== -1) {
    throw new WorkbenchError('bad_input', `${what}: ${expected}. Received: the word of rank ${rank + 1} is "${data.words[rank]}" in the data, "${model.words[rank]}" in the model`);
  }
}
