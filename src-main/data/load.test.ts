import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetOptions } from '../../src-shared/data';
import { WorkbenchError } from '../../src-shared/errors';
import { encodeText, loadDataset } from './index';
import { describeFsError } from './detect';
import { runDataJob } from './job';
import { parserPids } from '../../test/support/processes';
import { aclImdbEntries, kerasNpz, makeTar, writeAclImdbFolder, type Reviews } from './test-fixtures';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const SAMPLE = path.resolve(repoRoot, '../shared/data/aclImdb-sample.tar.gz');

/** The hand-computed example of keras-text.test.ts as an aclImdb tree (canonical order: neg then pos, by id). */
const REVIEWS: Reviews = {
  'train/neg/0_1.txt': 'The cat sat on the mat.',
  'train/neg/1_3.txt': 'The dog ate my homework!<br /><br />THE END',
  'train/pos/0_9.txt': 'a cat, a dog; the end',
  'test/neg/2_2.txt': 'homework on a mat',
  'test/pos/5_8.txt': 'The END of my cat!',
  'train/unsup/7_0.txt': 'unlabelled reviews are skipped',
};
const OPTIONS: DatasetOptions = { maxFeatures: 6, maxlen: 4 };
// Word ranks: the1 cat2 dog3 end4 a5 (sat6 … dropped at num_words 6). Train rows [t1, t2, t3] shuffled by
// RandomState(113) to [2, 0, 1], test rows [neg, pos] to [1, 0] (numpy: shuffle(arange(3)), shuffle(arange(2))).
const EXPECTED = {
  trainX: [5, 3, 1, 4, 0, 1, 2, 1, 1, 3, 1, 4],
  trainY: [1, 0, 0],
  testX: [0, 1, 4, 2, 0, 0, 0, 5],
  testY: [1, 0],
  words: ['the', 'cat', 'dog', 'end', 'a'],
};

let dir: string;
let dataDir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rnnwb-data-'));
  dataDir = path.join(dir, 'home');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cacheFiles(): Promise<string[]> {
  try {
    return await readdir(path.join(dataDir, 'cache'));
  } catch {
    return [];
  }
}

async function write(name: string, data: Buffer | string): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, data);
  return file;
}

/** Runs the job in-process (the worker adds nothing to these checks) and returns the error it throws. */
async function failure(file: string, options: DatasetOptions = OPTIONS, limits?: Parameters<typeof runDataJob>[0]['limits']): Promise<WorkbenchError> {
  const error = await runDataJob({ path: file, options, dataDir, limits, tempTag: 't' }, () => {}).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkbenchError);
  expect(await cacheFiles()).toEqual([]);
  return error as WorkbenchError;
}

async function job(file: string, options: DatasetOptions = OPTIONS) {
  return runDataJob({ path: file, options, dataDir, tempTag: 't' }, () => {});
}

describe('each format gives the hand-computed Keras ids', () => {
  it('aclImdb folder, its parent, tar.gz and plain tar agree', async () => {
    await writeAclImdbFolder(path.join(dir, 'parent', 'aclImdb'), REVIEWS);
    const tgz = await write('a.tar.gz', await makeTar(aclImdbEntries(REVIEWS)));
    const tar = await write('a.tar', await makeTar(aclImdbEntries(REVIEWS), false));
    for (const file of [path.join(dir, 'parent', 'aclImdb'), path.join(dir, 'parent'), tgz, tar]) {
      const { dataset, preview } = await job(file);
      expect(Array.from(dataset.train.x), file).toEqual(EXPECTED.trainX);
      expect(Array.from(dataset.train.y)).toEqual(EXPECTED.trainY);
      expect(Array.from(dataset.test.x)).toEqual(EXPECTED.testX);
      expect(Array.from(dataset.test.y)).toEqual(EXPECTED.testY);
      expect(Array.from(dataset.train.rating)).toEqual([9, 1, 3]);
      expect(dataset.tokenizer.words).toEqual(EXPECTED.words);
      expect(preview.train).toEqual({ count: 3, pos: 1, neg: 2 });
      expect(preview.vocabSize).toBe(11);
      // 19 training tokens (6 + 7 + 6); sat, on, mat, ate, my, homework fall outside num_words 6
      expect(preview.oovRate).toBeCloseTo(6 / 19);
      expect(preview.samples[0]).toEqual({ label: 1, text: 'a dog the end' });
      expect(Array.from(encodeText(dataset.tokenizer, 'The END of my cat!', 5))).toEqual([0, 0, 1, 4, 2]);
    }
  });

  it('CSV with a split column, BOM, CRLF and a quoted multi-line field gives the same ids', async () => {
    const rows = [
      ['The cat sat on the mat.', 'negative', 'train'],
      ['"The dog ate my homework!<br /><br />THE END"', 'negative', 'train'],
      ['"a cat, a dog; the end"', 'positive', 'train'],
      ['homework on a mat', 'negative', 'test'],
      ['The END of my cat!', 'positive', 'test'],
    ];
    const csv = '\ufeffreview,sentiment,split\r\n' + rows.map((r) => r.join(',')).join('\r\n') + '\r\n';
    const { dataset, preview } = await job(await write('r.csv', csv));
    expect(preview.format).toBe('csv');
    expect(preview.csvColumns).toEqual({ names: ['review', 'sentiment', 'split'], text: 'review', label: 'sentiment', split: 'split' });
    expect(Array.from(dataset.train.x)).toEqual(EXPECTED.trainX);
    expect(Array.from(dataset.test.x)).toEqual(EXPECTED.testX);

    const multiline = 'text;label\n"first line\nsecond line";1\n"good, fine";1\nbad;0\nworse;0\n';
    const opened = await job(await write('m.csv', multiline), { ...OPTIONS, csv: { testSplit: 0.25 } });
    expect(opened.preview.train.count + opened.preview.test.count).toBe(4);
    expect(opened.preview.test.count).toBe(1);
    expect(opened.dataset.tokenizer.words).toContain('second');
  });

  it('UTF-16 CSV with a BOM, columns guessed without hint names', async () => {
    const body = 'id,words,y\n1,loved it,1\n2,hated it so much,0\n3,great,1\n4,awful,0\n';
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, 'utf16le')]);
    const { preview, dataset } = await job(await write('u.csv', utf16), { ...OPTIONS, csv: { testSplit: 0.5 } });
    expect(preview.train.count + preview.test.count).toBe(4);
    expect(preview.train.pos + preview.test.pos).toBe(2);
    expect(preview.csvColumns).toEqual({ names: ['id', 'words', 'y'], text: 'words', label: 'y', split: null });
    expect(dataset.tokenizer.words!.every((w) => ['loved', 'it', 'hated', 'so', 'much', 'great', 'awful'].includes(w))).toBe(true);
  });

  it('Keras npz: imdb.load_data ids (start 1, oov 2, index_from 3, num_words) and the word index beside it', async () => {
    const npz = kerasNpz({ x: [[1, 2, 3], [4, 5]], y: [1, 0] }, { x: [[1, 9], [2]], y: [0, 1] }, 2);
    const file = await write('keras/imdb.npz', npz);
    await write('keras/imdb_word_index.json', JSON.stringify({ the: 1, and: 2, a: 3, of: 4, to: 5 }));
    const { dataset, preview } = await job(file);
    // train [1,4,5,6→2], [1,7→2,8→2], shuffled [0,1]; test [1,4,12→2], [1,5], shuffled [1,0]
    expect(Array.from(dataset.train.x)).toEqual([1, 4, 5, 2, 0, 1, 2, 2]);
    expect(Array.from(dataset.test.x)).toEqual([0, 0, 1, 5, 0, 1, 4, 2]);
    expect(Array.from(dataset.test.y)).toEqual([1, 0]);
    expect(dataset.tokenizer).toMatchObject({ scheme: 'keras-imdb', startChar: 1, oovChar: 2, indexFrom: 3, words: ['the', 'and'] });
    expect(preview.samples[0]!.text).toBe('? the and ?');
    expect(Array.from(encodeText(dataset.tokenizer, 'the zebra', 4))).toEqual([0, 1, 4, 2]);

    const stored = await write('stored.npz', kerasNpz({ x: [[1, 2, 3], [4, 5]], y: [1, 0] }, { x: [[1, 9], [2]], y: [0, 1] }, 4, { level: 0 }));
    const bare = await job(stored);
    expect(Array.from(bare.dataset.train.x)).toEqual([1, 4, 5, 2, 0, 1, 2, 2]);
    expect(bare.dataset.tokenizer.words).toBeNull();
  });
});

describe('loadDataset (worker, cache)', () => {
  it('opens the sample archive: 1,000 train and 500 test reviews, balanced; the second open comes from the cache', async () => {
    const phases = new Set<string>();
    const first = await loadDataset(SAMPLE, { maxFeatures: 10000, maxlen: 200 }, { dataDir, onProgress: (p) => phases.add(p.phase) });
    expect(first.preview.train).toEqual({ count: 1000, pos: 500, neg: 500 });
    expect(first.preview.test).toEqual({ count: 500, pos: 250, neg: 250 });
    expect(first.preview.cached).toBe(false);
    expect(first.train.x.length).toBe(1000 * 200);
    expect(first.train.x.reduce((a, b) => Math.max(a, b), 0)).toBeLessThan(10000);
    expect([...phases]).toEqual(expect.arrayContaining(['reading', 'tokenizing', 'caching', 'done']));
    expect(first.preview.lengths.histogram.reduce((s, b) => s + b.count, 0)).toBe(1000);

    const second = await loadDataset(SAMPLE, { maxFeatures: 10000, maxlen: 200 }, { dataDir });
    expect(second.preview.cached).toBe(true);
    expect(second.train.x).toEqual(first.train.x);
    expect(second.test.y).toEqual(first.test.y);
    expect(second.tokenizer).toEqual(first.tokenizer);

    // A damaged entry (one flipped byte) and a foreign file in its place are both detected and rebuilt.
    const [entry] = await cacheFiles();
    const cacheFile = path.join(dataDir, 'cache', entry!);
    const bytes = await readFile(cacheFile);
    bytes[bytes.length - 100]! ^= 0xff;
    await writeFile(cacheFile, bytes);
    const rebuilt = await loadDataset(SAMPLE, { maxFeatures: 10000, maxlen: 200 }, { dataDir });
    expect(rebuilt.preview.cached).toBe(false);
    expect(rebuilt.train.x).toEqual(first.train.x);
    await writeFile(cacheFile, 'not a cache entry');
    expect((await loadDataset(SAMPLE, { maxFeatures: 10000, maxlen: 200 }, { dataDir })).preview.cached).toBe(false);
    expect((await loadDataset(SAMPLE, { maxFeatures: 10000, maxlen: 200 }, { dataDir })).preview.cached).toBe(true);

    // A truncated copy fails cleanly; the dataset opened before stays usable.
    const truncated = await write('cut.tar.gz', (await readFile(SAMPLE)).subarray(0, 300_000));
    await expect(loadDataset(truncated, OPTIONS, { dataDir })).rejects.toThrow(`${truncated}: expected a complete gzip-compressed tar archive. Received: a truncated file`);
    expect(await cacheFiles()).toEqual([entry]);
    expect(first.train.x.length).toBe(1000 * 200);
  });

  it('cancels: the promise rejects with a cancelled error and leaves no cache file', async () => {
    const controller = new AbortController();
    const pending = loadDataset(SAMPLE, { maxFeatures: 100, maxlen: 10 }, { dataDir, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
    expect(await cacheFiles()).toEqual([]);
  });

  it('a parser process that runs out of memory is reported; the app and later opens carry on', async () => {
    // 1.2 million distinct words in a 7 MB CSV: the word counts outgrow a heap cap the sample archive fits in.
    const rows = ['text,label'];
    for (let r = 0, word = 0; r < 2000; r++) rows.push(`${Array.from({ length: 600 }, () => 'w' + (word++).toString(36)).join(' ')},${r % 2}`);
    const hostile = await write('distinct-words.csv', rows.join('\n'));
    await expect(loadDataset(hostile, OPTIONS, { dataDir, heapMb: 24 })).rejects.toThrow(`${hostile}: reading it needed more than 24 MB of memory. Expected an IMDb-sized dataset.`);
    expect(await cacheFiles()).toEqual([]);
    expect((await loadDataset(SAMPLE, OPTIONS, { dataDir, heapMb: 24 })).preview.train.count).toBe(1000);
  });

  it('a parser process that crashes is reported without taking the app down; the cache holds nothing of it', async () => {
    // SIGSEGV is what a native fault in a parser would raise; here it arrives from outside, mid-read.
    let crashed: number[] = [];
    const pending = loadDataset(SAMPLE, OPTIONS, {
      dataDir,
      onProgress: (progress) => {
        if (progress.phase !== 'reading' || crashed.length > 0) return;
        crashed = parserPids(process.pid);
        for (const pid of crashed) process.kill(pid, 'SIGSEGV');
      },
    });
    await expect(pending).rejects.toThrow(`The data parser process stopped unexpectedly (SIGSEGV) while opening ${SAMPLE}. The app is unaffected; try again, or check the file.`);
    expect(crashed).toHaveLength(1);
    expect(await cacheFiles()).toEqual([]);
    expect((await loadDataset(SAMPLE, OPTIONS, { dataDir })).preview.train.count).toBe(1000);
  });

  it('temp files of a writer that died are removed on the next open; whole entries and live writers are kept', async () => {
    await mkdir(path.join(dataDir, 'cache'), { recursive: true });
    const orphan = 'dataset-0123.bin.tmp-999999999-dead';
    const live = `dataset-4567.bin.tmp-${process.ppid}-alive`;
    await writeFile(path.join(dataDir, 'cache', orphan), 'half an entry');
    await writeFile(path.join(dataDir, 'cache', live), 'being written');
    await loadDataset(SAMPLE, OPTIONS, { dataDir });
    const left = await cacheFiles();
    expect(left).not.toContain(orphan);
    expect(left).toContain(live);
    expect(left.filter((n) => !n.includes('.tmp-'))).toHaveLength(1);
  });

  it('reports bad options and a missing path in the house style', async () => {
    await expect(loadDataset(SAMPLE, { maxFeatures: 10, maxlen: -3 }, { dataDir })).rejects.toThrow('maxlen must be a positive integer of at most 20,000. Received: -3');
    const missing = path.join(dir, 'nope.tar.gz');
    await expect(loadDataset(missing, OPTIONS, { dataDir })).rejects.toThrow(`${missing}: no such file or folder. Expected an aclImdb archive`);
    expect(await cacheFiles()).toEqual([]);
  });
});

describe('bad input: a clear error naming the file, no cache left behind', () => {
  it.skipIf(process.getuid?.() === 0)('a file without read permission', async () => {
    const file = await write('locked.csv', 'review,sentiment\ngood,positive\n');
    await chmod(file, 0o000);
    expect((await failure(file)).message).toBe(`${file}: permission denied: the app cannot read it. Expected a readable file or folder.`);
  });

  it('a permission error from the file system reads the same when running as root (where chmod cannot deny)', () => {
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    expect(describeFsError('/data/imdb.npz', denied).message).toBe('/data/imdb.npz: permission denied: the app cannot read it. Expected a readable file or folder.');
  });

  it('an empty folder, and a folder that is not aclImdb', async () => {
    const empty = path.join(dir, 'empty');
    await mkdir(empty);
    expect((await failure(empty)).message).toBe(`${empty}: expected an aclImdb folder (with train/pos and train/neg) or a folder holding one. Received: a folder with nothing in it.`);
    await write('other/notes.txt', 'hi');
    expect((await failure(path.join(dir, 'other'))).message).toMatch(/other: expected an aclImdb folder .* Received: a folder with "notes\.txt"/);
  });

  it('a folder: links are not followed, and a folder with too many files stops at the bound', async () => {
    const root = path.join(dir, 'linked', 'aclImdb');
    await writeAclImdbFolder(root, REVIEWS);
    const outside = await write('outside/secret.txt', 'the secret words stay outside');
    await symlink(outside, path.join(root, 'train/pos/9_9.txt'));
    const { dataset, preview } = await job(path.join(dir, 'linked'));
    expect(preview.train.count).toBe(3);
    expect(dataset.tokenizer.words).not.toContain('secret');
    await rm(path.join(dataDir, 'cache'), { recursive: true });

    const crowded = path.join(dir, 'crowded', 'aclImdb');
    await writeAclImdbFolder(crowded, Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`train/pos/${i}_9.txt`, 'good'])));
    expect((await failure(path.join(dir, 'crowded'), OPTIONS, { maxEntries: 20 })).message).toBe(
      `${path.join(crowded, 'train', 'pos')}: expected a review folder of at most 20 files. Received: more.`,
    );
  });

  it('a tar that is not aclImdb', async () => {
    const file = await write('x.tar.gz', await makeTar([{ name: 'photos/cat.jpg', body: 'jpeg' }, { name: 'readme.txt', body: 'hi' }]));
    expect((await failure(file)).message).toBe(
      `${file}: expected an aclImdb archive (aclImdb_v1.tar.gz) with review files under train/pos and train/neg (like aclImdb/train/pos/123_9.txt). Received: 2 entries, 0 train/pos and 0 train/neg reviews, 0 test reviews.`,
    );
  });

  it('a truncated plain tar', async () => {
    const tar = await makeTar(aclImdbEntries(REVIEWS), false);
    const cut = await write('cut.tar', tar.subarray(0, 1800));
    expect((await failure(cut)).message).toMatch(new RegExp(`^${cut}: expected a complete tar archive. Received: a truncated file`));
  });

  it('gzip data that is not a tar, and corrupt gzip', async () => {
    const notTar = await write('n.tar.gz', gzipSync(Buffer.from('just some text, not a tar archive at all'.repeat(20))));
    expect((await failure(notTar)).message).toMatch(new RegExp(`^${notTar}: expected a valid tar archive`));
    const gz = await makeTar(aclImdbEntries(REVIEWS));
    gz.fill(0x41, 40, 80);
    const corrupt = await write('c.tar.gz', gz);
    expect((await failure(corrupt)).message).toMatch(new RegExp(`^${corrupt}: expected a valid gzip-compressed tar archive. Received: corrupt compressed data`));
  });

  it('tar entries with ../, an absolute path, a symlink, a hardlink, or too deep a path', async () => {
    const cases: [string, Parameters<typeof makeTar>[0][number], RegExp][] = [
      ['dotdot', { name: 'aclImdb/../../etc/passwd', body: 'x' }, /with a \.\.\/ component/],
      ['absolute', { name: '/etc/cron.d/evil', body: 'x' }, /with an absolute path/],
      ['symlink', { name: 'aclImdb/train/pos/1_9.txt', type: 'symlink', linkname: '/etc/passwd' }, /Received: symlink entry "aclImdb\/train\/pos\/1_9\.txt"/],
      ['hardlink', { name: 'aclImdb/train/pos/1_9.txt', type: 'link', linkname: 'aclImdb/train/neg/0_1.txt' }, /Received: link entry/],
      ['deep', { name: 'a/'.repeat(40) + 'x.txt', body: 'x' }, /deeper than 32 folders/],
    ];
    for (const [name, entry, pattern] of cases) {
      const file = await write(`${name}.tar.gz`, await makeTar([...aclImdbEntries(REVIEWS), entry]));
      const error = await failure(file);
      expect(error.message, name).toMatch(new RegExp(`^${file}: expected .*`));
      expect(error.message, name).toMatch(pattern);
    }
  });

  it('an archive with too many entries, and a gzip bomb, stop at their bounds', async () => {
    const many = await write('many.tar.gz', await makeTar(Array.from({ length: 60 }, (_, i) => ({ name: `aclImdb/train/unsup/${i}_0.txt`, body: '' }))));
    expect((await failure(many, OPTIONS, { maxEntries: 50 })).message).toBe(`${many}: expected an archive of at most 50 entries. Received: more.`);
    const big = await write('big.tar.gz', await makeTar([...aclImdbEntries(REVIEWS), { name: 'aclImdb/padding.bin', body: Buffer.alloc(2 * 1024 * 1024, 7) }]));
    expect((await failure(big, OPTIONS, { maxExpandedBytes: 1024 * 1024 })).message).toBe(
      `${big}: expected an archive that expands to at most 1048576 bytes. Received: more than that (a compression bomb or not a review archive).`,
    );
    // 64 MB of zeros in 64 KB of gzip, with the default limits: stopped after 16 MB, not walked through.
    const bomb = await write('bomb.tar.gz', gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 1 }));
    expect((await failure(bomb)).message).toBe(
      `${bomb}: expected a tar archive of review files. Received: more than 16777216 zero bytes in a row (a compression bomb or an empty disk image).`,
    );
  });

  it('a multi-gigabyte file of zeros is refused from its first bytes', async () => {
    const file = await write('zeros.bin', '');
    await truncate(file, 3 * 1024 ** 3);
    expect((await failure(file)).message).toBe(
      `${file}: expected an aclImdb archive (.tar.gz) or folder, a Keras imdb.npz, or a CSV of reviews and labels. Received: binary data of an unknown kind (starting 0000000000000000).`,
    );
    const empty = await write('empty.csv', '');
    expect((await failure(empty)).message).toMatch(/empty\.csv: expected .* Received: an empty file\.$/);
  });

  it('CSV: no usable label column, more than two classes, header only, unmatched quote, an overlong record', async () => {
    const noLabel = await write('nolabel.csv', 'title,review\nA,great film\nB,bad film\nC,ok film\n');
    expect((await failure(noLabel)).message).toMatch(new RegExp(`^${noLabel}: expected a label column \\(a column of positive/negative, pos/neg or 1/0\\). Received: columns "title" \\("a", "b", "c"\\), "review"`));
    const three = await write('three.csv', 'review,sentiment\ngood,positive\nbad,negative\nmeh,neutral\n');
    expect((await failure(three)).message).toBe(`${three}: expected two classes in label column "sentiment". Received: 3 classes ("positive", "negative", "neutral").`);
    const headerOnly = await write('header.csv', 'review,sentiment\r\n');
    expect((await failure(headerOnly)).message).toBe(`${headerOnly}: expected review rows under the header. Received: only the header ("review", "sentiment").`);
    const quote = await write('quote.csv', 'review,sentiment\n"good film,positive\nbad,negative\n');
    expect((await failure(quote)).message).toMatch(new RegExp(`^${quote}: expected a well-formed CSV file. Received: .*[Qq]uote`));
    const passwd = await write('passwd', 'root:x:0:0:root:/root:/bin/bash\nuser:x:1000:1000:A, B, C:/home/user:/bin/sh\n');
    expect((await failure(passwd)).message).toBe(
      `${passwd}: expected a CSV of reviews and labels: a header row, then one review per row with as many comma-separated fields as the header. Received: 3 fields on line 2 under a header of 1.`,
    );
    const long = await write('long.csv', 'review,sentiment\n' + 'x'.repeat(20_000) + ',positive\nbad,negative\n');
    expect((await failure(long, OPTIONS, { maxReviewBytes: 4096 })).message).toMatch(new RegExp(`^${long}: expected CSV records of at most 4096 characters`));
    const chosen = await write('chosen.csv', 'review,sentiment\ngood,positive\nbad,negative\n');
    expect((await failure(chosen, { ...OPTIONS, csv: { labelColumn: 'stars' } })).message).toBe(`${chosen}: expected a label column named "stars". Received: columns "review", "sentiment".`);
  });

  it('CSV errors never quote what is not a name or a label, and stay one short line for 100,000 columns', async () => {
    // A system file opened by mistake (/etc/shadow's layout): described by position, its lines never quoted.
    const shadow = await write('shadow', 'root:*:20228:0:99999:7:::\ndaemon:$6$salt$hash:20228:0:99999:7:::\nbin:*:20228:0:99999:7:::\n');
    const message = (await failure(shadow)).message;
    expect(message).toBe(`${shadow}: expected a label column (a column of positive/negative, pos/neg or 1/0). Received: columns column 1 (2 values not shown).`);
    expect(message).not.toMatch(/root|daemon|20228|\$6\$/);

    const wide = await write('wide.csv', Array.from({ length: 100_000 }, (_, i) => `c${i % 10}`).join(',') + '\n' + '1,'.repeat(99_999) + '0\n' + '0,'.repeat(99_999) + '1\n');
    const wideMessage = (await failure(wide)).message;
    expect(wideMessage).toMatch(/several fit \("c0", "c1", "c2", "c3", "c4" and 99995 more\)/);
    expect(wideMessage.length).toBeLessThan(300);
  });

  it('npz: missing keys, a pickle naming another global, ../ entry names, lying sizes, overlapping entries', async () => {
    const good = kerasNpz({ x: [[1, 2]], y: [1] }, { x: [[3]], y: [0] });
    const { makeNpz, npy, int64Labels, PickleWriter } = await import('./test-fixtures');

    const missing = await write('missing.npz', makeNpz({ x_train: npy('|O', [1], Buffer.alloc(0)), y_train: int64Labels([1]) }));
    expect((await failure(missing)).message).toBe(
      `${missing}: expected a Keras imdb.npz (a zip of x_train, y_train, x_test, y_test). Received: keys x_train, y_train; missing x_test, y_test.`,
    );

    const evilPickle = new PickleWriter().op(0x80, 2).global('os', 'system').unicode('id').op(0x85, 0x52, 0x2e).build();
    const evil = await write('evil.npz', makeNpz({ x_train: npy('|O', [1], evilPickle), y_train: int64Labels([1]), x_test: npy('|O', [1], evilPickle), y_test: int64Labels([0]) }));
    expect((await failure(evil)).message).toMatch(new RegExp(`^${evil}: x_train: refused pickle: expected only the numpy array globals .* Received: global os\\.system\\.$`));

    const traversal = await write('traversal.npz', makeNpz({ '../x': npy('<i8', [0], Buffer.alloc(0)), x_train: Buffer.alloc(1), y_train: Buffer.alloc(1), x_test: Buffer.alloc(1), y_test: Buffer.alloc(1) }));
    expect((await failure(traversal)).message).toBe(`${traversal}: expected npz entries named like x_train.npy. Received: entry "../x.npy" with a ../ component.`);

    // Lying size: the central directory says y_test.npy inflates to 10 bytes.
    const lying = Buffer.from(good);
    const central = lying.lastIndexOf(Buffer.from('y_test.npy')) - 46;
    lying.writeUInt32LE(10, central + 24);
    const lyingFile = await write('lying.npz', lying);
    expect((await failure(lyingFile)).message).toBe(`${lyingFile}: expected y_test.npy to inflate to its declared 10 bytes. Received: more (a lying size or a zip bomb).`);

    // Overlap: every central entry points at x_train's local header, the classic small-zip-big-claim bomb.
    const overlap = Buffer.from(good);
    let at = overlap.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    let first = -1;
    while (at >= 0) {
      if (first < 0) first = overlap.readUInt32LE(at + 42);
      overlap.writeUInt32LE(first, at + 42);
      at = overlap.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4);
    }
    const overlapFile = await write('overlap.npz', overlap);
    expect((await failure(overlapFile)).message).toMatch(new RegExp(`^${overlapFile}: expected (separate zip entries|a Keras imdb.npz).* Received: .*`));

    const cut = await write('cut.npz', good.subarray(0, good.length - 30));
    expect((await failure(cut)).message).toMatch(new RegExp(`^${cut}: expected a Keras imdb.npz .* Received: a damaged zip`));
  });
});
