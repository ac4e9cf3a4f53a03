import { z } from 'zod';
import { WorkbenchError } from './errors';
import { MAX_MAXLEN, MAX_VOCABULARY } from './limits';
import { positiveInt } from './model/options';
import { issueMessage } from './validation';

/** The forms of IMDb data the app opens, recognised by content. */
export type DatasetFormat = 'aclImdb-tar' | 'aclImdb-folder' | 'keras-npz' | 'csv';

const testSplitPhrase = 'a number between 0 and 1 (exclusive)';

function nonEmptyText(error: string) {
  return z.string({ error }).min(1, { error });
}

/** How a dataset is turned into padded id sequences, Keras-style. */
export const datasetOptionsSchema = z
  .object({
    /** Keep the `maxFeatures` most frequent words (Keras `num_words`: ids below it are kept). Default 10000. */
    maxFeatures: positiveInt(MAX_VOCABULARY).default(10000),
    /** Pad or truncate every review to `maxlen` ids, `pre` as `pad_sequences` does. Default 500. */
    maxlen: positiveInt(MAX_MAXLEN).default(500),
    /** Keras npz only: the `imdb_word_index.json` that maps words to ids; default: the one beside the npz, if any. */
    wordIndexPath: nonEmptyText('a path to a word index file').optional(),
    /** CSV only: the columns to read and the test share when the file has no split column. */
    csv: z
      .object({
        textColumn: z.string({ error: 'a column name' }).optional(),
        labelColumn: z.string({ error: 'a column name' }).optional(),
        /** Share of rows held out as the test split when the file has no `split` column. Default 0.5. */
        testSplit: z
          .number({ error: testSplitPhrase })
          .gt(0, { error: testSplitPhrase })
          .lt(1, { error: testSplitPhrase })
          .optional(),
      }, { error: 'CSV options {textColumn, labelColumn, testSplit}' })
      .optional(),
  }, { error: 'data options {maxFeatures, maxlen, wordIndexPath, csv}' });
export type DatasetOptions = z.infer<typeof datasetOptionsSchema>;

/**
 * Checks data options before any work starts, in the house style with the bounds of `limits.ts`:
 * `maxlen must be a positive integer of at most 20,000. Received: 300000`. Returns them with defaults.
 */
export function parseDatasetOptions(input: unknown): DatasetOptions {
  const result = datasetOptionsSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new WorkbenchError('invalid_request', issueMessage(result.error.issues[0]!, input, 'data').message);
}

export interface SplitCounts {
  count: number;
  pos: number;
  neg: number;
}

export { DATASET_SHUFFLE_SEED, KERAS_DEFAULT_FILTERS, type TokenizerSpec } from './tokenizer';

/** The columns of a CSV and the ones read, so the UI can offer the others. */
export interface CsvColumns {
  names: string[];
  text: string;
  label: string;
  /** The column that says train/test, or null when a seeded `testSplit` share was held out. */
  split: string | null;
}

export interface DatasetPreview {
  path: string;
  format: DatasetFormat;
  /** Content fingerprint of the source plus options: the cache key and the run's data identity. */
  fingerprint: string;
  options: DatasetOptions;
  train: SplitCounts;
  test: SplitCounts;
  /** Distinct words in the training split (before the `maxFeatures` cut). */
  vocabSize: number;
  /** Share of training tokens that fall outside the `maxFeatures` vocabulary. */
  oovRate: number;
  /** Training review lengths in tokens within the vocabulary, i.e. what `pad_sequences` sees. */
  lengths: { median: number; p90: number; max: number; histogram: { from: number; to: number; count: number }[] };
  topWords: { word: string; count: number }[];
  samples: { label: 0 | 1; text: string }[];
  /** CSV only: its columns and the ones chosen (guessed or given). */
  csvColumns?: CsvColumns;
  seconds: number;
  cached: boolean;
}

/** Progress of a long data job, for a progress bar. */
export interface DataProgress {
  phase: 'fingerprinting' | 'reading' | 'tokenizing' | 'caching' | 'done';
  files: number;
  bytes: number;
  totalBytes?: number;
}
