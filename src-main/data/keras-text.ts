/**
 * Keras' text preprocessing, reproduced exactly: `text_to_word_sequence`, `Tokenizer.fit_on_texts` /
 * `texts_to_sequences` and `pad_sequences(padding='pre', truncating='pre')`, plus `imdb.load_data`'s id
 * scheme for npz data. The same text always gives the same ids.
 */
import type { TokenizerSpec } from '../../src-shared/data';
import type { ReadAlongWord } from '../../src-shared/read-along';

const BR = /<br \/>/g;

/** A compiled `text_to_word_sequence`: splits a text into the words Keras would see. */
export class WordSplitter {
  /** 1 for every UTF-16 code unit that separates words. */
  readonly separators = new Uint8Array(65536);

  constructor(private readonly spec: Pick<TokenizerSpec, 'filters' | 'split' | 'lower' | 'stripHtmlBreaks'>) {
    // Porting note: Keras translates each filter to `split` and then splits on `split`; with a single-character
    // `split` that is the same as treating every filter character as a separator.
    if (spec.split.length !== 1) throw new RangeError(`split must be one character. Received: ${JSON.stringify(spec.split)}`);
    for (const char of spec.filters + spec.split) {
      if (char.length !== 1) throw new RangeError(`filters must be characters of the Basic Multilingual Plane. Received: ${JSON.stringify(char)}`);
      this.separators[char.charCodeAt(0)] = 1;
    }
  }

  /** The text as it is split: `<br />` removed, lowercased. */
  prepare(text: string): string {
    const s = this.spec.stripHtmlBreaks ? text.replace(BR, ' ') : text;
    return this.spec.lower ? s.toLowerCase() : s;
  }

  /** Calls `onWord` for each word of `text`, in order. */
  forEachWord(text: string, onWord: (word: string) => void): void {
    const s = this.prepare(text);
    const sep = this.separators;
    let start = -1;
    for (let i = 0; i < s.length; i++) {
      if (sep[s.charCodeAt(i)] === 1) {
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

/**
 * Words interned straight from the text, hashed while scanning: a word seen before costs no string
 * allocation, which is most of the time of tokenizing 25,000 reviews.
 */
class WordTable {
  private slots = new Int32Array(1 << 16).fill(-1);
  private hashes = new Int32Array(1 << 14);
  private starts = new Int32Array(1 << 14);
  private lengths = new Int32Array(1 << 14);
  private pool = new Uint16Array(1 << 18);
  private poolLength = 0;
  readonly words: string[] = [];

  /** The id of `s[start, end)` (hash `h`); a word not seen before gets the next id. */
  find(s: string, start: number, end: number, h: number): number {
    const length = end - start;
    const mask = this.slots.length - 1;
    let slot = h & mask;
    for (;;) {
      const id = this.slots[slot]!;
      if (id < 0) break;
      if (this.hashes[id] === h && this.lengths[id] === length) {
        const base = this.starts[id]!;
        let k = 0;
        while (k < length && this.pool[base + k] === s.charCodeAt(start + k)) k++;
        if (k === length) return id;
      }
      slot = (slot + 1) & mask;
    }
    const id = this.words.length;
    this.words.push(s.slice(start, end));
    if (id === this.hashes.length) {
      this.hashes = grow(this.hashes);
      this.starts = grow(this.starts);
      this.lengths = grow(this.lengths);
    }
    while (this.poolLength + length > this.pool.length) {
      const bigger = new Uint16Array(this.pool.length * 2);
      bigger.set(this.pool);
      this.pool = bigger;
    }
    for (let k = 0; k < length; k++) this.pool[this.poolLength + k] = s.charCodeAt(start + k);
    this.hashes[id] = h;
    this.starts[id] = this.poolLength;
    this.lengths[id] = length;
    this.poolLength += length;
    this.slots[slot] = id;
    if (2 * this.words.length > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = this.slots.length - 1;
    for (let id = 0; id < this.words.length; id++) {
      let slot = this.hashes[id]! & mask;
      while (this.slots[slot]! >= 0) slot = (slot + 1) & mask;
      this.slots[slot] = id;
    }
  }
}

/**
 * Indices by descending count, ties by index (first appearance). Packed as one float key per word so the native
 * numeric sort does the work; a comparator sort of 90,000 words costs several times more.
 */
function rankOrder(counts: Int32Array, n: number): ArrayLike<number> {
  const ID_SPAN = 2 ** 24;
  if (n >= ID_SPAN) return Array.from({ length: n }, (_, i) => i).sort((a, b) => counts[b]! - counts[a]! || a - b);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = -counts[i]! * ID_SPAN + i;
  keys.sort();
  const order = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const key = keys[r]!;
    order[r] = key - Math.floor(key / ID_SPAN) * ID_SPAN;
  }
  return order;
}

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(a.length * 2);
  bigger.set(a);
  return bigger;
}

/** A growable Int32 buffer with per-row offsets: ragged sequences without one array per row. */
export class RaggedInt32 {
  data = new Int32Array(1 << 16);
  offsets: number[] = [0];
  private length = 0;

  push(value: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = value;
  }

  /** Appends `values[0, count)` to the current row in one copy. */
  append(values: Int32Array, count: number): void {
    if (this.length + count > this.data.length) this.reserve(count);
    this.data.set(values.subarray(0, count), this.length);
    this.length += count;
  }

  private reserve(more: number): void {
    let size = this.data.length * 2;
    while (size < this.length + more) size *= 2;
    const grown = new Int32Array(size);
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
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
 * Texts as rows of provisional word ids, scanned as they are read: a source hands each review over as it arrives
 * (in whatever order its archive or folder has), so tokenizing overlaps the reading. Ids number the words in order
 * of first arrival, test texts' words included; `fitOnRows` then ranks them as Keras would.
 */
export class ScannedTexts {
  private readonly table = new WordTable();
  readonly rows = new RaggedInt32();
  private ids = new Int32Array(4096);

  constructor(private readonly splitter: WordSplitter) {}

  /** The words by provisional id. */
  get words(): readonly string[] {
    return this.table.words;
  }

  /** Scans one text into a new row of provisional ids; returns the row's index. */
  add(text: string): number {
    const s = this.splitter.prepare(text);
    const sep = this.splitter.separators;
    const n = s.length;
    let count = 0;
    let i = 0;
    while (i < n) {
      let c = s.charCodeAt(i);
      if (sep[c] === 1) {
        i++;
        continue;
      }
      const start = i;
      let h = 0x811c9dc5;
      do {
        h = Math.imul(h ^ c, 0x01000193);
        i++;
      } while (i < n && sep[(c = s.charCodeAt(i))] !== 1);
      if (count === this.ids.length) this.ids = grow(this.ids);
      this.ids[count++] = this.table.find(s, start, i, h);
    }
    this.rows.append(this.ids, count);
    this.rows.endRow();
    return this.rows.rows - 1;
  }
}

/** A fitted word index, as `Tokenizer.fit_on_texts` leaves it. */
export interface KerasFit {
  /** Rank 1 first: the most frequent word. */
  wordsByRank: string[];
  countsByRank: Int32Array;
  /** Provisional id → rank; 0 for words no training text has (`texts_to_sequences` drops them). */
  rankOf: Int32Array;
  /** Words in the training texts, all counted. */
  totalTokens: number;
}

/**
 * `Tokenizer.fit_on_texts` on the scanned rows `train`, in that order: ranks by count with ties in order of first
 * appearance among them (Keras' `word_counts` is an OrderedDict, and Python's sort is stable).
 */
export function fitOnRows(texts: ScannedTexts, train: ArrayLike<number>): KerasFit {
  const n = texts.words.length;
  const { data, offsets } = texts.rows;
  const counts = new Int32Array(n);
  // The training words by first appearance in `train`'s order.
  const byFirstSeen = new Int32Array(n);
  let seen = 0;
  let totalTokens = 0;
  for (let t = 0; t < train.length; t++) {
    const row = train[t]!;
    const end = offsets[row + 1]!;
    totalTokens += end - offsets[row]!;
    for (let k = offsets[row]!; k < end; k++) {
      const id = data[k]!;
      if (counts[id]!++ === 0) byFirstSeen[seen++] = id;
    }
  }
  const countsFirstSeen = new Int32Array(seen);
  for (let j = 0; j < seen; j++) countsFirstSeen[j] = counts[byFirstSeen[j]!]!;
  const order = rankOrder(countsFirstSeen, seen);
  const rankOf = new Int32Array(n);
  const countsByRank = new Int32Array(seen);
  const wordsByRank = new Array<string>(seen);
  for (let r = 0; r < seen; r++) {
    const id = byFirstSeen[order[r]!]!;
    rankOf[id] = r + 1;
    countsByRank[r] = counts[id]!;
    wordsByRank[r] = texts.words[id]!;
  }
  return { wordsByRank, countsByRank, rankOf, totalTokens };
}

/**
 * Writes scanned row `row` into `out` at `at` as `texts_to_sequences` (ranks below `numWords`, others dropped) then
 * `pad_sequences(maxlen, padding='pre', truncating='pre')`: the last `maxlen` kept ids, zeros before. Returns the
 * number of ids kept before truncation.
 */
export function padRankedInto(out: Int32Array, at: number, maxlen: number, texts: ScannedTexts, row: number, rankOf: Int32Array, numWords: number): number {
  const { data, offsets } = texts.rows;
  const base = at * maxlen;
  let write = base + maxlen;
  let kept = 0;
  for (let k = offsets[row + 1]! - 1; k >= offsets[row]!; k--) {
    const rank = rankOf[data[k]!]!;
    if (rank === 0 || rank >= numWords) continue;
    if (kept++ < maxlen) out[--write] = rank;
  }
  out.fill(0, base, write);
  return kept;
}

/**
 * Maps a word's rank (0 = unknown) to its id under `spec`, or -1 when the id is dropped — Keras'
 * `texts_to_sequences` without `oov_token`, or `imdb.load_data`'s `oov_char` replacement.
 */
function idOfRank(spec: TokenizerSpec, rank: number): number {
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
  if (seq instanceof Int32Array) out.set(seq.subarray(from, from + take), base + pad);
  else for (let i = 0; i < take; i++) out[base + pad + i] = seq[from + i]!;
}

/** Word → rank per spec object, so encoding many texts with one spec builds the map once. */
const rankMaps = new WeakMap<TokenizerSpec, Map<string, number>>();

/** Encodes one new text the way the training data was encoded, padded to `maxlen`. */
export function encodeWithSpec(spec: TokenizerSpec, text: string, maxlen: number): Int32Array {
  return readWithSpec(spec, text, maxlen).x;
}

/** A text as the model reads it: the padded ids, the tokens they stand for, and what became of each word. */
export interface ReadText {
  /** `maxlen` ids, padded and truncated at the front. */
  x: Int32Array;
  /** The ids after the padding, in order, and a readable token for each (`<start>`, `<oov>` for reserved ids). */
  ids: number[];
  tokens: string[];
  words: ReadAlongWord[];
  padding: number;
}

/**
 * Encodes one new text as `encodeWithSpec` does and tells, word by word, what the model reads: ids
 * kept, words dropped for being out of the vocabulary, and words truncated off the front by maxlen.
 */
export function readWithSpec(spec: TokenizerSpec, text: string, maxlen: number): ReadText {
  if (!Number.isInteger(maxlen) || maxlen <= 0) throw new RangeError(`maxlen must be a positive integer. Received: ${maxlen}`);
  if (spec.words === null) {
    throw new RangeError('This dataset has no word index, so new text cannot be encoded. Expected imdb_word_index.json beside the npz.');
  }
  const rankOf = rankMaps.get(spec) ?? new Map(spec.words.map((word, i) => [word, i + 1]));
  rankMaps.set(spec, rankOf);
  const ids: number[] = [];
  const tokens: string[] = [];
  // The word each kept id came from (-1 for the start id), to mark the truncated ones afterwards.
  const source: number[] = [];
  const words: ReadAlongWord[] = [];
  if (spec.scheme === 'keras-imdb' && spec.startChar !== null) {
    ids.push(spec.startChar);
    tokens.push('<start>');
    source.push(-1);
  }
  new WordSplitter(spec).forEachWord(text, (word) => {
    const id = idOfRank(spec, rankOf.get(word) ?? 0);
    if (id < 0) {
      words.push({ text: word, fate: 'dropped', id: null });
      return;
    }
    const oov = spec.oovChar !== null && id === spec.oovChar;
    source.push(words.length);
    words.push({ text: word, fate: oov ? 'oov' : 'read', id });
    ids.push(id);
    tokens.push(oov ? '<oov>' : word);
  });
  const out = new Int32Array(maxlen);
  padPreInto(out, 0, maxlen, ids);
  const cut = Math.max(0, ids.length - maxlen);
  for (const index of source.slice(0, cut)) if (index >= 0) words[index] = { ...words[index]!, fate: 'truncated', id: null };
  return { x: out, ids: ids.slice(cut), tokens: tokens.slice(cut), words, padding: Math.max(0, maxlen - ids.length) };
}

/** The word of an id under `spec`, for decoding samples; `?` for reserved or unknown ids, as the Keras book decodes. */
export function wordOfId(spec: TokenizerSpec, id: number): string {
  const rank = id - spec.indexFrom;
  return spec.words !== null && rank >= 1 && rank <= spec.words.length ? spec.words[rank - 1]! : '?';
}
