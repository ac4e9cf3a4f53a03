/**
 * Keras' text preprocessing, reproduced exactly: `text_to_word_sequence`, `Tokenizer.fit_on_texts` /
 * `texts_to_sequences` and `pad_sequences(padding='pre', truncating='pre')`, plus `imdb.load_data`'s id
 * scheme for npz data. The same text always gives the same ids.
 */
import type { TokenizerSpec } from '../../src-shared/data';

const BR = /<br \/>/g;

/** A compiled `text_to_word_sequence`: splits a text into the words Keras would see. */
export class WordSplitter {
  private readonly asciiSeparators = new Uint8Array(128);
  private readonly otherSeparators = new Set<number>();

  constructor(private readonly spec: Pick<TokenizerSpec, 'filters' | 'split' | 'lower' | 'stripHtmlBreaks'>) {
    // Porting note: Keras translates each filter to `split` and then splits on `split`; with the default
    // single-space `split` that is the same as treating every filter character as a separator.
    if (spec.split.length !== 1) throw new RangeError(`split must be one character. Received: ${JSON.stringify(spec.split)}`);
    for (const char of spec.filters + spec.split) {
      const code = char.charCodeAt(0);
      if (code < 128) this.asciiSeparators[code] = 1;
      else this.otherSeparators.add(code);
    }
  }

  /** Calls `onWord` for each word of `text`, in order. */
  forEachWord(text: string, onWord: (word: string) => void): void {
    let s = this.spec.stripHtmlBreaks ? text.replace(BR, ' ') : text;
    if (this.spec.lower) s = s.toLowerCase();
    const ascii = this.asciiSeparators;
    const other = this.otherSeparators;
    const checkOther = other.size > 0;
    let start = -1;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      const separator = c < 128 ? ascii[c] === 1 : checkOther && other.has(c);
      if (separator) {
        if (start >= 0) {
          onWord(s.slice(start, i));
          start = -1;
        }
      } else if (start < 0) start = i;
    }
    if (start >= 0) onWord(s.slice(start));
  }

  /** The words of `text`, as Keras' `text_to_word_sequence` returns them. */
  words(text: string): string[] {
    const out: string[] = [];
    this.forEachWord(text, (word) => out.push(word));
    return out;
  }
}

/** A growable Int32 buffer with per-row offsets: ragged sequences without one array per row. */
export class RaggedInt32 {
  data = new Int32Array(1 << 16);
  offsets: number[] = [0];
  private length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  endRow(): void {
    this.offsets.push(this.length);
  }

  get rows(): number {
    return this.offsets.length - 1;
  }

  row(i: number): Int32Array {
    return this.data.subarray(this.offsets[i]!, this.offsets[i + 1]!);
  }
}

/**
 * `Tokenizer.fit_on_texts` then `texts_to_sequences`, done in two passes: words get provisional ids in
 * order of first appearance (Keras' `word_counts` is an OrderedDict), then ranks by count with ties kept in
 * that order (Python's sort is stable).
 */
export class KerasTokenizerFit {
  private readonly provisional = new Map<string, number>();
  private counts = new Int32Array(1 << 14);
  private readonly words: string[] = [];
  private rankOfProvisional: Int32Array | null = null;

  constructor(private readonly splitter: WordSplitter) {}

  /** Tokenizes one training text, counting its words; returns its provisional ids. */
  fitText(text: string, out: RaggedInt32): number {
    let tokens = 0;
    this.splitter.forEachWord(text, (word) => {
      let id = this.provisional.get(word);
      if (id === undefined) {
        id = this.words.length;
        this.provisional.set(word, id);
        this.words.push(word);
        if (id === this.counts.length) {
          const grown = new Int32Array(this.counts.length * 2);
          grown.set(this.counts);
          this.counts = grown;
        }
      }
      this.counts[id]!++;
      out.push(id);
      tokens++;
    });
    out.endRow();
    return tokens;
  }

  /** Fixes the word index: rank 1 is the most frequent word. Call after every training text. */
  finish(): { wordsByRank: string[]; countsByRank: Int32Array } {
    const n = this.words.length;
    const counts = this.counts;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => counts[b]! - counts[a]! || a - b);
    const rank = new Int32Array(n);
    const countsByRank = new Int32Array(n);
    const wordsByRank = new Array<string>(n);
    order.forEach((prov, i) => {
      rank[prov] = i + 1;
      countsByRank[i] = counts[prov]!;
      wordsByRank[i] = this.words[prov]!;
    });
    this.rankOfProvisional = rank;
    return { wordsByRank, countsByRank };
  }

  /** The rank of a provisional id from `fitText`. */
  rankOf(provisional: number): number {
    return this.rankOfProvisional![provisional]!;
  }

  /** The rank of a word, or 0 when the training split never had it. */
  rankOfWord(word: string): number {
    const prov = this.provisional.get(word);
    return prov === undefined ? 0 : this.rankOfProvisional![prov]!;
  }
}

/**
 * Maps a word's rank (0 = unknown) to its id under `spec`, or -1 when the id is dropped — Keras'
 * `texts_to_sequences` without `oov_token`, or `imdb.load_data`'s `oov_char` replacement.
 */
export function idOfRank(spec: TokenizerSpec, rank: number): number {
  if (spec.scheme === 'keras-tokenizer') return rank > 0 && rank < spec.numWords ? rank : -1;
  return imdbId(spec, rank === 0 ? -1 : rank + spec.indexFrom);
}

/** `imdb.load_data`'s cut: ids outside `[skip_top, num_words)` become `oov_char`; -1 means unknown. */
export function imdbId(spec: TokenizerSpec, id: number): number {
  if (id >= spec.skipTop && id < spec.numWords) return id;
  return spec.oovChar ?? -1;
}

/**
 * Writes `seq` into `out` at row `row` as `pad_sequences(maxlen, padding='pre', truncating='pre')`:
 * keep the last `maxlen` ids, zeros before.
 */
export function padPreInto(out: Int32Array, row: number, maxlen: number, seq: ArrayLike<number>, length = seq.length): void {
  const base = row * maxlen;
  const take = Math.min(length, maxlen);
  const pad = maxlen - take;
  out.fill(0, base, base + pad);
  const from = length - take;
  for (let i = 0; i < take; i++) out[base + pad + i] = seq[from + i]!;
}

/** Encodes one new text the way the training data was encoded, padded to `maxlen`. */
export function encodeWithSpec(spec: TokenizerSpec, text: string, maxlen: number): Int32Array {
  if (!Number.isInteger(maxlen) || maxlen <= 0) throw new RangeError(`maxlen must be a positive integer. Received: ${maxlen}`);
  if (spec.words === null) {
    throw new RangeError('This dataset has no word index, so new text cannot be encoded. Expected imdb_word_index.json beside the npz.');
  }
  const rankOf = new Map<string, number>();
  spec.words.forEach((word, i) => rankOf.set(word, i + 1));
  const ids: number[] = [];
  if (spec.scheme === 'keras-imdb' && spec.startChar !== null) ids.push(spec.startChar);
  new WordSplitter(spec).forEachWord(text, (word) => {
    const id = idOfRank(spec, rankOf.get(word) ?? 0);
    if (id >= 0) ids.push(id);
  });
  const out = new Int32Array(maxlen);
  padPreInto(out, 0, maxlen, ids);
  return out;
}

/** The word of an id under `spec`, for decoding samples; `?` for reserved or unknown ids, as the Keras book decodes. */
export function wordOfId(spec: TokenizerSpec, id: number): string {
  const rank = id - spec.indexFrom;
  return spec.words !== null && rank >= 1 && rank <= spec.words.length ? spec.words[rank - 1]! : '?';
}
