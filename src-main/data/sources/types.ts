import type { CsvColumns, DataProgress, DatasetFormat } from '../../../src-shared/data';
import { WorkbenchError } from '../../../src-shared/errors';
import type { RaggedInt32, ScannedTexts } from '../keras-text';

/** One labelled review as read from the source: its words, scanned as it arrived, are row `row` of the source's texts. */
export interface RawReview {
  row: number;
  label: 0 | 1;
  /** The star rating from an aclImdb file name (`123_9.txt` → 9); 0 when the source has none. */
  rating: number;
}

/** Sources of raw text (aclImdb archive or folder, CSV), each split in a canonical, content-determined order. */
export interface TextSource {
  kind: 'text';
  format: Exclude<DatasetFormat, 'keras-npz'>;
  /** The reviews' words (the context's `texts`). */
  texts: ScannedTexts;
  train: RawReview[];
  test: RawReview[];
  /** CSV only: the header and the columns used. */
  csvColumns?: CsvColumns;
}

/** A Keras npz: sequences of word ranks (`imdb_word_index.json` values), as stored, before `load_data`'s offsets. */
export interface IdSource {
  kind: 'ids';
  format: 'keras-npz';
  train: { seqs: RaggedInt32; labels: Uint8Array };
  test: { seqs: RaggedInt32; labels: Uint8Array };
  /** Words by rank from the word index, or null when there is none. */
  wordsByRank: string[] | null;
}

export type Source = TextSource | IdSource;

/** Bounds that keep a hostile file from exhausting memory or time. */
export interface ReadLimits {
  /** Bytes a compressed stream may expand to before reading stops. */
  maxExpandedBytes: number;
  /** Entries an archive may hold. */
  maxEntries: number;
  /** Bytes one review (file, CSV record) may have. */
  maxReviewBytes: number;
}

export const defaultLimits: ReadLimits = {
  // The official archive expands to well under 0.5 GB with its bag-of-words files; twice that is no review set.
  maxExpandedBytes: 1024 ** 3,
  maxEntries: 400_000,
  maxReviewBytes: 4 * 1024 ** 2,
};

export interface ReadContext {
  signal?: AbortSignal;
  /** Text sources scan each review into it as soon as it is read, so tokenizing overlaps the reading. */
  texts: ScannedTexts;
  onProgress: (progress: DataProgress) => void;
  limits: ReadLimits;
}

/** A bad-input error that names the file, in the house style (expected …, Received: …). */
export function badFile(file: string, message: string): WorkbenchError {
  return new WorkbenchError('bad_input', `${file}: ${message}`);
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new WorkbenchError('cancelled', 'Opening the dataset was cancelled.');
}

const REVIEW_PATH = /(?:^|\/)(train|test)\/(pos|neg)\/(\d+)_(\d+)\.txt$/;

/** Where an aclImdb review path belongs, or null for anything else (unsup, vocab, feat files). */
export function classifyReviewPath(relPath: string): { split: 'train' | 'test'; label: 0 | 1; id: number; rating: number } | null {
  const m = REVIEW_PATH.exec(relPath);
  if (m === null) return null;
  return { split: m[1] as 'train' | 'test', label: m[2] === 'pos' ? 1 : 0, id: Number(m[3]), rating: Number(m[4]) };
}

export interface KeyedReview extends RawReview {
  id: number;
}

/**
 * Puts aclImdb reviews in the canonical order (neg then pos, by file id, then rating), so the archive, the
 * folder and any listing order give the same word index ties.
 */
export function canonicalOrder(reviews: KeyedReview[]): RawReview[] {
  reviews.sort((a, b) => a.label - b.label || a.id - b.id || a.rating - b.rating);
  return reviews.map(({ row, label, rating }) => ({ row, label, rating }));
}

/** Checks that an aclImdb source has both classes in train, naming what was found otherwise. */
export function requireAclImdb(file: string, what: string, train: KeyedReview[], test: KeyedReview[], seen: number): void {
  const pos = train.filter((r) => r.label === 1).length;
  const neg = train.length - pos;
  if (pos === 0 || neg === 0) {
    throw badFile(
      file,
      `expected an aclImdb ${what} with review files under train/pos and train/neg (like aclImdb/train/pos/123_9.txt). ` +
        `Received: ${seen} entries, ${pos} train/pos and ${neg} train/neg reviews, ${test.length} test reviews.`,
    );
  }
}
