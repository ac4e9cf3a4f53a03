/**
 * `metadata.json` and `README.md` of an export: where the model came from (spec, data, training,
 * history, test metrics, app and backend), checksums of every other file, and how to use it.
 */
import { createHash } from 'node:crypto';
import { formatSummary, summarize, type LayerSpec } from '../../src-shared/model';
import type { Project } from '../../src-shared/project';
import type { RunRecord } from '../../src-shared/training';
import { appVersion } from '../platform/app-version';

export const METADATA_FILE = 'metadata.json';
export const README_FILE = 'README.md';
/** Tags `metadata.json`, so an export is told apart from another tool's folder. */
export const EXPORT_FORMAT = 'rnn-workbench-export';

/** `metadata.json`. */
export interface ExportMetadata {
  format: typeof EXPORT_FORMAT;
  version: 1;
  app: { name: 'RNN Workbench'; version: string };
  exportedAt: string;
  /** The TensorFlow.js backend that trained the model (`tensorflow`, `wasm`, `cpu`), when known. */
  backend: string | null;
  engine: RunRecord['engine'] | null;
  /** The model spec and its input length. */
  model: { layers: LayerSpec[]; maxlen: number };
  dataset: RunRecord['dataset'];
  training: RunRecord['training'];
  history: RunRecord['history'];
  /** Metrics on the test split, when the run was evaluated. */
  test: RunRecord['test'] | null;
  /** The run as it was stored (minus process details), so an import restores it. */
  run: Omit<RunRecord, 'pid'>;
  /** Every other file of the export with its size and SHA-256, checked on import. */
  files: Record<string, { bytes: number; sha256: string }>;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Builds `metadata.json` for a run whose other export files are `files`. */
export function buildMetadata(record: RunRecord, layers: LayerSpec[], maxlen: number, files: ReadonlyMap<string, Uint8Array>, now = new Date()): ExportMetadata {
  const { pid: _pid, ...run } = record;
  return {
    format: EXPORT_FORMAT,
    version: 1,
    app: { name: 'RNN Workbench', version: appVersion },
    exportedAt: now.toISOString(),
    backend: record.engine?.backend ?? null,
    engine: record.engine ?? null,
    model: { layers, maxlen },
    dataset: record.dataset,
    training: record.training,
    history: record.history,
    test: record.test ?? null,
    run,
    files: Object.fromEntries([...files].map(([name, data]) => [name, { bytes: data.byteLength, sha256: sha256(data) }])),
  };
}

function metricsLines(record: RunRecord): string[] {
  const last = record.history.at(-1);
  const lines: string[] = [];
  if (last !== undefined) {
    const val = last.val_acc === undefined ? '' : `, validation accuracy ${(last.val_acc * 100).toFixed(1)}% (loss ${last.val_loss!.toFixed(4)})`;
    lines.push(`- After ${last.epoch} epoch(s): training accuracy ${(last.acc * 100).toFixed(1)}% (loss ${last.loss.toFixed(4)})${val}.`);
  }
  if (record.test !== undefined) lines.push(`- Test split: accuracy ${(record.test.acc * 100).toFixed(1)}%, loss ${record.test.loss.toFixed(4)} on ${record.test.count} reviews.`);
  return lines;
}

/** What the export's README says about a format's files. */
export type ReadmeFormat = 'tfjs' | 'python';

/** The README of an export folder: what is in it and the documented way to use it. */
export function buildReadme(record: RunRecord, project: Project, maxlen: number, format: ReadmeFormat, hasResetAfterGru: boolean): string {
  const summary = formatSummary(summarize(project.layers, { maxlen }));
  const tfjs = [
    '## Files',
    '',
    '- `model.json` + `group1-shard*.bin`: the model in the TensorFlow.js layers format.',
    '- `tokenizer.json`: how text becomes the model input (see below).',
    '- `tokenizer.mjs`: that encoding as a dependency-free ES module: `encode(tokenizer, text)` → `Int32Array(maxlen)`.',
    ...(hasResetAfterGru ? ['- `reset-after-gru.mjs`: the `ResetAfterGRU` layer class (Keras\' GRU with `reset_after=True`, which tfjs-layers lacks).'] : []),
    '- `metadata.json`: model spec, dataset, training settings, history, test metrics, app version and backend; SHA-256 of every file.',
    '',
    '## Use it with TensorFlow.js',
    '',
    `In a browser, \`tf.loadLayersModel('https://…/model.json')\`${hasResetAfterGru ? ' after `registerResetAfterGru(tf)`' : ''}. In Node (no tfjs-node needed):`,
    '',
    '```js',
    "import * as tf from '@tensorflow/tfjs';",
    "import { readFile } from 'node:fs/promises';",
    "import { encode } from './tokenizer.mjs';",
    ...(hasResetAfterGru ? ["import { registerResetAfterGru } from './reset-after-gru.mjs';", '', 'registerResetAfterGru(tf); // before loading: the model has a reset-after GRU'] : []),
    '',
    "const dir = new URL('./', import.meta.url);",
    "const manifest = JSON.parse(await readFile(new URL('model.json', dir), 'utf8'));",
    'const shards = await Promise.all(manifest.weightsManifest[0].paths.map((p) => readFile(new URL(p, dir))));',
    'const model = await tf.loadLayersModel(tf.io.fromMemory({',
    '  modelTopology: manifest.modelTopology,',
    '  weightSpecs: manifest.weightsManifest[0].weights,',
    '  weightData: new Uint8Array(Buffer.concat(shards)).buffer,',
    '}));',
    "const tokenizer = JSON.parse(await readFile(new URL('tokenizer.json', dir), 'utf8'));",
    "const ids = encode(tokenizer, 'This movie was a wonderful surprise.');",
    "const probability = (await model.predict(tf.tensor2d(ids, [1, ids.length], 'int32')).data())[0];",
    "console.log(probability > 0.5 ? 'positive' : 'negative', probability);",
    '```',
  ];
  const python = [
    '## Files',
    '',
    '- `predict.py`: rebuilds the model in Keras code, loads `model.h5` and prints a prediction: `python predict.py "A wonderful film."`.',
    '- `model.h5`: the whole model in the Keras 2 HDF5 layout (`keras.models.load_model(\'model.h5\')` also works).',
    '- `tokenizer.json`: how text becomes the model input (see below).',
    '- `metadata.json`: model spec, dataset, training settings, history, test metrics, app version and backend; SHA-256 of every file.',
  ];
  return [
    `# ${record.name} — exported from RNN Workbench ${appVersion}`,
    '',
    'A binary sentiment classifier for movie reviews: the output is the probability that a review is positive.',
    '',
    '```',
    summary,
    '```',
    '',
    ...metricsLines(record),
    '',
    ...(format === 'tfjs' ? tfjs : python),
    '',
    '## How text becomes the model input (`tokenizer.json`)',
    '',
    `Every review is turned into exactly \`maxlen\` = ${maxlen} integer ids, as the training data was:`,
    '',
    '1. If `stripHtmlBreaks`, replace every `<br />` with a space. If `lower`, lowercase the text.',
    '2. Replace every character of `filters` with `split` (a space), split on `split`, drop empty words (Keras `text_to_word_sequence`).',
    '3. A word\'s rank `r` is its 1-based position in `words` (1 = most frequent in the training split); absent words have no rank.',
    '   - `scheme` `keras-tokenizer` (Keras `Tokenizer(num_words)`): the id is `r` when `r < numWords`; other words are dropped.',
    '   - `scheme` `keras-imdb` (`imdb.load_data`): the sequence starts with `startChar`; the id is `r + indexFrom`, and an id',
    '     outside `[skipTop, numWords)` or an absent word becomes `oovChar` (dropped when `oovChar` is null).',
    '4. Keep the last `maxlen` ids and put zeros before them (`pad_sequences(padding=\'pre\', truncating=\'pre\')`).',
    '',
  ].join('\n');
}
