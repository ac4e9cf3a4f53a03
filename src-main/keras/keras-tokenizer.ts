/**
 * A tokenizer for an imported Keras model, from the files Keras users have: the IMDb word index
 * (`imdb_word_index.json`, with `imdb.load_data`'s conventions) or a `Tokenizer.to_json()` file.
 */
import { open } from 'node:fs/promises';
import { KERAS_DEFAULT_FILTERS, type TokenizerSpec } from '../../src-shared/data';
import { WorkbenchError } from '../../src-shared/errors';

/** The most a tokenizer file may hold: IMDb's word index is 1.6 MB. */
const TOKENIZER_MAX_BYTES = 256 << 20;

function fail(file: string, expected: string, received: string): never {
  throw new WorkbenchError('bad_input', `${file}: expected ${expected}. Received: ${received}`);
}

/** Words by rank from a `{word: index}` map: `words[i - 1]` has index `i`; gaps are filled with '' (never matched). */
function wordsByIndex(file: string, index: Record<string, unknown>, below: number): string[] {
  const words: string[] = [];
  for (const [word, id] of Object.entries(index)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) return fail(file, 'a word index mapping each word to a positive integer', `${JSON.stringify(word)}: ${JSON.stringify(id)}`);
    if (id < below) words[id - 1] = word;
  }
  return Array.from(words, (word) => word ?? '');
}

/**
 * Parses a tokenizer file for a model whose Embedding has `inputDim` rows.
 *
 * - `imdb_word_index.json` (`{word: rank}`): ids as `imdb.load_data(num_words=inputDim)` gives them:
 *   start 1, out-of-vocabulary 2, `index_from=3`.
 * - `Tokenizer.to_json()`: `texts_to_sequences` with its `num_words`, `filters`, `lower`, `split` and `oov_token`.
 * - the app's own `tokenizer.json` (`{version: 1, scheme, …}`), read by `ownFormat` when given.
 */
export function parseKerasTokenizer(text: string, file: string, inputDim: number, ownFormat?: (text: string, file: string) => TokenizerSpec): TokenizerSpec {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(file, "Keras' imdb_word_index.json or a Tokenizer.to_json() file", `invalid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(file, 'a JSON object', JSON.stringify(value)?.slice(0, 60) ?? String(value));
  const json = value as Record<string, unknown>;
  // The app's own tokenizer.json (a run's or an export's), e.g. beside a model.h5 a job wrote.
  if (ownFormat !== undefined && typeof json['scheme'] === 'string' && json['version'] === 1) return ownFormat(text, file);
  const base = { version: 1 as const, stripHtmlBreaks: true, skipTop: 0, shuffleSeed: 113 };
  if (json['class_name'] === 'Tokenizer') {
    const config = json['config'] as Record<string, unknown> | undefined;
    if (config === undefined || typeof config !== 'object') return fail(file, 'a Tokenizer.to_json() file with a config', 'no config');
    if (config['char_level'] === true) return fail(file, 'a word-level Tokenizer', 'char_level true');
    let index = config['word_index'];
    // Tokenizer.to_json() stores word_index as a JSON string inside the JSON.
    if (typeof index === 'string') index = JSON.parse(index);
    if (index === null || typeof index !== 'object') return fail(file, 'a Tokenizer with a word_index', JSON.stringify(index)?.slice(0, 60) ?? 'none');
    const numWords = typeof config['num_words'] === 'number' ? Math.min(config['num_words'], inputDim) : inputDim;
    const words = wordsByIndex(file, index as Record<string, unknown>, numWords);
    const oov = typeof config['oov_token'] === 'string' ? (index as Record<string, number>)[config['oov_token']] : undefined;
    const common = {
      ...base,
      lower: config['lower'] !== false,
      filters: typeof config['filters'] === 'string' ? config['filters'] : KERAS_DEFAULT_FILTERS,
      split: typeof config['split'] === 'string' ? config['split'] : ' ',
      numWords,
      words,
      indexFrom: 0,
    };
    // An oov_token takes the place of unknown and cut words, as imdb's oov_char does (without a start id).
    return oov === undefined
      ? { ...common, scheme: 'keras-tokenizer', startChar: null, oovChar: null }
      : { ...common, scheme: 'keras-imdb', startChar: null, oovChar: oov };
  }
  // imdb_word_index.json: ranks by frequency; load_data shifts them by index_from=3 and cuts at num_words.
  const words = wordsByIndex(file, json, Math.max(0, inputDim - 3));
  if (words.length === 0) return fail(file, "Keras' imdb_word_index.json ({word: rank}) or a Tokenizer.to_json() file", 'an object without word ranks');
  return { ...base, scheme: 'keras-imdb', lower: true, filters: KERAS_DEFAULT_FILTERS, split: ' ', numWords: inputDim, startChar: 1, oovChar: 2, indexFrom: 3, words };
}

/** Reads and parses a tokenizer file (bounded size); `ownFormat` reads the app's own tokenizer.json. */
export async function readKerasTokenizer(file: string, inputDim: number, ownFormat?: (text: string, file: string) => TokenizerSpec): Promise<TokenizerSpec> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new WorkbenchError(error.code === 'ENOENT' ? 'not_found' : 'bad_input', `${file}: expected a tokenizer file. Received: ${error.code ?? error.message}`);
  });
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > TOKENIZER_MAX_BYTES) return fail(file, `a tokenizer file of at most ${TOKENIZER_MAX_BYTES} bytes`, info.isFile() ? `${info.size} bytes` : 'not a regular file');
    return parseKerasTokenizer(await handle.readFile('utf8'), file, inputDim, ownFormat);
  } finally {
    await handle.close();
  }
}
