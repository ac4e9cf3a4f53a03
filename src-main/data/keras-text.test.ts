import { describe, expect, it } from 'vitest';
import { KERAS_DEFAULT_FILTERS, type TokenizerSpec } from '../../src-shared/data';
import { ScannedTexts, WordSplitter, encodeWithSpec, fitOnRows, padPreInto, padRankedInto, readWithSpec } from './keras-text';
import { RandomState } from './random-state';

const spec = { lower: true, filters: KERAS_DEFAULT_FILTERS, split: ' ', stripHtmlBreaks: true };

describe('WordSplitter (Keras text_to_word_sequence)', () => {
  it('lowercases, turns every default filter into a separator and drops empty words', () => {
    expect(new WordSplitter(spec).words("Hello, World!! It's  a\tte-st\n(really)")).toEqual(['hello', 'world', "it's", 'a', 'te', 'st', 'really']);
  });

  it('removes <br /> before splitting, so no "br" word appears', () => {
    expect(new WordSplitter(spec).words('good.<br /><br />Bad')).toEqual(['good', 'bad']);
    expect(new WordSplitter({ ...spec, stripHtmlBreaks: false }).words('good.<br />Bad')).toEqual(['good', 'br', 'bad']);
  });

  it('keeps non-filter characters such as \\r and accents inside words, as Keras does', () => {
    expect(new WordSplitter(spec).words('Café\rNoir')).toEqual(['café\rnoir']);
  });
});

describe('Keras Tokenizer and pad_sequences, hand-computed', () => {
  // counts: the 5, cat 2, dog 2, end 2, a 2, then the ones, in order of first appearance:
  // the1 cat2 dog3 end4 a5 sat6 on7 mat8 ate9 my10 homework11
  const texts = ['The cat sat on the mat.', 'The dog ate my homework!<br /><br />THE END', 'a cat, a dog; the end'];

  it('ranks words by count with ties in order of first appearance', () => {
    const scanned = new ScannedTexts(new WordSplitter(spec));
    const rows = texts.map((t) => scanned.add(t));
    const { wordsByRank, countsByRank, totalTokens } = fitOnRows(scanned, rows);
    expect(wordsByRank).toEqual(['the', 'cat', 'dog', 'end', 'a', 'sat', 'on', 'mat', 'ate', 'my', 'homework']);
    expect(Array.from(countsByRank)).toEqual([5, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1]);
    expect(totalTokens).toBe(19);
  });

  it('takes first appearance in the training order given, whatever order the texts were scanned in', () => {
    // Scanned last to first, with a test text first: its words must neither count nor break ties.
    const scanned = new ScannedTexts(new WordSplitter(spec));
    const testRow = scanned.add('zebra homework homework homework');
    const rows = [...texts].reverse().map((t) => scanned.add(t)).reverse();
    const { wordsByRank, rankOf } = fitOnRows(scanned, rows);
    expect(wordsByRank).toEqual(['the', 'cat', 'dog', 'end', 'a', 'sat', 'on', 'mat', 'ate', 'my', 'homework']);
    const out = new Int32Array(5);
    // texts_to_sequences: zebra (never in training) is dropped, homework (rank 11) too under num_words 11.
    expect(padRankedInto(out, 0, 5, scanned, testRow, rankOf, 11)).toBe(0);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0]);
    // "a cat, a dog; the end" under num_words 5 keeps ranks 1–4 only, the last 3 of them with maxlen 3.
    expect(padRankedInto(out, 0, 3, scanned, rows[2]!, rankOf, 5)).toBe(4);
    expect(Array.from(out.subarray(0, 3))).toEqual([3, 1, 4]);
  });

  it('pads and truncates at the front', () => {
    const out = new Int32Array(3 * 4);
    padPreInto(out, 0, 4, [1, 2, 1]);
    padPreInto(out, 1, 4, [1, 3, 1, 4]);
    padPreInto(out, 2, 4, [5, 2, 5, 3, 1, 4]);
    expect(Array.from(out)).toEqual([0, 1, 2, 1, 1, 3, 1, 4, 5, 3, 1, 4]);
  });

  it('encodes new text with num_words: ids >= num_words and unknown words are dropped', () => {
    const tokenizer: TokenizerSpec = {
      version: 1,
      scheme: 'keras-tokenizer',
      ...spec,
      numWords: 6,
      startChar: null,
      oovChar: null,
      indexFrom: 0,
      skipTop: 0,
      words: ['the', 'cat', 'dog', 'end', 'a'],
      shuffleSeed: 113,
    };
    expect(Array.from(encodeWithSpec(tokenizer, 'The END of my cat!', 5))).toEqual([0, 0, 1, 4, 2]);
  });

  it('encodes with imdb.load_data ids: start 1, rank + 3, out-of-range and unknown words become 2', () => {
    const tokenizer: TokenizerSpec = {
      version: 1,
      scheme: 'keras-imdb',
      ...spec,
      numWords: 7,
      startChar: 1,
      oovChar: 2,
      indexFrom: 3,
      skipTop: 0,
      words: ['the', 'and', 'a'],
      shuffleSeed: 113,
    };
    // the → 4, and → 5, a → 6, zebra (unknown) → 2
    expect(Array.from(encodeWithSpec(tokenizer, 'The zebra and a', 6))).toEqual([0, 1, 4, 2, 5, 6]);
    expect(() => encodeWithSpec({ ...tokenizer, words: null }, 'x', 3)).toThrow(/imdb_word_index\.json/);
    expect(() => encodeWithSpec(tokenizer, 'x', -3)).toThrow('maxlen must be a positive integer. Received: -3');
  });
});

describe('readWithSpec (read-along tokens)', () => {
  it('tells which words the model reads, which it drops, and which maxlen truncates, with the same ids as encodeWithSpec', () => {
    const tokenizer: TokenizerSpec = {
      version: 1,
      scheme: 'keras-tokenizer',
      ...spec,
      numWords: 6,
      startChar: null,
      oovChar: null,
      indexFrom: 0,
      skipTop: 0,
      words: ['the', 'cat', 'dog', 'end', 'a'],
      shuffleSeed: 113,
    };
    const read = readWithSpec(tokenizer, 'A dog, the END of my cat!', 4);
    expect(Array.from(read.x)).toEqual(Array.from(encodeWithSpec(tokenizer, 'A dog, the END of my cat!', 4)));
    expect(read.tokens).toEqual(['dog', 'the', 'end', 'cat']);
    expect(read.ids).toEqual([3, 1, 4, 2]);
    expect(read.padding).toBe(0);
    expect(read.words.map((w) => `${w.text}:${w.fate}`)).toEqual(['a:truncated', 'dog:read', 'the:read', 'end:read', 'of:dropped', 'my:dropped', 'cat:read']);
    const short = readWithSpec(tokenizer, 'the cat', 5);
    expect(short.padding).toBe(3);
    expect(short.tokens).toEqual(['the', 'cat']);
  });

  it('names the start and OOV ids of the imdb.npz scheme as tokens the model reads', () => {
    const tokenizer: TokenizerSpec = {
      version: 1,
      scheme: 'keras-imdb',
      ...spec,
      numWords: 7,
      startChar: 1,
      oovChar: 2,
      indexFrom: 3,
      skipTop: 0,
      words: ['the', 'and', 'a'],
      shuffleSeed: 113,
    };
    const read = readWithSpec(tokenizer, 'The zebra and a', 6);
    expect(read.tokens).toEqual(['<start>', 'the', '<oov>', 'and', 'a']);
    expect(read.ids).toEqual([1, 4, 2, 5, 6]);
    expect(read.words.map((w) => w.fate)).toEqual(['read', 'oov', 'read', 'read']);
  });
});

describe('RandomState (numpy legacy shuffle)', () => {
  it('matches numpy: RandomState(113).shuffle(arange(10)) then arange(7)', () => {
    // python3 -c "import numpy as np; r=np.random.RandomState(113); a=np.arange(10); r.shuffle(a); b=np.arange(7); r.shuffle(b); print(a, b)"
    const r = new RandomState(113);
    expect(Array.from(r.permutation(10))).toEqual([9, 3, 6, 1, 0, 7, 4, 8, 2, 5]);
    expect(Array.from(r.permutation(7))).toEqual([5, 1, 0, 3, 6, 4, 2]);
    const big = new RandomState(113).permutation(25000);
    expect(Array.from(big.slice(0, 5))).toEqual([7798, 13226, 18078, 793, 17499]);
  });
});
