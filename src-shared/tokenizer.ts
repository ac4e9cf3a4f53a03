/**
 * The tokenizer's plain-JSON description and Keras' constants. Kept free of zod so the data worker, which
 * needs these values, does not load a schema library it never uses.
 */

/** The seed of the one load-time shuffle of each split; Keras' `imdb.load_data` uses the same default. */
export const DATASET_SHUFFLE_SEED = 113;

/** Keras' `Tokenizer` default `filters`: every one of these characters becomes a separator. */
export const KERAS_DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

/**
 * Everything needed to turn new raw text into the ids a model was trained on. Plain JSON: it travels
 * to the UI and into exported models.
 *
 * Two schemes:
 * - `keras-tokenizer` (aclImdb archive, folder, CSV): Keras `Tokenizer(num_words)` fitted on the training
 *   split; a word's id is its frequency rank (1 = most frequent); ids `>= numWords` and unknown words
 *   are dropped (no `oov_token`), as `texts_to_sequences` does.
 * - `keras-imdb` (Keras `imdb.npz`): `imdb.load_data` ids, i.e. `[startChar] + (rank + indexFrom)`, with
 *   ids outside `[skipTop, numWords)` and unknown words replaced by `oovChar`.
 */
export interface TokenizerSpec {
  version: 1;
  scheme: 'keras-tokenizer' | 'keras-imdb';
  /** Lowercase before splitting (Keras `lower=True`). */
  lower: boolean;
  /** Characters replaced by the separator before splitting (Keras `filters`). */
  filters: string;
  /** The separator (Keras `split`, a single space). */
  split: string;
  /** `<br />` is replaced by a space before anything else: the aclImdb reviews carry HTML line breaks. */
  stripHtmlBreaks: boolean;
  /** Keras `num_words`: ids below it are kept; also the Embedding's `input_dim`. */
  numWords: number;
  /** `keras-imdb` only: the id that starts every sequence (Keras `start_char`, 1), else null. */
  startChar: number | null;
  /** `keras-imdb` only: the id of out-of-vocabulary words (Keras `oov_char`, 2), else null (dropped). */
  oovChar: number | null;
  /** Added to a word's rank to make its id (Keras `index_from`: 3 for npz, 0 for the tokenizer). */
  indexFrom: number;
  /** `keras-imdb` only: ranks below this become `oovChar` (Keras `skip_top`). */
  skipTop: number;
  /**
   * The vocabulary by rank: `words[r - 1]` is the word of rank `r`, cut to the ranks whose ids are kept.
   * Null for an npz opened without its word index: such a dataset trains but cannot encode new text.
   */
  words: string[] | null;
  /** The seed of the load-time shuffle, recorded so a run can be reproduced. */
  shuffleSeed: number;
}
