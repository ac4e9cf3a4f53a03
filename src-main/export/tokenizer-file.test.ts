import { describe, expect, it } from 'vitest';
import { parseTokenizerFile, toTokenizerFile } from './tokenizer-file';
import { sampleTokenizer } from './test-fixtures';

describe('tokenizer.json', () => {
  const good = sampleTokenizer(30, 16, 'keras-imdb');

  it('round-trips the run tokenizer and accepts a run without a word index', () => {
    expect(parseTokenizerFile(JSON.stringify(toTokenizerFile(good, 16)), 't.json')).toEqual(good);
    expect(parseTokenizerFile(JSON.stringify({ ...good, words: null }), 't.json').words).toBeNull();
  });

  it('refuses to export a tokenizer that cannot encode text', () => {
    expect(() => toTokenizerFile({ ...good, words: null }, 16)).toThrow('An export must be able to encode new text');
  });

  it('names the file and the field that is wrong', () => {
    expect(() => parseTokenizerFile('{', 'a/tokenizer.json')).toThrow(/^a\/tokenizer\.json: expected the JSON tokenizer of an RNN Workbench model\. Received: invalid JSON/);
    expect(() => parseTokenizerFile('[]', 't.json')).toThrow('t.json: expected a tokenizer object. Received: []');
    expect(() => parseTokenizerFile(JSON.stringify({ ...good, version: 2 }), 't.json')).toThrow('t.json: expected "version": 1 (a tokenizer written by RNN Workbench). Received: 2');
    expect(() => parseTokenizerFile(JSON.stringify({ ...good, scheme: 'bpe' }), 't.json')).toThrow('expected "scheme" to be "keras-tokenizer" or "keras-imdb". Received: "bpe"');
    expect(() => parseTokenizerFile(JSON.stringify({ ...good, maxlen: 0 }), 't.json')).toThrow('t.json: expected "maxlen" to be an integer from 1 to 20,000. Received: 0');
    expect(() => parseTokenizerFile(JSON.stringify({ ...good, split: '  ' }), 't.json')).toThrow('expected "split" to be one character. Received: "  "');
    expect(() => parseTokenizerFile(JSON.stringify({ ...good, padding: 'post' }), 't.json')).toThrow('expected "padding" and "truncating" to be "pre". Received: ["post","pre"]');
    expect(() => parseTokenizerFile(JSON.stringify({ ...good, words: [1, 2] }), 't.json')).toThrow('expected "words" to be the vocabulary, a list of strings by rank, or null. Received: [1,2]');
    expect(() => parseTokenizerFile(JSON.stringify({ ...good, lower: 'yes' }), 't.json')).toThrow('expected "lower" to be true or false. Received: "yes"');
  });
});
