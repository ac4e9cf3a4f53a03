/**
 * From raw reviews (or npz rank sequences) to padded tensors, the tokenizer spec and the preview stats.
 * Pure computation: no I/O, so it runs the same in the worker and in tests.
 */
import type { CsvColumns, DatasetFormat, DatasetOptions, DatasetPreview, SplitCounts } from '../../src-shared/data';
import { datasetBytes, requireWithinMemory } from '../../src-shared/limits';
import { DATASET_SHUFFLE_SEED, KERAS_DEFAULT_FILTERS, type TokenizerSpec } from '../../src-shared/tokenizer';
import { memoryLimitBytes } from '../platform/memory-limit';
import { KerasTokenizerFit, RaggedInt32, WordSplitter, imdbId, padPreInto, wordOfId } from './keras-text';
import { RandomState } from './random-state';
import type { IdSource, Source, TextSource } from './sources/types';

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

export function buildDataset(source: Source, options: DatasetOptions, onTokenizing?: (files: number) => void): BuiltDataset {
  requirePaddedFits(source.kind === 'text' ? source.train.length + source.test.length : source.train.labels.length + source.test.labels.length, options.maxlen);
  return source.kind === 'text' ? buildFromText(source, options, onTokenizing) : buildFromIds(source, options);
}

function tokenizerBase(): Pick<TokenizerSpec, 'version' | 'lower' | 'filters' | 'split' | 'stripHtmlBreaks' | 'shuffleSeed'> {
  return { version: 1, lower: true, filters: KERAS_DEFAULT_FILTERS, split: ' ', stripHtmlBreaks: true, shuffleSeed: DATASET_SHUFFLE_SEED };
}

function buildFromText(source: TextSource, options: DatasetOptions, onTokenizing?: (files: number) => void): BuiltDataset {
  const numWords = options.maxFeatures;
  const base = tokenizerBase();
  const splitter = new WordSplitter(base);
  const fit = new KerasTokenizerFit(splitter);
  const provisional = new RaggedInt32();
  let totalTokens = 0;
  source.train.forEach((review, i) => {
    totalTokens += fit.fitText(review.text, provisional);
    if (i % 2000 === 1999) onTokenizing?.(i + 1);
  });
  const { wordsByRank, countsByRank } = fit.finish();

  const trainSeqs = new RaggedInt32();
  let keptTokens = 0;
  for (let r = 0; r < provisional.rows; r++) {
    for (const prov of provisional.row(r)) {
      const rank = fit.rankOf(prov);
      if (rank < numWords) {
        trainSeqs.push(rank);
        keptTokens++;
      }
    }
    trainSeqs.endRow();
  }
  const testSeqs = new RaggedInt32();
  for (const review of source.test) {
    fit.forEachRank(review.text, (rank) => {
      if (rank > 0 && rank < numWords) testSeqs.push(rank);
    });
    testSeqs.endRow();
  }

  const tokenizer: TokenizerSpec = {
    ...base,
    scheme: 'keras-tokenizer',
    numWords,
    startChar: null,
    oovChar: null,
    indexFrom: 0,
    skipTop: 0,
    words: wordsByRank.slice(0, numWords - 1),
  };
  const topWords = wordsByRank.slice(0, TOP_WORDS).map((word, i) => ({ word, count: countsByRank[i]! }));
  return assemble({
    format: source.format,
    tokenizer,
    maxlen: options.maxlen,
    train: { seqs: trainSeqs, labels: Uint8Array.from(source.train, (r) => r.label), ratings: Uint8Array.from(source.train, (r) => r.rating) },
    test: { seqs: testSeqs, labels: Uint8Array.from(source.test, (r) => r.label), ratings: Uint8Array.from(source.test, (r) => r.rating) },
    vocabSize: wordsByRank.length,
    oovRate: totalTokens === 0 ? 0 : (totalTokens - keptTokens) / totalTokens,
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
  const topWords = [...rankCounts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, TOP_WORDS)
    .map(([rank, count]) => ({ word: source.wordsByRank?.[rank - 1] ?? `#${rank}`, count }));
  return assemble({
    format: 'keras-npz',
    tokenizer,
    maxlen: options.maxlen,
    train: { seqs: trainSeqs, labels: source.train.labels, ratings: new Uint8Array(source.train.labels.length) },
    test: { seqs: testSeqs, labels: source.test.labels, ratings: new Uint8Array(source.test.labels.length) },
    vocabSize: source.wordsByRank?.length ?? maxRank,
    oovRate: totalTokens === 0 ? 0 : oovTokens / totalTokens,
    topWords,
  });
}

interface SplitSeqs {
  seqs: RaggedInt32;
  labels: Uint8Array;
  ratings: Uint8Array;
}

function assemble(parts: {
  format: DatasetFormat;
  tokenizer: TokenizerSpec;
  maxlen: number;
  train: SplitSeqs;
  test: SplitSeqs;
  vocabSize: number;
  oovRate: number;
  topWords: { word: string; count: number }[];
  csvColumns?: CsvColumns;
}): BuiltDataset {
  const { tokenizer, maxlen } = parts;
  // One RandomState for both splits, train first, exactly as imdb.load_data shuffles.
  const rng = new RandomState(tokenizer.shuffleSeed);
  const train = padShuffled(parts.train, maxlen, rng.permutation(parts.train.seqs.rows));
  const test = padShuffled(parts.test, maxlen, rng.permutation(parts.test.seqs.rows));
  const lengths = new Int32Array(parts.train.seqs.rows);
  for (let i = 0; i < lengths.length; i++) lengths[i] = parts.train.seqs.offsets[i + 1]! - parts.train.seqs.offsets[i]!;
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
      oovRate: parts.oovRate,
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

function padShuffled(split: SplitSeqs, maxlen: number, order: Uint32Array): SplitTensors {
  const count = split.seqs.rows;
  const x = new Int32Array(count * maxlen);
  const y = new Uint8Array(count);
  const rating = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const from = order[i]!;
    padPreInto(x, i, maxlen, split.seqs.row(from));
    y[i] = split.labels[from]!;
    rating[i] = split.ratings[from]!;
  }
  return { x, y, rating, count };
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
