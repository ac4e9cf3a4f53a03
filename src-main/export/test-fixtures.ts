/**
 * Run folders for the export tests, laid out exactly as the training engine stores them (`run.json`,
 * `model.json` + `weights.bin` through the engine's own `saveModel`, `tokenizer.json`), with a
 * small model whose weights are drawn so its outputs spread well away from 0.5.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { KERAS_DEFAULT_FILTERS, type TokenizerSpec } from '../../src-shared/data';
import type { LayerSpec } from '../../src-shared/model';
import { createProject } from '../../src-shared/project';
import type { RunRecord } from '../../src-shared/training';
import { encodeText } from '../data';
import { WordSplitter } from '../data/keras-text';
import { loadWeightsInto, saveModel } from '../engine/model-io';
import { buildTfModel } from '../engine/tfjs-model';
import { readRunFolder, readRunTokenizer, type RunTokenizer } from '../runs/run-store';

/** Reviews with the cases the tokenizer must get right: HTML breaks, case, punctuation, unknown words, length. */
export const sampleTexts = [
  'This movie was GREAT!<br /><br />The acting, the music... all wonderful.',
  'Terrible plot; boring characters (and a worse ending). Avoid it.',
  "It's not bad, not good either: just a film.",
  'Zyzzyva quokka xylophone — none of these words are known.',
  '',
  'great great great wonderful wonderful acting music film movie plot boring terrible bad good '.repeat(4),
  'Ünïcödé wörds and émojis 🎬 mixed with the movie.',
];

/** A Keras `Tokenizer(num_words)` fitted on `sampleTexts`' words by first appearance (frequencies do not matter here). */
export function sampleTokenizer(numWords: number, maxlen: number, scheme: TokenizerSpec['scheme'] = 'keras-tokenizer'): RunTokenizer {
  const splitter = new WordSplitter({ filters: KERAS_DEFAULT_FILTERS, split: ' ', lower: true, stripHtmlBreaks: true });
  const words = [...new Set(sampleTexts.flatMap((text) => splitter.words(text)))].filter((word) => word !== 'zyzzyva');
  const imdb = scheme === 'keras-imdb';
  const indexFrom = imdb ? 3 : 0;
  return {
    version: 1,
    scheme,
    lower: true,
    filters: KERAS_DEFAULT_FILTERS,
    split: ' ',
    stripHtmlBreaks: true,
    numWords,
    startChar: imdb ? 1 : null,
    oovChar: imdb ? 2 : null,
    indexFrom,
    skipTop: 0,
    words: words.slice(0, numWords - 1 - indexFrom),
    shuffleSeed: 113,
    maxlen,
    padding: 'pre',
    truncating: 'pre',
  };
}

/** Embedding → LSTM → Dense(1, sigmoid). */
export function lstmStack(numWords: number): LayerSpec[] {
  return [
    { id: 'e', kind: 'Embedding', options: { input_dim: numWords, output_dim: 8 } },
    { id: 'l', kind: 'LSTM', options: { units: 6 } },
    { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
  ];
}

/** Embedding → Bidirectional(GRU, sequences) → Dropout → SimpleRNN → Dense: the wrapper, Keras' reset-after GRU and a weightless layer. */
export function mixedStack(numWords: number): LayerSpec[] {
  return [
    { id: 'e', kind: 'Embedding', options: { input_dim: numWords, output_dim: 8 } },
    { id: 'b', kind: 'Bidirectional', options: { layer: { kind: 'GRU', options: { units: 5, return_sequences: true } }, merge_mode: 'concat' } },
    { id: 'o', kind: 'Dropout', options: { rate: 0.3 } },
    { id: 's', kind: 'SimpleRNN', options: { units: 4 } },
    { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
  ];
}

/** Sets every weight to a deterministic pseudo-random value in ±scale, so predictions differ by input. */
export function spreadWeights(model: tf.LayersModel, seed: number, scale = 0.8): void {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  model.setWeights(
    model.weights.map((w) => {
      const shape = w.shape as number[];
      return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rand() * 2 - 1) * scale), shape);
    }),
  );
}

/**
 * Writes a finished run into `dir` (created), as the engine would after training.
 *
 * Returns the record and the model the app would predict with.
 */
export async function makeRunFolder(dir: string, layers: LayerSpec[], tokenizer: RunTokenizer, seed = 1): Promise<{ record: RunRecord; model: tf.LayersModel }> {
  await mkdir(dir, { recursive: true });
  const project = createProject(layers);
  project.data.options = { ...project.data.options, maxFeatures: tokenizer.numWords, maxlen: tokenizer.maxlen };
  const model = buildTfModel(layers, { maxlen: tokenizer.maxlen });
  spreadWeights(model, seed);
  await saveModel(dir, model);
  const history = [
    { epoch: 1, loss: 0.61, acc: 0.68, val_loss: 0.52, val_acc: 0.75, seconds: 3.2, gradNorm: 0.4 },
    { epoch: 2, loss: 0.41, acc: 0.83, val_loss: 0.44, val_acc: 0.8, seconds: 3.1, gradNorm: 0.3 },
  ];
  const record: RunRecord = {
    version: 1,
    id: '20261128-060000-abcdef',
    name: layers[1]!.kind,
    status: 'done',
    createdAt: '2026-11-28T06:00:00.000Z',
    updatedAt: '2026-11-28T06:01:00.000Z',
    epochs: 2,
    epochsDone: 2,
    last: history[1],
    test: { loss: 0.45, acc: 0.79, count: 500, confusion: [[200, 50], [55, 195]] },
    engine: { backend: 'cpu', recurrent: 'tfjs' },
    project,
    training: project.training,
    dataset: { path: '/data/aclImdb.tar.gz', fingerprint: 'f1ng3rpr1nt', options: project.data.options, trainCount: 800, validationCount: 200, testCount: 500 },
    history,
    warnings: [],
  };
  await writeFile(path.join(dir, 'run.json'), JSON.stringify(record, null, 2));
  await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  return { record, model };
}

/** What the app predicts for a run folder: the engine's model, weights and tokenizer. */
export async function appProbabilities(runDir: string, texts: string[]): Promise<number[]> {
  const record = await readRunFolder(runDir);
  const tokenizer = await readRunTokenizer(runDir);
  const model = buildTfModel((record.project as { layers: never }).layers, { maxlen: tokenizer.maxlen });
  await loadWeightsInto(runDir, model);
  const x = texts.map((text) => Array.from(encodeText(tokenizer, text, tokenizer.maxlen)));
  const p = model.predict(tf.tensor2d(x, [texts.length, tokenizer.maxlen], 'int32')) as tf.Tensor;
  const values = Array.from(await p.data());
  p.dispose();
  model.dispose();
  return values;
}

/**
 * The export's README steps, run by plain TensorFlow.js in a fresh Node process that has none of the
 * app's code: its own tfjs, the export's tokenizer.mjs and (for GRU) reset-after-gru.mjs.
 */
const plainScript = `
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
const mod = await import(process.env.TFJS_URL);
const tf = mod.default ?? mod;
const texts = JSON.parse(process.env.TEXTS);
const out = {};
for (const folder of JSON.parse(process.env.EXPORTS)) {
  const dir = pathToFileURL(folder + '/');
  const { encode } = await import(new URL('tokenizer.mjs', dir).href);
  if (existsSync(new URL('reset-after-gru.mjs', dir))) {
    const { registerResetAfterGru } = await import(new URL('reset-after-gru.mjs', dir).href);
    registerResetAfterGru(tf);
  }
  const manifest = JSON.parse(await readFile(new URL('model.json', dir), 'utf8'));
  const shards = await Promise.all(manifest.weightsManifest[0].paths.map((p) => readFile(new URL(p, dir))));
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: manifest.modelTopology,
    weightSpecs: manifest.weightsManifest[0].weights,
    weightData: new Uint8Array(Buffer.concat(shards)).buffer,
  }));
  const tokenizer = JSON.parse(await readFile(new URL('tokenizer.json', dir), 'utf8'));
  const ids = texts.map((text) => Array.from(encode(tokenizer, text)));
  const p = model.predict(tf.tensor2d(ids, [texts.length, tokenizer.maxlen], 'int32'));
  out[folder] = { ids, probabilities: Array.from(await p.data()), classes: model.layers.map((l) => l.getClassName()) };
}
await writeFile(process.env.OUT, JSON.stringify(out));
`;

export async function runPlainTfjs(root: string, exports: string[], texts: string[]): Promise<Record<string, { ids: number[][]; probabilities: number[]; classes: string[] }>> {
  const script = path.join(root, 'plain.mjs');
  const out = path.join(root, 'plain-out.json');
  await writeFile(script, plainScript);
  const tfjsUrl = pathToFileURL(createRequire(import.meta.url).resolve('@tensorflow/tfjs')).href;
  await promisify(execFile)(process.execPath, [script], {
    env: { ...process.env, TFJS_URL: tfjsUrl, TEXTS: JSON.stringify(texts), EXPORTS: JSON.stringify(exports), OUT: out },
  });
  return JSON.parse(await readFile(out, 'utf8'));
}
