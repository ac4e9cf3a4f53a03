/**
 * `tokenizer.json` of an export: the same file a run folder keeps (the dataset's `TokenizerSpec` plus
 * `maxlen`, `padding`, `truncating`), so the app reads both alike, and a TensorFlow.js or Python user
 * applies it as the export's README describes. Reading it back checks every field, naming the file.
 */
import type { TokenizerSpec } from '../../src-shared/data';
import { WorkbenchError } from '../../src-shared/errors';
import { MAX_MAXLEN, MAX_VOCABULARY } from '../../src-shared/limits';
import type { RunTokenizer } from '../runs/run-store';

/** The run's tokenizer with `maxlen`, refusing one that cannot encode new text. */
export function toTokenizerFile(spec: TokenizerSpec, maxlen: number): RunTokenizer {
  if (spec.words === null) {
    throw new WorkbenchError(
      'bad_input',
      'An export must be able to encode new text, so its dataset needs a word index (imdb_word_index.json beside the npz). Received: a tokenizer without words',
    );
  }
  return { ...spec, maxlen, padding: 'pre', truncating: 'pre' };
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/**
 * Parses and checks an export's (or run's) `tokenizer.json`.
 *
 * Args:
 *   text: the file's contents.
 *   file: the path, for messages.
 */
export function parseTokenizerFile(text: string, file: string): RunTokenizer {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new WorkbenchError('bad_input', `${file}: expected the JSON tokenizer of an RNN Workbench model. Received: invalid JSON (${(error as Error).message})`);
  }
  const fail = (expected: string, received: unknown): never => {
    throw new WorkbenchError('bad_input', `${file}: expected ${expected}. Received: ${show(received)}`);
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('a tokenizer object', value);
  const t = value as Record<string, unknown>;
  if (t['version'] !== 1) fail('"version": 1 (a tokenizer written by RNN Workbench)', t['version'] ?? null);
  const scheme = t['scheme'];
  if (scheme !== 'keras-tokenizer' && scheme !== 'keras-imdb') return fail('"scheme" to be "keras-tokenizer" or "keras-imdb"', scheme ?? null);
  const bool = (key: string): boolean => (typeof t[key] === 'boolean' ? (t[key] as boolean) : fail(`"${key}" to be true or false`, t[key] ?? null));
  const str = (key: string): string => (typeof t[key] === 'string' ? (t[key] as string) : fail(`"${key}" to be a string`, t[key] ?? null));
  const int = (key: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const v = t[key];
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max.toLocaleString('en-US')}`;
    return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fail(`"${key}" to be an integer ${range}`, v ?? null);
  };
  const intOrNull = (key: string): number | null => (t[key] === null ? null : int(key, 0));
  const split = str('split');
  if (split.length !== 1) fail('"split" to be one character', split);
  if (t['padding'] !== 'pre' || t['truncating'] !== 'pre') fail('"padding" and "truncating" to be "pre"', [t['padding'], t['truncating']]);
  // Null for an npz opened without its word index: such a run evaluates but cannot encode text.
  const words = t['words'];
  if (words !== null && (!Array.isArray(words) || !words.every((w) => typeof w === 'string'))) {
    return fail('"words" to be the vocabulary, a list of strings by rank, or null', words ?? null);
  }
  return {
    version: 1,
    scheme,
    lower: bool('lower'),
    filters: str('filters'),
    split,
    stripHtmlBreaks: bool('stripHtmlBreaks'),
    // The same bounds as the dataset options: a maxlen of 10⁹ would allocate 4 GB for one review.
    numWords: int('numWords', 1, MAX_VOCABULARY),
    startChar: intOrNull('startChar'),
    oovChar: intOrNull('oovChar'),
    indexFrom: int('indexFrom', 0),
    skipTop: int('skipTop', 0),
    words: words as string[] | null,
    shuffleSeed: int('shuffleSeed', 0),
    maxlen: int('maxlen', 1, MAX_MAXLEN),
    padding: 'pre',
    truncating: 'pre',
  };
}
