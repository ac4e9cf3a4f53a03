/**
 * `npm run bench:data [archive] [--full-like] [--max-features N] [--maxlen N]`: the app's data path against Python's
 * tarfile plus Keras-style tokenization (bench/keras_reference.py), run here on the same machine, same
 * file, same options. Checks that both produce the same vocabulary and ids, then prints the figures:
 * cold open (parse + tokenize + cache write), cached reopen, the Python time and the ratio, and the worst
 * main-thread stall while the worker parsed.
 *
 * Without an archive (or with `--full-like`) it first builds, in a temp folder, an archive shaped like the official
 * aclImdb_v1.tar.gz from the 25,000-review one (or the one given): its reviews again as test/ and twice as
 * train/unsup/ (100,000 files, 50,000 labelled): the archive users download and open.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGunzip, createGzip } from 'node:zlib';
import tarStream from 'tar-stream';
import { loadDataset, type LoadedDataset } from '../src-main/data/index';
import { useBundledEntries } from '../src-main/platform/entry-points';

const repoRoot = path.resolve(import.meta.dirname, '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'max-features': { type: 'string', default: '10000' }, maxlen: { type: 'string', default: '500' }, 'full-like': { type: 'boolean', default: false } },
});
const given = path.resolve(positionals[0] ?? path.resolve(repoRoot, '../shared/data/aclImdb-train.tar.gz'));
const maxFeatures = Number(values['max-features']);
const maxlen = Number(values.maxlen);

// The parser process runs the CLI's compiled bundle, as the installed app does (`npm run bench:data` builds it
// first): from the sources it would compile them through tsx at every start, which no user waits for.
const bundleDir = path.join(repoRoot, 'out/cli');
if (!existsSync(path.join(bundleDir, 'data-worker.js'))) throw new Error(`${bundleDir}/data-worker.js is missing: run npm run build:cli first.`);
useBundledEntries(bundleDir);

const sum = (a: Int32Array): number => a.reduce((s, v) => s + v, 0);

async function timedOpen(dataDir: string): Promise<{ seconds: number; stallMs: number; dataset: LoadedDataset }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  const dataset = await loadDataset(archive, { maxFeatures, maxlen }, { dataDir });
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  return { seconds, stallMs: delay.max / 1e6, dataset };
}

/**
 * Copies every train review of `source` to train/, test/ and train/unsup/ of a new .tar.gz, one folder after the
 * other as in the official archive: copies side by side would fall inside gzip's 32 KB window and compress to
 * nearly nothing, leaving the archive a third of the official's compressed size.
 */
async function buildFullLike(source: string, target: string): Promise<void> {
  const reviews: { name: string; body: Buffer }[] = [];
  const extract = tarStream.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => {
      chunks.push(c as Buffer);
    });
    stream.on('end', () => {
      if (/train\/(pos|neg)\/\d+_\d+\.txt$/.test(header.name)) reviews.push({ name: header.name, body: Buffer.concat(chunks) });
      next();
    });
  });
  await pipeline(createReadStream(source), createGunzip(), extract);
  const pack = tarStream.pack();
  const written = pipeline(pack, createGzip({ level: 6 }), createWriteStream(target));
  const add = (name: string, body: Buffer) =>
    new Promise<void>((resolve, reject) => pack.entry({ name, size: body.length }, body, (error) => (error ? reject(error) : resolve())));
  for (const { name, body } of reviews) await add(name, body);
  for (const { name, body } of reviews) await add(name.replace('/train/', '/test/'), body);
  // The official unsup folder has 50,000 reviews named <n>_0.txt.
  for (let n = 0; n < 2 * reviews.length; n++) {
    const { name, body } = reviews[n % reviews.length]!;
    await add(name.replace(/\/train\/(pos|neg)\/\d+_\d+\.txt$/, `/train/unsup/${n}_0.txt`), body);
  }
  pack.finalize();
  await written;
}

const dataDir = await mkdtemp(path.join(tmpdir(), 'rnnwb-bench-'));
let archive = given;
try {
  if (values['full-like'] || positionals[0] === undefined) {
    archive = path.join(dataDir, 'aclImdb-full-like.tar.gz');
    await buildFullLike(given, archive);
  }
  console.log(`archive ${archive}\nmax-features ${maxFeatures}, maxlen ${maxlen}\n`);
  const cold = await timedOpen(dataDir);
  const warm = await timedOpen(dataDir);
  if (!warm.dataset.preview.cached) throw new Error('the second open was not served from the cache');

  const python = spawnSync('python3', [path.join(repoRoot, 'bench/keras_reference.py'), archive, String(maxFeatures), String(maxlen)], { encoding: 'utf8' });
  if (python.status !== 0) throw new Error(`python3 reference failed: ${python.stderr}`);
  const reference = JSON.parse(python.stdout) as { seconds: number; train: number; test: number; vocabSize: number; vocabularySha256: string; trainIdsSum: number; testIdsSum: number };

  const d = cold.dataset;
  const same = {
    counts: d.train.count === reference.train && d.test.count === reference.test,
    vocabulary: createHash('sha256').update(d.tokenizer.words!.join('\n')).digest('hex') === reference.vocabularySha256 && d.preview.vocabSize === reference.vocabSize,
    ids: sum(d.train.x) === reference.trainIdsSum && sum(d.test.x) === reference.testIdsSum,
  };
  const rows: [string, string][] = [
    ['reviews (train / test)', `${d.train.count} / ${d.test.count}`],
    ['app, cold open (worker: parse, tokenize, pad, cache)', `${cold.seconds.toFixed(2)} s`],
    ['app, cached reopen', `${warm.seconds.toFixed(2)} s`],
    ['python3 tarfile + Keras-style tokenization', `${reference.seconds.toFixed(2)} s`],
    ['app / python', `${(cold.seconds / reference.seconds).toFixed(2)} (target <= 0.40)`],
    ['worst main-thread stall during the cold open', `${cold.stallMs.toFixed(0)} ms`],
    ['same counts / vocabulary / ids as the reference', `${same.counts} / ${same.vocabulary} / ${same.ids}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  if (!same.counts || !same.vocabulary || !same.ids) process.exitCode = 1;
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
