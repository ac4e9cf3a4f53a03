/**
 * `npm run bench:data [archive] [--max-features N] [--maxlen N]`: the app's data path against Python's
 * tarfile plus Keras-style tokenization (bench/keras_reference.py), run here on the same machine, same
 * file, same options. Checks that both produce the same vocabulary and ids, then prints the figures:
 * cold open (parse + tokenize + cache write), cached reopen, the Python time and the ratio, and the worst
 * main-thread stall while the worker parsed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadDataset, type LoadedDataset } from '../src-main/data/index';

const repoRoot = path.resolve(import.meta.dirname, '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'max-features': { type: 'string', default: '10000' }, maxlen: { type: 'string', default: '500' } },
});
const archive = path.resolve(positionals[0] ?? path.resolve(repoRoot, '../shared/data/aclImdb-train.tar.gz'));
const maxFeatures = Number(values['max-features']);
const maxlen = Number(values.maxlen);

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

const dataDir = await mkdtemp(path.join(tmpdir(), 'rnnwb-bench-'));
try {
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
    ['app / python', `${(cold.seconds / reference.seconds).toFixed(2)} (target <= 0.50)`],
    ['worst main-thread stall during the cold open', `${cold.stallMs.toFixed(0)} ms`],
    ['same counts / vocabulary / ids as the reference', `${same.counts} / ${same.vocabulary} / ${same.ids}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  if (!same.counts || !same.vocabulary || !same.ids) process.exitCode = 1;
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
