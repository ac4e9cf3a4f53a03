/**
 * The export and import implementation (TensorFlow.js, h5wasm, fflate). Callers go through
 * `./index`, which loads this module on first use so the app starts without TensorFlow.js.
 */
import { mkdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { WorkbenchError } from '../../src-shared/errors';
import { computingLayer, type LayerSpec } from '../../src-shared/model';
import { MAX_FILE_BYTES } from '../../src-shared/limits';
import { parseProject, type Project } from '../../src-shared/project';
import type { RunRecord } from '../../src-shared/training';
import { initBackend } from '../engine/backend';
import { loadWeightsInto, MODEL_FILE } from '../engine/model-io';
import { buildTfModel } from '../engine/tfjs-model';
import { newRunId, readRunFolder, RunStore, RUN_FILE, TOKENIZER_FILE, type RunTokenizer } from '../runs/run-store';
import { appVersion } from '../platform/app-version';
import { readRegularText } from '../platform/bounded-file';
import { publishStaged, stageFile, stageFolder, writeFolderAtomic, type AtomicOptions, type StagedOutput } from './atomic-output';
import { kerasH5Bytes, readKerasH5 } from './keras-h5';
import { requireWithoutKeras3HardSigmoid, toKerasModel } from './keras-model';
import { keras3Bytes } from './keras3-file';
import { buildMetadata, buildReadme, METADATA_FILE, README_FILE } from './metadata';
import { pythonScript } from './python-script';
import { RESET_AFTER_GRU_MJS, TOKENIZER_MJS } from './standalone';
import { checkTorchExpressible, torchJobReadme, torchJobSpec, torchModelScript } from './torch-job';
import { RNNWB_PY, TRAIN_PY } from './torch-python';
import { KERAS_FILE, readCheckedExport, type CheckedExport, type ReadExportFile } from './export-reader';
import { loadModelFromArtifacts, MODEL_JSON, modelArtifacts, modelToFiles, readModelArtifacts } from './tfjs-files';
import { parseTokenizerFile, toTokenizerFile } from './tokenizer-file';

import { type ExportFormat, type ExportRequest, type ExportResult, exportFormats, resolveFormat } from './formats';

/** A run opened for export: its record, validated project, tokenizer and standard tfjs model. */
export interface ExportSource {
  record: RunRecord;
  project: Project;
  tokenizer: RunTokenizer;
  /** Built from the spec with tfjs' own layers (never the fused training layers), holding the trained weights. */
  model: tf.LayersModel;
}

/** Whether the stack has a GRU that needs the reset-after class outside the app. */
function usesResetAfterGru(layers: readonly LayerSpec[]): boolean {
  return layers.some((layer) => {
    const { kind, options } = computingLayer(layer);
    return kind === 'GRU' && options['reset_after'] !== false;
  });
}

/**
 * Opens a run folder for export: checks its record, rebuilds the standard model from the spec and
 * loads the trained weights into it.
 */
export async function openRunForExport(runDir: string): Promise<ExportSource> {
  const record = await readRunFolder(runDir);
  const project = parseProject(record.project, path.join(runDir, RUN_FILE));
  const tokenizerFile = path.join(runDir, TOKENIZER_FILE);
  const tokenizerText = await readRegularText(tokenizerFile, { what: 'the tokenizer the run trained with', maxBytes: MAX_FILE_BYTES.vocabulary });
  const tokenizer = parseTokenizerFile(tokenizerText, tokenizerFile);
  const hasWeights = await stat(path.join(runDir, MODEL_FILE)).then(
    () => true,
    () => false,
  );
  if (!hasWeights) {
    throw new WorkbenchError('bad_input', `${runDir}: expected a run with trained weights (${MODEL_FILE}). Received: a ${record.status} run without weights`);
  }
  // The engine's backend, as everywhere in the app (and not tfjs' default cpu, which greets on stderr).
  await initBackend();
  const model = buildTfModel(project.layers, { maxlen: tokenizer.maxlen });
  await loadWeightsInto(runDir, model);
  return { record, project, tokenizer, model };
}

/** The files of a `tfjs` folder export. */
export async function tfjsExportFiles(source: ExportSource, now = new Date()): Promise<Map<string, Uint8Array>> {
  requireWithoutKeras3HardSigmoid(source.project.layers, 'an activation plain TensorFlow.js has to export for the web');
  const encoder = new TextEncoder();
  const { record, project, tokenizer } = source;
  const gru = usesResetAfterGru(project.layers);
  const files = await modelToFiles(source.model, `RNN Workbench ${appVersion} (TensorFlow.js ${tf.version.tfjs})`);
  files.set(TOKENIZER_FILE, encoder.encode(JSON.stringify(toTokenizerFile(tokenizer, tokenizer.maxlen))));
  files.set('tokenizer.mjs', encoder.encode(TOKENIZER_MJS));
  if (gru) files.set('reset-after-gru.mjs', encoder.encode(RESET_AFTER_GRU_MJS));
  files.set(README_FILE, encoder.encode(buildReadme(record, project, tokenizer.maxlen, 'tfjs', gru)));
  files.set(METADATA_FILE, encoder.encode(JSON.stringify(buildMetadata(record, project.layers, tokenizer.maxlen, files, now), null, 2) + '\n'));
  return files;
}

/** The bytes of a Keras 2 `.h5` export. */
export async function kerasH5Export(source: ExportSource): Promise<Uint8Array> {
  requireWithoutKeras3HardSigmoid(source.project.layers, 'an activation Keras 2 has to export a Keras 2 .h5');
  return kerasH5Bytes(toKerasModel(source.project.layers, source.tokenizer.maxlen, source.model));
}

/** The bytes of a Keras 3 `.keras` export: the same layers and weights as the `.h5`, in Keras 3's layout. */
export async function keras3Export(source: ExportSource): Promise<Uint8Array> {
  const keras = toKerasModel(source.project.layers, source.tokenizer.maxlen, source.model);
  return keras3Bytes(source.project.layers, source.tokenizer.maxlen, keras.layers.map((layer) => layer.weights));
}

/** The files of a `python` folder export. */
export async function pythonExportFiles(source: ExportSource, now = new Date()): Promise<Map<string, Uint8Array>> {
  const encoder = new TextEncoder();
  const { record, project, tokenizer } = source;
  const files = new Map<string, Uint8Array>();
  files.set('predict.py', encoder.encode(pythonScript(project.layers, tokenizer.maxlen, `${record.name}: sentiment of a movie review (RNN Workbench ${appVersion}, run ${record.id})`)));
  files.set(KERAS_FILE, await kerasH5Export(source));
  files.set(TOKENIZER_FILE, encoder.encode(JSON.stringify(toTokenizerFile(tokenizer, tokenizer.maxlen))));
  files.set(README_FILE, encoder.encode(buildReadme(record, project, tokenizer.maxlen, 'python', false)));
  files.set(METADATA_FILE, encoder.encode(JSON.stringify(buildMetadata(record, project.layers, tokenizer.maxlen, files, now), null, 2) + '\n'));
  return files;
}

/**
 * The files of a `torch-job` folder export: train.py, model.py and rnnwb.py, the run's settings and
 * Keras layout (job.json), its tokenizer, its trained weights (weights.h5, for --from-weights) and a README.
 */
export async function torchJobFiles(source: ExportSource, now = new Date()): Promise<Map<string, Uint8Array>> {
  const encoder = new TextEncoder();
  const { record, project, tokenizer } = source;
  const keras = toKerasModel(project.layers, tokenizer.maxlen, source.model);
  const files = new Map<string, Uint8Array>();
  files.set('train.py', encoder.encode(TRAIN_PY));
  files.set('model.py', encoder.encode(torchModelScript(project.layers, tokenizer.maxlen, `${record.name}: run ${record.id}, exported by RNN Workbench ${appVersion}`)));
  files.set('rnnwb.py', encoder.encode(RNNWB_PY));
  files.set('job.json', encoder.encode(JSON.stringify(torchJobSpec(record, project, tokenizer.maxlen, keras, now), null, 2) + '\n'));
  files.set(TOKENIZER_FILE, encoder.encode(JSON.stringify(toTokenizerFile(tokenizer, tokenizer.maxlen))));
  files.set('weights.h5', await kerasH5Bytes(keras));
  files.set(README_FILE, encoder.encode(torchJobReadme(record, project, tokenizer.maxlen)));
  return files;
}

/** An export written to its temp beside `out`, to be renamed into place with `publishStaged`. */
export interface StagedExport {
  result: ExportResult;
  staged: StagedOutput;
}

/** Writes an opened run in `format` into a temp beside `out`; nothing is at `out` yet. */
export async function stageExport(source: ExportSource, out: string, format: ExportFormat, options: AtomicOptions = {}): Promise<StagedExport> {
  const target = path.resolve(out);
  const sum = (files: Map<string, Uint8Array>) => [...files.values()].reduce((n, data) => n + data.byteLength, 0);
  switch (format) {
    case 'tfjs':
    case 'python':
    case 'torch-job': {
      const files = format === 'tfjs' ? await tfjsExportFiles(source) : format === 'python' ? await pythonExportFiles(source) : await torchJobFiles(source);
      const staged = await stageFolder(target, files, options);
      return { result: { out: target, format, files: [...files.keys()], bytes: sum(files) }, staged };
    }
    case 'zip': {
      const files = await tfjsExportFiles(source);
      const data = zipSync(Object.fromEntries(files));
      const staged = await stageFile(target, data, options);
      return { result: { out: target, format, files: [path.basename(target)], bytes: data.byteLength }, staged };
    }
    case 'keras-h5':
    case 'keras': {
      const data = format === 'keras' ? await keras3Export(source) : await kerasH5Export(source);
      const staged = await stageFile(target, data, options);
      return { result: { out: target, format, files: [path.basename(target)], bytes: data.byteLength }, staged };
    }
    default:
      throw new WorkbenchError('invalid_request', `format must be one of ${exportFormats.join(', ')}. Received: ${JSON.stringify(format satisfies never)}`);
  }
}

/**
 * A path with the symlinks of its existing part resolved, so a link into a run, or `run/../run/x`, is
 * seen for what it is; the part that does not exist yet is kept as written.
 */
async function realPathOf(location: string): Promise<string> {
  const rest: string[] = [];
  let head = path.resolve(location);
  for (;;) {
    try {
      return path.join(await realpath(head), ...rest.reverse());
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return path.resolve(location);
      rest.push(path.basename(head));
      head = parent;
    }
  }
}

/** Whether one path is the other, or inside it. */
function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(b + path.sep) || b.startsWith(a + path.sep);
}

/**
 * Writes a stored run's export into a temp beside `request.out` (named by `request.tempId` when
 * given); `publishStaged` puts it in place. The engine worker runs this, the main thread publishes.
 *
 * Args:
 *   request: the run (`runDir`, or `runId` + `dataDir`), `out`, `format`, `force`, `writeFile`, `tempId`.
 */
export async function stageRunExport(request: ExportRequest & { tempId?: string }): Promise<StagedExport> {
  const format = resolveFormat(request.out, request.format);
  let runDir = request.runDir;
  if (runDir === undefined) {
    if (request.runId === undefined || request.dataDir === undefined) {
      throw new WorkbenchError('invalid_request', 'Export needs a run: expected runDir, or runId with dataDir. Received: neither');
    }
    runDir = new RunStore(request.dataDir).dir(request.runId);
  }
  const target = await realPathOf(request.out);
  const runPath = await realPathOf(runDir);
  if (overlaps(target, runPath)) {
    throw new WorkbenchError('invalid_request', `out must be a path outside the run it exports, not the run, a folder in it or a folder holding it: writing there would replace the run's files. Received: ${path.resolve(request.out)}`);
  }
  if (request.dataDir !== undefined) {
    const store = await realPathOf(new RunStore(request.dataDir).root);
    if (overlaps(target, store)) {
      throw new WorkbenchError('invalid_request', `out must be a path outside the runs store ${store}: writing there could replace runs. Received: ${path.resolve(request.out)}`);
    }
  }
  if (format === 'torch-job') {
    // Named before the model is built or anything is written.
    checkTorchExpressible(parseProject((await readRunFolder(runDir)).project, path.join(runDir, RUN_FILE)).layers);
  }
  const source = await openRunForExport(runDir);
  try {
    return await stageExport(source, request.out, format, { force: request.force, writeFile: request.writeFile, tempId: request.tempId });
  } finally {
    source.model.dispose();
  }
}

/**
 * Exports a stored run, all or nothing.
 *
 * Args:
 *   request: the run (`runDir`, or `runId` + `dataDir`), `out`, `format`, `force`.
 */
export async function exportRun(request: ExportRequest): Promise<ExportResult> {
  const { result, staged } = await stageRunExport(request);
  await publishStaged(staged, { force: request.force });
  return result;
}

/** A checked export: its files, metadata, project, tokenizer and model artifacts. */
export interface ExportContents extends CheckedExport {
  artifacts: tf.io.ModelArtifacts;
}

/**
 * Reads and checks an export folder or `.zip` (format `tfjs` or `zip`): metadata, every file's
 * checksum, the tokenizer and the model files. Nothing is written.
 */
export async function readExport(location: string): Promise<ExportContents> {
  const checked = await readCheckedExport(location);
  if (checked.metadata.files[MODEL_JSON] !== undefined) return { ...checked, artifacts: await readModelArtifacts(checked.read, location) };
  // A python export: its weights are in model.h5, in the spec's layer order.
  const h5 = await kerasWeights(checked.read, location);
  await initBackend();
  const model = buildTfModel(checked.project.layers, { maxlen: checked.tokenizer.maxlen });
  try {
    // Per layer, in layer order: a model's own `weights` lists trainable weights before frozen ones.
    const layers = model.layers.filter((layer) => layer.weights.length > 0);
    const expected = layers.flatMap((layer) => layer.weights.map((w) => w.shape.join('×'))).join(', ');
    const received = h5.map((w) => w.shape.join('×')).join(', ');
    if (expected !== received) {
      throw new WorkbenchError('bad_input', `${location}/${KERAS_FILE}: expected weights of shapes ${expected} for the model in ${METADATA_FILE}. Received: ${received}`);
    }
    let next = 0;
    for (const layer of layers) {
      const values = layer.weights.map(() => {
        const w = h5[next++]!;
        return tf.tensor(w.values, w.shape);
      });
      layer.setWeights(values);
      tf.dispose(values);
    }
    return { ...checked, artifacts: await modelArtifacts(model) };
  } finally {
    model.dispose();
  }
}

async function kerasWeights(read: ReadExportFile, location: string): Promise<{ shape: number[]; values: Float32Array }[]> {
  const bytes = await read(KERAS_FILE);
  try {
    return (await readKerasH5(bytes!)).layers.flatMap((layer) => layer.weights);
  } catch (error) {
    throw new WorkbenchError('bad_input', `${location}/${KERAS_FILE}: expected a Keras 2 HDF5 model with a model_weights group. Received: ${(error as Error).message}`);
  }
}

/** An export opened for predicting: the model as plain TensorFlow.js loads it, and its tokenizer. */
export interface LoadedExport extends ExportContents {
  model: tf.LayersModel;
}

/** Opens an export folder or `.zip` and loads its model (stock tfjs layers plus the app's ResetAfterGRU). */
export async function loadExport(location: string): Promise<LoadedExport> {
  const contents = await readExport(location);
  await initBackend();
  const model = await loadModelFromArtifacts(contents.artifacts, location);
  return { ...contents, model };
}

/**
 * Imports an export (folder or `.zip`) as a new run in `<dataDir>/runs/`: it is listed, predicts,
 * evaluates and trains further like a run trained here. The run folder appears whole or not at all.
 *
 * Returns the new run's record.
 */
export async function importModel(location: string, dataDir: string): Promise<RunRecord> {
  const store = new RunStore(dataDir);
  const storeRoot = await realPathOf(store.root);
  if (overlaps(await realPathOf(location), storeRoot)) {
    throw new WorkbenchError('invalid_request', `path must be an export outside the runs store ${storeRoot}; a run there is already listed. Received: ${path.resolve(location)}`);
  }
  const loaded = await loadExport(location);
  loaded.model.dispose();
  const { metadata, project, tokenizer, artifacts } = loaded;
  const now = new Date().toISOString();
  const record: RunRecord = {
    ...metadata.run,
    id: newRunId(),
    name: `${metadata.run.name} (imported)`,
    // A run exported mid-training is done as far as this copy goes.
    status: metadata.run.status === 'running' || metadata.run.status === 'loading' ? 'stopped' : metadata.run.status,
    createdAt: now,
    updatedAt: now,
    project,
    checkpointEpoch: undefined,
  };
  const encoder = new TextEncoder();
  const modelJson = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: ['./weights.bin'], weights: artifacts.weightSpecs }],
  };
  const files = new Map<string, Uint8Array>([
    ['weights.bin', new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData))],
    [MODEL_FILE, encoder.encode(JSON.stringify(modelJson))],
    [TOKENIZER_FILE, encoder.encode(JSON.stringify(tokenizer))],
    [RUN_FILE, encoder.encode(JSON.stringify(record, null, 2) + '\n')],
  ]);
  await mkdir(store.root, { recursive: true });
  await writeFolderAtomic(store.dir(record.id), files);
  return record;
}
