import { describe, expect, it } from 'vitest';
import { encodeText } from '../data';
import { parseKerasTokenizer } from './keras-tokenizer';

describe('parseKerasTokenizer', () => {
  it("reads imdb_word_index.json with imdb.load_data's ids: start 1, out-of-vocabulary 2, rank + 3, cut at the Embedding's input_dim", () => {
    const spec = parseKerasTokenizer(JSON.stringify({ the: 1, film: 2, wonderful: 3, rare: 9 }), 'imdb_word_index.json', 10);
    // rare has rank 9, id 12 >= 10: out of vocabulary, as load_data(num_words=10) makes it.
    expect(Array.from(encodeText(spec, 'The wonderful, RARE film!', 7))).toEqual([0, 0, 1, 4, 6, 2, 5]);
  });

  it("reads Tokenizer.to_json(): its word_index (a JSON string), num_words, filters, lower and oov_token", () => {
    const config = { num_words: 4, filters: '!', lower: true, split: ' ', char_level: false, oov_token: '<OOV>', word_index: JSON.stringify({ '<OOV>': 1, good: 2, film: 3, bad: 4 }) };
    const spec = parseKerasTokenizer(JSON.stringify({ class_name: 'Tokenizer', config }), 'tokenizer.json', 100);
    // bad has index 4 >= num_words 4 and unknown is unknown: both become the OOV index, as texts_to_sequences does.
    expect(Array.from(encodeText(spec, 'Good film! bad unknown', 5))).toEqual([0, 2, 3, 1, 1]);
    const plain = parseKerasTokenizer(JSON.stringify({ class_name: 'Tokenizer', config: { ...config, oov_token: null } }), 'tokenizer.json', 100);
    expect(Array.from(encodeText(plain, 'Good film! bad unknown', 5))).toEqual([0, 0, 0, 2, 3]);
  });

  it("hands the app's own tokenizer.json to the reader given for it", () => {
    const own = { version: 1, scheme: 'keras-tokenizer', words: ['good'] };
    const read = (text: string, file: string) => ({ ...(JSON.parse(text) as object), file }) as never;
    expect(parseKerasTokenizer(JSON.stringify(own), 'tokenizer.json', 10, read)).toEqual({ ...own, file: 'tokenizer.json' });
  });

  it('names the file and what it expected for anything else', () => {
    expect(() => parseKerasTokenizer('[1, 2]', 'words.json', 10)).toThrow('words.json: expected a JSON object. Received: [1,2]');
    expect(() => parseKerasTokenizer('{}', 'words.json', 10)).toThrow("words.json: expected Keras' imdb_word_index.json ({word: rank}) or a Tokenizer.to_json() file. Received: an object without word ranks");
    expect(() => parseKerasTokenizer('{"a": "x"}', 'words.json', 10)).toThrow('words.json: expected a word index mapping each word to a positive integer. Received: "a": "x"');
    expect(() => parseKerasTokenizer('nope', 'words.json', 10)).toThrow(/words.json: expected Keras' imdb_word_index.json or a Tokenizer.to_json\(\) file. Received: invalid JSON/);
  });
});
