/**
 * From raw reviews (or npz rank sequences) to padded tensors, the tokenizer spec and the preview stats.
 * Pure computation: no I/O, so it runs the same in the worker and in tests.
 */
import type { CsvColumns, DatasetFormat, DatasetOptions, DatasetPreview, SplitCounts } from '../../src-shared/data';
import { datasetBytes, requireWithinMemory } from '../../src-shared/limits';
import { DATASET_SHUFFLE_SEED, KERAS_DEFAULT_FILTERS, type TokenizerSpec } from '../../src-shared/tokenizer';
import { memoryLimitBytes } from '../platform/memory-limit';
import { RaggedInt32, ScannedTexts, WordSplitter, fitOnRows, imdbId, padPreInto, padRankedInto, wordOfId } from './keras-text';
import { RandomState } from './random-state';
import type { IdSource, RawReview, Source, TextSource } from './sources/types';

/** One split as tensors: `x` is `count × maxlen`, row-major, pre-padded with 0. */
export interface SplitTensors {
  x: Int32Array;
  y: Uint8Array;
  /** aclImdb star ratings (1–10), 0 where the source has none. */
  rating: Uint8Array;
  count: number;
}

/** The preview fields that depend only on content and options. */
export type DatasetStats = Omit<DatasetPreview, 'path' | 'fingerprint' | 'options' | 'seconds' | 'cached'>;

export interface BuiltDataset {
  stats: DatasetStats;
  train: SplitTensors;
  test: SplitTensors;
  maxlen: number;
  tokenizer: TokenizerSpec;
}

const TOP_WORDS = 20;
const SAMPLES = 3;
const SAMPLE_WORDS = 120;
const HISTOGRAM_BINS = 20;

/**
 * Refuses a dataset whose padded ids (`reviews × maxlen × 4 bytes`) would not fit in the memory limit,
 * before they are allocated; called as soon as the number of reviews is known.
 */
export function requirePaddedFits(reviews: number, maxlen: number): void {
  const bytes = datasetBytes(reviews, maxlen);
  requireWithinMemory('The padded dataset', bytes, `${reviews.toLocaleString('en-US')} reviews × maxlen ${maxlen.toLocaleString('en-US')} × 4 bytes`, memoryLimitBytes());
}

export function buildDataset(source: Source, options: DatasetOptions): BuiltDataset {
  requirePaddedFits(source.kind === 'text' ? source.train.length + source.test.length : source.train.labels.length + source.test.labels.length, options.maxlen);
  return source.kind === 'text' ? buildFromText(source, options) : buildFromIds(source, options);
}

function tokenizerBase(): Pick<TokenizerSpec, 'version' | 'lower' | 'filters' | 'split' | 'stripHtmlBreaks' | 'shuffleSeed'> {
  return { version: 1, lower: true, filters: KERAS_DEFAULT_FILTERS, split: ' ', stripHtmlBreaks: true, shuffleSeed: DATASET_SHUFFLE_SEED };
}

/** Where a text source scans its reviews into, split the way the built tokenizer splits. */
export function newScannedTexts(): ScannedTexts {
  return new ScannedTexts(new WordSplitter(tokenizerBase()));
}

/** The tokenizer a text dataset is encoded with: Keras' `Tokenizer(num_words)` fitted to `wordsByRank` (rank 1 first). */
export function kerasTokenizerSpec(wordsByRank: readonly string[], numWords: number): TokenizerSpec {
  return {
    ...tokenizerBase(),
    scheme: 'keras-tokenizer',
    numWords,
    startChar: null,
    oovChar: null,
    indexFrom: 0,
    skipTop: 0,
    words: wordsByRank.slice(0, numWords - 1),
  };
}

function buildFromText(source: TextSource, options: DatasetOptions): BuiltDataset {
  const numWords = options.maxFeatures;
  const { texts } = source;
  const fit = fitOnRows(texts, source.train.map((r) => r.row));
  const pad = (split: RawReview[]): SplitRows => ({
    count: split.length,
    labels: Uint8Array.from(split, (r) => r.label),
    ratings: Uint8Array.from(split, (r) => r.rating),
    padInto: (out, at, maxlen, from) => padRankedInto(out, at, maxlen, texts, split[from]!.row, fit.rankOf, numWords),
  });
  const tokenizer = kerasTokenizerSpec(fit.wordsByRank, numWords);
  const topWords = fit.wordsByRank.slice(0, TOP_WORDS).map((word, i) => ({ word, count: fit.countsByRank[i]! }));
  return assemble({
    format: source.format,
    tokenizer,
    maxlen: options.maxlen,
    train: pad(source.train),
    test: pad(source.test),
    vocabSize: fit.wordsByRank.length,
    oovRate: (keptTokens) => (fit.totalTokens === 0 ? 0 : (fit.totalTokens - keptTokens) / fit.totalTokens),
    topWords,
    csvColumns: source.csvColumns,
  });
}

/** Keras `imdb.load_data(num_words, skip_top, start_char=1, oov_char=2, index_from=3)` on stored ranks. */
function buildFromIds(source: IdSource, options: DatasetOptions): BuiltDataset {
  const tokenizer: TokenizerSpec = {
    ...tokenizerBase(),
    scheme: 'keras-imdb',
    numWords: options.maxFeatures,
    startChar: 1,
    oovChar: 2,
    indexFrom: 3,
    skipTop: 0,
    words: null,
  };
  if (source.wordsByRank !== null) tokenizer.words = source.wordsByRank.slice(0, Math.max(0, tokenizer.numWords - tokenizer.indexFrom - 1));
  let totalTokens = 0;
  let oovTokens = 0;
  let maxRank = 0;
  const rankCounts = new Map<number, number>();
  const transform = (seqs: RaggedInt32, countStats: boolean): RaggedInt32 => {
    const out = new RaggedInt32();
    for (let r = 0; r < seqs.rows; r++) {
      out.push(tokenizer.startChar!);
      for (const rank of seqs.row(r)) {
        const id = imdbId(tokenizer, rank + tokenizer.indexFrom);
        out.push(id);
        if (countStats) {
          totalTokens++;
          if (id === tokenizer.oovChar) oovTokens++;
          if (rank > maxRank) maxRank = rank;
          rankCounts.set(rank, (rankCounts.get(rank) ?? 0) + 1);
        }
      }
      out.endRow();
    }
    return out;
  };
  const trainSeqs = transform(source.train.seqs, true);
  const testSeqs = transform(source.test.seqs, false);
  const rows = (seqs: RaggedInt32, labels: Uint8Array): SplitRows => ({
    count: seqs.rows,
    labels,
    ratings: new Uint8Array(seqs.rows),
    padInto: (out, at, maxlen, from) => {
      const row = seqs.row(from);
      padPreInto(out, at, maxlen, row);
      return row.length;
    },
  });
  const topWords = [...rankCounts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, TOP_WORDS)
    .map(([rank, count]) => ({ word: source.wordsByRank?.[rank - 1] ?? `#${rank}`, count }));
  return assemble({
    format: 'keras-npz',
    tokenizer,
    maxlen: options.maxlen,
    train: rows(trainSeqs, source.train.labels),
    test: rows(testSeqs, source.test.labels),
    vocabSize: source.wordsByRank?.length ?? maxRank,
    oovRate: () => (totalTokens === 0 ? 0 : oovTokens / totalTokens),
    topWords,
  });
}

/** One split before padding and shuffling: its labels, ratings and a way to pad each of its reviews. */
interface SplitRows {
  count: number;
  labels: Uint8Array;
  ratings: Uint8Array;
  /** Pads review `from` into row `at` of `out`; returns its length in ids before padding or truncating. */
  padInto(out: Int32Array, at: number, maxlen: number, from: number): number;
}

function assemble(parts: {
  format: DatasetFormat;
  tokenizer: TokenizerSpec;
  maxlen: number;
  train: SplitRows;
  test: SplitRows;
  vocabSize: number;
  /** The share of training words dropped, given the number kept. */
  oovRate: (keptTrainTokens: number) => number;
  topWords: { word: string; count: number }[];
  csvColumns?: CsvColumns;
}): BuiltDataset {
  const { tokenizer, maxlen } = parts;
  // One RandomState for both splits, train first, exactly as imdb.load_data shuffles.
  const rng = new RandomState(tokenizer.shuffleSeed);
  const { tensors: train, lengths } = padShuffled(parts.train, maxlen, rng.permutation(parts.train.count));
  const { tensors: test } = padShuffled(parts.test, maxlen, rng.permutation(parts.test.count));
  const keptTrainTokens = lengths.reduce((sum, length) => sum + length, 0);
  const samples: DatasetStats['samples'] = [];
  for (let i = 0; i < Math.min(SAMPLES, train.count); i++) {
    const row = train.x.subarray(i * maxlen, (i + 1) * maxlen);
    const ids = Array.from(row).filter((id) => id !== 0);
    const words = ids.slice(0, SAMPLE_WORDS).map((id) => wordOfId(tokenizer, id));
    samples.push({ label: train.y[i] === 1 ? 1 : 0, text: words.join(' ') + (ids.length > SAMPLE_WORDS ? ' …' : '') });
  }
  return {
    stats: {
      format: parts.format,
      train: countSplit(train.y),
      test: countSplit(test.y),
      vocabSize: parts.vocabSize,
      oovRate: parts.oovRate(keptTrainTokens),
      lengths: lengthStats(lengths),
      topWords: parts.topWords,
      samples,
      ...(parts.csvColumns === undefined ? {} : { csvColumns: parts.csvColumns }),
    },
    train,
    test,
    maxlen,
    tokenizer,
  };
}

/** The split padded in the shuffled `order`, and its reviews' lengths before padding (in that order). */
function padShuffled(split: SplitRows, maxlen: number, order: Uint32Array): { tensors: SplitTensors; lengths: Int32Array } {
  const { count } = split;
  const x = new Int32Array(count * maxlen);
  const y = new Uint8Array(count);
  const rating = new Uint8Array(count);
  const lengths = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const from = order[i]!;
    lengths[i] = split.padInto(x, i, maxlen, from);
    y[i] = split.labels[from]!;
    rating[i] = split.ratings[from]!;
  }
  return { tensors: { x, y, rating, count }, lengths };
}

function countSplit(y: Uint8Array): SplitCounts {
  let pos = 0;
  for (const label of y) pos += label;
  return { count: y.length, pos, neg: y.length - pos };
}

/** Median, 90th percentile, max and a histogram of review lengths, binned up to the 99th percentile. */
function lengthStats(lengths: Int32Array): DatasetPreview['lengths'] {
  if (lengths.length === 0) return { median: 0, p90: 0, max: 0, histogram: [] };
  const sorted = Int32Array.from(lengths).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
  const max = sorted[sorted.length - 1]!;
  const width = Math.max(1, niceCeil(at(0.99) / HISTOGRAM_BINS));
  const bins = Math.min(HISTOGRAM_BINS, Math.floor(max / width) + 1);
  const histogram = Array.from({ length: bins }, (_, i) => ({ from: i * width, to: i === bins - 1 ? max : (i + 1) * width - 1, count: 0 }));
  for (const length of sorted) histogram[Math.min(bins - 1, Math.floor(length / width))]!.count++;
  return { median: at(0.5), p90: at(0.9), max, histogram };
}

/** Rounds up to 1, 2 or 5 times a power of ten, so bin edges read well. */
function niceCeil(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}
