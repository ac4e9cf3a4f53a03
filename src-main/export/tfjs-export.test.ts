import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeText } from '../data';
import { readRunFolder, readRunTokenizer, RunStore } from '../runs/run-store';
import { exportRun, importModel, loadExport, readModelDir } from '.';
import { appProbabilities, lstmStack, makeRunFolder, mixedStack, runPlainTfjs, sampleTexts, sampleTokenizer } from './test-fixtures';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rnn-export-tfjs-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('tfjs export', () => {
  it('loads in plain TensorFlow.js and, with the documented tokenizer, predicts what the app predicts', async () => {
    const lstmRun = path.join(root, 'run-lstm');
    const mixedRun = path.join(root, 'run-mixed');
    await makeRunFolder(lstmRun, lstmStack(40), sampleTokenizer(40, 24), 3);
    await makeRunFolder(mixedRun, mixedStack(30), sampleTokenizer(30, 16, 'keras-imdb'), 7);
    const lstmOut = path.join(root, 'export-lstm');
    const mixedOut = path.join(root, 'export-mixed');
    const result = await exportRun({ runDir: lstmRun, out: lstmOut });
    await exportRun({ runDir: mixedRun, out: mixedOut, format: 'tfjs' });
    expect(result.format).toBe('tfjs');
    expect((await readdir(lstmOut)).sort()).toEqual(['README.md', 'group1-shard1of1.bin', 'metadata.json', 'model.json', 'tokenizer.json', 'tokenizer.mjs']);
    expect(await readdir(mixedOut)).toContain('reset-after-gru.mjs');

    const plain = await runPlainTfjs(root, [lstmOut, mixedOut], sampleTexts);
    for (const [run, out] of [
      [lstmRun, lstmOut],
      [mixedRun, mixedOut],
    ] as const) {
      const tokenizer = await readRunTokenizer(run);
      expect(plain[out]!.ids).toEqual(sampleTexts.map((text) => Array.from(encodeText(tokenizer, text, tokenizer.maxlen))));
      const app = await appProbabilities(run, sampleTexts);
      plain[out]!.probabilities.forEach((p, i) => expect(Math.abs(p - app[i]!)).toBeLessThan(1e-5));
      // The weights are spread so the check compares real outputs, not a constant 0.5.
      expect(Math.max(...app) - Math.min(...app)).toBeGreaterThan(0.01);
    }
    expect(plain[mixedOut]!.classes).toEqual(['Embedding', 'Bidirectional', 'Dropout', 'SimpleRNN', 'Dense']);
  });

  it('writes the tokenizer cut to num_words, the metadata with checksums, and a README with the steps', async () => {
    const run = path.join(root, 'run-meta');
    const { record } = await makeRunFolder(run, lstmStack(40), sampleTokenizer(40, 24), 5);
    const out = path.join(root, 'export-meta');
    await exportRun({ runDir: run, out });
    const tokenizer = JSON.parse(await readFile(path.join(out, 'tokenizer.json'), 'utf8'));
    expect(tokenizer).toMatchObject({ scheme: 'keras-tokenizer', numWords: 40, maxlen: 24, padding: 'pre', truncating: 'pre', lower: true, indexFrom: 0 });
    expect(tokenizer.words.length).toBeLessThan(40);
    const metadata = JSON.parse(await readFile(path.join(out, 'metadata.json'), 'utf8'));
    expect(metadata).toMatchObject({
      format: 'rnn-workbench-export',
      app: { name: 'RNN Workbench' },
      backend: 'cpu',
      model: { layers: lstmStack(40), maxlen: 24 },
      dataset: { fingerprint: 'f1ng3rpr1nt' },
      training: record.training,
      history: record.history,
      test: record.test,
    });
    expect(Object.keys(metadata.files).sort()).toEqual(['README.md', 'group1-shard1of1.bin', 'model.json', 'tokenizer.json', 'tokenizer.mjs']);
    const readme = await readFile(path.join(out, 'README.md'), 'utf8');
    expect(readme).toContain('lstm (LSTM)');
    expect(readme).toContain("encode(tokenizer, 'This movie was a wonderful surprise.')");
    expect(readme).not.toContain('registerResetAfterGru');
  });

  it('splits weights into shards the manifest lists, and reads them back', async () => {
    const run = path.join(root, 'run-shards');
    await makeRunFolder(run, [{ id: 'e', kind: 'Embedding', options: { input_dim: 40, output_dim: 8 } }, ...lstmStack(40).slice(1)], sampleTokenizer(40, 24), 2);
    const { openRunForExport } = await import('.');
    const { modelToFiles, readModelArtifacts } = await import('./tfjs-files');
    const source = await openRunForExport(run);
    const files = await modelToFiles(source.model, 'test', 1000);
    const manifest = JSON.parse(new TextDecoder().decode(files.get('model.json')));
    expect(manifest.weightsManifest[0].paths.length).toBeGreaterThan(1);
    expect(manifest.weightsManifest[0].paths.every((name: string) => files.get(name)!.byteLength <= 1000)).toBe(true);
    const artifacts = await readModelArtifacts(async (name) => files.get(name), 'memory');
    const decoded = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
    const names = source.model.weights.map((w) => w.originalName);
    names.forEach((name) => expect(Array.from(decoded[name]!.dataSync())).toEqual(Array.from(source.model.weights.find((w) => w.originalName === name)!.read().dataSync())));
  });

  it('round-trips through a .zip and an import into the run store', async () => {
    const run = path.join(root, 'run-zip');
    await makeRunFolder(run, mixedStack(30), sampleTokenizer(30, 16), 11);
    const zip = path.join(root, 'model.zip');
    const result = await exportRun({ runDir: run, out: zip });
    expect(result.format).toBe('zip');
    const app = await appProbabilities(run, sampleTexts);

    const loaded = await loadExport(zip);
    const x = sampleTexts.map((text) => Array.from(encodeText(loaded.tokenizer, text, loaded.tokenizer.maxlen)));
    const p = Array.from((loaded.model.predict(tf.tensor2d(x, [x.length, loaded.tokenizer.maxlen], 'int32')) as tf.Tensor).dataSync());
    p.forEach((value, i) => expect(Math.abs(value - app[i]!)).toBeLessThan(1e-6));

    const dataDir = path.join(root, 'data');
    const imported = await importModel(zip, dataDir);
    const importedDir = path.join(dataDir, 'runs', imported.id);
    expect(imported.name).toBe('Bidirectional (imported)');
    expect((await readRunFolder(importedDir)).history).toHaveLength(2);
    expect((await new RunStore(dataDir).list()).map((r) => [r.id, r.status])).toEqual([[imported.id, 'done']]);
    const again = await appProbabilities(importedDir, sampleTexts);
    again.forEach((value, i) => expect(Math.abs(value - app[i]!)).toBeLessThan(1e-6));
    // predict/evaluate --model-dir read a run folder and an export folder alike.
    const fromExport = await readModelDir((await exportRun({ runDir: run, out: path.join(root, 'export-zip-folder') })).out);
    expect(fromExport.record.project).toEqual((await readModelDir(importedDir)).record.project);
    expect(fromExport.tokenizer).toEqual(await readRunTokenizer(run));
  });
});
