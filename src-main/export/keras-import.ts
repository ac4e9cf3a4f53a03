/**
 * A Keras model file as a run of the app: the file's stack built with the standard tfjs layers, its
 * weights set layer by layer in Keras' order, stored as a run folder (weights, tokenizer, record) that
 * appears whole or not at all. Used by the app's service, the CLI's `import` and `predict`, and by any
 * job that brings back a Keras model (e.g. a PyTorch job's `model.h5` in the app's own Keras 2 layout).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { TokenizerSpec } from '../../src-shared/data';
import { DATASET_SHUFFLE_SEED } from '../../src-shared/data';
import { WorkbenchError } from '../../src-shared/errors';
import { analyzeStack } from '../../src-shared/model/analyze';
import { isRecurrentLayer } from '../../src-shared/model/bidirectional';
import type { LayerSpec } from '../../src-shared/model/types';
import { PROJECT_VERSION, projectSchema, type Project } from '../../src-shared/project';
import { trainingConfigSchema, type RunRecord } from '../../src-shared/training';
import { initBackend } from '../engine/backend';
import { fusedRefusal } from '../engine/fused';
import { MODEL_FILE, WEIGHTS_FILE } from '../engine/model-io';
import { buildTfModel } from '../engine/tfjs-model';
import { openKerasFile, type OpenKerasOptions } from '../keras/open-keras-file';
import type { KerasModelFile } from '../keras/keras-model-file';
import { readKerasTokenizer } from '../keras/keras-tokenizer';
import { newRunId, RunStore, RUN_FILE, TOKENIZER_FILE, type RunTokenizer } from '../runs/run-store';
import { writeFolderAtomic } from './atomic-output';
import { parseTokenizerFile } from './tokenizer-file';

/** The input length assumed for a model that takes any length and is given none: the app's default maxlen. */
export const DEFAULT_IMPORT_MAXLEN = 500;

export interface ImportKerasOptions extends OpenKerasOptions {
  /** The app's data folder; the run goes to `<dataDir>/runs/<id>/`. */
  dataDir: string;
  /** `imdb_word_index.json` or a `Tokenizer.to_json()` file, so the model can read typed text. */
  tokenizer?: string;
  /** The input length for a model that does not fix one. Default 500. */
  maxlen?: number;
  /** The run's name. Default the file's name. */
  name?: string;
}

/** What an import stored. */
export interface KerasImport {
  record: RunRecord;
  /** Keras' `count_params()` over the file's weights. */
  totalParams: number;
}

/** A Keras file opened and built: the tfjs model holds the file's weights. */
export interface BuiltKerasModel {
  file: KerasModelFile;
  model: tf.LayersModel;
  maxlen: number;
  /** Per layer with a recurrent part: which implementation computes it in training and why. */
  paths: string[];
}

function inputDimOf(layers: readonly LayerSpec[]): number {
  return layers[0]!.options['input_dim'] as number;
}

/** Which implementation computes each recurrent layer in the engine (fused kernels or tfjs-layers), and why. */
function recurrentPaths(file: KerasModelFile, maxlen: number): string[] {
  const analysis = analyzeStack(file.layers, { maxlen }, { binaryOutput: false });
  return analysis.layers
    .filter((layer) => isRecurrentLayer(layer.spec))
    .map((layer) => {
      const refusal = fusedRefusal({ kind: layer.spec.kind, options: layer.options!, name: layer.name }, layer.inputShape!);
      return refusal === undefined ? `${layer.name} (${layer.spec.kind}): fused native kernels` : `${layer.name} (${layer.spec.kind}): tfjs-layers (${refusal})`;
    });
}

/**
 * Opens a Keras file and builds it with tfjs-layers' own layers (plus the app's ResetAfterGRU), with
 * the file's weights. The caller disposes `model`.
 *
 * Args:
 *   file: the `.h5` or `.keras` path.
 *   options: `arch` for a weights-only `.h5`, `maxlen` for a model of any input length, the parser launcher.
 */
export async function buildKerasModel(file: string, options: OpenKerasOptions & { maxlen?: number } = {}): Promise<BuiltKerasModel> {
  const opened = await openKerasFile(file, options);
  if (opened.maxlen !== null && options.maxlen !== undefined && options.maxlen !== opened.maxlen) {
    throw new WorkbenchError('bad_input', `maxlen must be the input length ${opened.maxlen} that ${file} fixes. Received: ${options.maxlen}`);
  }
  return buildOpened(opened, opened.maxlen ?? options.maxlen ?? DEFAULT_IMPORT_MAXLEN);
}

/**
 * Runs `build` without tfjs-layers' warning that orthogonal initialisation of a large recurrent kernel
 * is slow: the initial values are replaced by the file's at once, and the warning would end up in CLI output.
 */
function quietly<T>(build: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]): void => {
    if (typeof args[0] === 'string' && args[0].startsWith('Orthogonal initializer is being called')) return;
    warn(...args);
  };
  try {
    return build();
  } finally {
    console.warn = warn;
  }
}

/** Builds an opened Keras file for inputs of `maxlen` ids, with its weights. */
async function buildOpened(opened: KerasModelFile, maxlen: number): Promise<BuiltKerasModel> {
  await initBackend();
  const model = quietly(() => buildTfModel(opened.layers, { maxlen }));
  try {
    const layers = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
    layers.forEach((layer, index) => {
      const weights = opened.weights[index]!;
      if (weights.length === 0) return;
      const tensors = weights.map((w) => tf.tensor(w.values, w.shape, 'float32'));
      try {
        layer.setWeights(tensors);
      } finally {
        tf.dispose(tensors);
      }
    });
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { file: opened, model, maxlen, paths: recurrentPaths(opened, maxlen) };
}

/** The tokenizer file of an imported run: attached, or one without words (it predicts ids, not typed text). */
function runTokenizer(spec: TokenizerSpec | undefined, inputDim: number, maxlen: number): RunTokenizer {
  const base: TokenizerSpec = spec ?? {
    version: 1,
    scheme: 'keras-imdb',
    lower: true,
    filters: '',
    split: ' ',
    stripHtmlBreaks: true,
    numWords: inputDim,
    startChar: 1,
    oovChar: 2,
    indexFrom: 3,
    skipTop: 0,
    words: null,
    shuffleSeed: DATASET_SHUFFLE_SEED,
  };
  return { ...base, maxlen, padding: 'pre', truncating: 'pre' };
}

/**
 * Imports a Keras model file as a new run in `<dataDir>/runs/`: the stack with every option, the
 * file's weights, and a tokenizer when one is given. Nothing is stored when anything fails.
 *
 * Args:
 *   file: a Keras 2 `.h5` (full model, or weights with `options.arch`), a Keras 3 `.h5` or `.keras`.
 *   options: `dataDir`, and optionally `arch`, `tokenizer`, `maxlen`, `name`, the parser launcher.
 */
export async function importKerasModel(file: string, options: ImportKerasOptions): Promise<KerasImport> {
  return storeKerasModel(await openKerasFile(path.resolve(file), options), options);
}

/**
 * Stores an opened Keras file as a new run (see `importKerasModel`). The app opens the file on its
 * main thread (the parser process is launched from there) and stores it in the engine worker.
 */
export async function storeKerasModel(opened: KerasModelFile, options: Omit<ImportKerasOptions, 'arch' | 'launchProcess' | 'heapMb'>): Promise<KerasImport> {
  if (opened.maxlen !== null && options.maxlen !== undefined && options.maxlen !== opened.maxlen) {
    throw new WorkbenchError('bad_input', `maxlen must be the input length ${opened.maxlen} that the file fixes. Received: ${options.maxlen}`);
  }
  const resolved = opened.file;
  const built = await buildOpened(opened, opened.maxlen ?? options.maxlen ?? DEFAULT_IMPORT_MAXLEN);
  try {
    const { model, maxlen } = built;
    const inputDim = inputDimOf(opened.layers);
    const tokenizer = options.tokenizer === undefined ? undefined : await readKerasTokenizer(path.resolve(options.tokenizer), inputDim, (text, at) => {
            // The input length is the model's; a tokenizer.json of the app carries one of its own.
            const { maxlen: _maxlen, padding: _padding, truncating: _truncating, ...spec } = parseTokenizerFile(text, at);
            return spec;
          });
    const notes = [...opened.notes];
    if (opened.maxlen === null) notes.push(`The model takes inputs of any length; reviews are padded to ${maxlen} ids${options.maxlen === undefined ? ' (the default; set maxlen to change it)' : ''}.`);
    const dataOptions = { maxFeatures: inputDim, maxlen };
    const project: Project = projectSchema.parse({ version: PROJECT_VERSION, layers: opened.layers, data: { path: null, options: dataOptions } });
    const now = new Date().toISOString();
    const record: RunRecord = {
      version: 1,
      id: newRunId(),
      name: options.name ?? path.basename(resolved),
      status: 'done',
      createdAt: now,
      updatedAt: now,
      epochs: 0,
      epochsDone: 0,
      project,
      training: trainingConfigSchema.parse({}),
      dataset: { path: '', fingerprint: '', options: project.data.options, trainCount: 0, validationCount: 0, testCount: 0 },
      history: [],
      warnings: [],
      imported: { file: resolved, layout: opened.layout, kerasVersion: opened.kerasVersion, paths: built.paths, notes, hasTokenizer: tokenizer !== undefined },
    };
    const { weightData, weightSpecs, modelTopology } = await new Promise<tf.io.ModelArtifacts>((resolve, reject) => {
      model
        .save(
          tf.io.withSaveHandler(async (artifacts) => {
            resolve(artifacts);
            return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
          }),
        )
        .catch(reject);
    });
    const encoder = new TextEncoder();
    const modelJson = { modelTopology, format: 'layers-model', generatedBy: `RNN Workbench import of ${path.basename(resolved)}`, convertedBy: null, weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: weightSpecs }] };
    const files = new Map<string, Uint8Array>([
      [WEIGHTS_FILE, new Uint8Array(tf.io.CompositeArrayBuffer.join(weightData!))],
      [MODEL_FILE, encoder.encode(JSON.stringify(modelJson))],
      [TOKENIZER_FILE, encoder.encode(JSON.stringify(runTokenizer(tokenizer, inputDim, maxlen)))],
      [RUN_FILE, encoder.encode(JSON.stringify(record, null, 2) + '\n')],
    ]);
    const store = new RunStore(options.dataDir);
    await mkdir(store.root, { recursive: true });
    await writeFolderAtomic(store.dir(record.id), files);
    return { record, totalParams: opened.totalParams };
  } finally {
    built.model.dispose();
  }
}

/**
 * The model's last-layer output for each row of ids (already padded), computed by the file's model.
 *
 * Args:
 *   file: the Keras file.
 *   rows: equal-length id rows.
 *   options: `arch` for a weights-only `.h5`, the parser launcher.
 */
export async function predictKerasFile(file: string, rows: number[][], options: OpenKerasOptions = {}): Promise<number[][]> {
  const length = rows[0]?.length ?? 0;
  const opened = await openKerasFile(file, options);
  if (opened.maxlen !== null && opened.maxlen !== length) {
    throw new WorkbenchError('bad_input', `--ids-file rows must have ${opened.maxlen} ids, the input length ${file} fixes. Received: ${length}`);
  }
  // A model of any input length is built for the rows' length.
  const built = await buildOpened(opened, length);
  try {
    return await predictRows(built.model, rows);
  } finally {
    built.model.dispose();
  }
}

/** Runs `model` on id rows and returns each row's output as plain numbers (float32 values, exactly). */
export async function predictRows(model: tf.LayersModel, rows: number[][]): Promise<number[][]> {
  const length = rows[0]?.length ?? 0;
  const output = tf.tidy(() => {
    const y = model.predict(tf.tensor2d(rows.flat(), [rows.length, length], 'int32')) as tf.Tensor;
    return y.reshape([rows.length, -1]);
  });
  try {
    return (await output.array()) as number[][];
  } finally {
    output.dispose();
  }
}
