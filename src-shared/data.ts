import { z } from 'zod';

/** The forms of IMDb data the app opens, recognised by content. */
export type DatasetFormat = 'aclImdb-tar' | 'aclImdb-folder' | 'keras-npz' | 'csv';

/** How a dataset is turned into padded id sequences, Keras-style. */
export const datasetOptionsSchema = z.object({
  /** Keep the `maxFeatures` most frequent words (Keras `num_words`). Default 10000. */
  maxFeatures: z.number().int().positive().default(10000),
  /** Pad or truncate every review to `maxlen` ids, `pre` as `pad_sequences` does. Default 500. */
  maxlen: z.number().int().positive().default(500),
  /** CSV only: the columns to read and the test share when the file has no split. */
  csv: z
    .object({
      textColumn: z.string().optional(),
      labelColumn: z.string().optional(),
      testSplit: z.number().gt(0).lt(1).optional(),
    })
    .optional(),
});
export type DatasetOptions = z.infer<typeof datasetOptionsSchema>;

export interface SplitCounts {
  count: number;
  pos: number;
  neg: number;
}

export interface DatasetPreview {
  path: string;
  format: DatasetFormat;
  /** Content fingerprint of the source plus options: the cache key and the run's data identity. */
  fingerprint: string;
  options: DatasetOptions;
  train: SplitCounts;
  test: SplitCounts;
  vocabSize: number;
  /** Share of training tokens that fall outside the `maxFeatures` vocabulary. */
  oovRate: number;
  lengths: { median: number; p90: number; max: number; histogram: { from: number; to: number; count: number }[] };
  topWords: { word: string; count: number }[];
  samples: { label: 0 | 1; text: string }[];
  seconds: number;
  cached: boolean;
}

/** Progress of a long data job, for a progress bar. */
export interface DataProgress {
  phase: 'reading' | 'tokenizing' | 'caching' | 'done';
  files: number;
  bytes: number;
  totalBytes?: number;
}
