/**
 * Model weights on disk in the TensorFlow.js layers format (`model.json` + one `weights.bin`),
 * written through a small `tf.io` handler that writes each file atomically, plus the optimizer's
 * state for resuming a run.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { oneLine, WorkbenchError } from '../../src-shared/errors';
import { formatBytes, MAX_FILE_BYTES, requireWithinMemory } from '../../src-shared/limits';
import { writeFileAtomic } from '../platform/atomic-file';
import { describeFileKind, readRegularFile, readRegularText } from '../platform/bounded-file';
import { memoryLimitBytes } from '../platform/memory-limit';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
const OPTIMIZER_FILE = 'optimizer.json';
const OPTIMIZER_WEIGHTS_FILE = 'optimizer.bin';

interface ModelJson {
  modelTopology: object;
  format: string;
  generatedBy: string;
  convertedBy: string | null;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

function toBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const buffer = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  return new Uint8Array(buffer);
}

/** A `tf.io` save handler that writes `model.json` and `weights.bin` into `dir`, weights first. */
export function folderSaveHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const weights = toBytes(artifacts.weightData);
      const json: ModelJson = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
      };
      // Weights go first: a crash between the two renames leaves the old model.json, whose topology
      // (and so weight layout) is the same, next to whole new weights.
      await writeFileAtomic(path.join(dir, WEIGHTS_FILE), weights);
      await writeFileAtomic(path.join(dir, MODEL_FILE), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

async function readJson<T>(file: string, what: string): Promise<T> {
  const text = await readRegularText(file, { what, maxBytes: MAX_FILE_BYTES.modelJson });
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new WorkbenchError('bad_input', `${file}: expected JSON. Received: ${(error as Error).message}`);
  }
}

/** Bytes of float32/int32 weights for specs, from their declared shapes, refusing malformed ones. */
function declaredWeightBytes(specs: unknown, file: string): number {
  if (!Array.isArray(specs)) throw new WorkbenchError('bad_input', `${file}: expected a list of weight specs. Received: ${typeof specs}`);
  let total = 0;
  for (const spec of specs as { shape?: unknown }[]) {
    const shape = spec?.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new WorkbenchError('bad_input', `${file}: expected weight shapes of whole numbers. Received: ${JSON.stringify(shape)?.slice(0, 80)}`);
    }
    total += shape.reduce((a: number, c: number) => a * c, 1) * 4;
  }
  return total;
}

/**
 * Reads the model artifacts saved by `folderSaveHandler` (or any single-folder tfjs layers model). The
 * weights' size comes from the declared shapes and is checked against the memory limit and each shard's
 * size on disk before a shard is read.
 */
export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const modelFile = path.join(dir, MODEL_FILE);
  const json = await readJson<Partial<ModelJson>>(modelFile, "a model's model.json");
  if (typeof json.modelTopology !== 'object' || json.modelTopology === null || !Array.isArray(json.weightsManifest)) {
    throw new WorkbenchError('bad_input', `${modelFile}: expected a TensorFlow.js layers model with modelTopology and weightsManifest.`);
  }
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const shards: string[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const relative of group.paths) {
      const file = path.resolve(dir, relative);
      if (path.dirname(file) !== path.resolve(dir)) {
        throw new WorkbenchError('bad_input', `${modelFile}: weight paths must name files in the same folder. Received: ${relative}`);
      }
      shards.push(file);
    }
  }
  const expected = declaredWeightBytes(weightSpecs, modelFile);
  requireWithinMemory(`The weights ${modelFile} declares`, expected, `${formatBytes(expected)} of float32 weights`, memoryLimitBytes());
  // Named by the shards model.json lists, so a cut shard is found where it is.
  const where = shards.length === 1 ? shards[0]! : `${dir} (${shards.map((file) => path.basename(file)).join(', ')})`;
  let onDisk = 0;
  for (const file of shards) {
    const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
      throw new WorkbenchError('not_found', `${file}: cannot read the model's weights (${error.code ?? error.message}).`);
    });
    if (!info.isFile()) throw new WorkbenchError('bad_input', `${file}: expected the model's weights, a regular file. Received: ${describeFileKind(info)}`);
    onDisk += info.size;
  }
  if (onDisk !== expected) {
    throw new WorkbenchError('bad_input', `${where}: expected ${expected} bytes of weights for ${modelFile}. Received: ${onDisk}`);
  }
  const buffers: Uint8Array[] = [];
  for (const file of shards) buffers.push(await readRegularFile(file, { what: "the model's weights", maxBytes: expected }));
  const weightData = tf.io.concatenateArrayBuffers(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer));
  if (weightData.byteLength !== expected) {
    throw new WorkbenchError('bad_input', `${where}: expected ${expected} bytes of weights for ${modelFile}. Received: ${weightData.byteLength}`);
  }
  return { modelTopology: json.modelTopology, weightSpecs, weightData, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy ?? undefined };
}

/** Saves a model's topology and weights into `dir`. */
export async function saveModel(dir: string, model: tf.LayersModel): Promise<void> {
  await model.save(folderSaveHandler(dir));
}

/**
 * Loads weights saved in `dir` into `model`, matching them by order (the model was rebuilt from the
 * same spec, so its layer names may carry other numeric suffixes).
 */
export async function loadWeightsInto(dir: string, model: tf.LayersModel): Promise<void> {
  const artifacts = await readModelArtifacts(dir);
  const tensors = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  const values = artifacts.weightSpecs!.map((spec) => tensors[spec.name]!);
  const expected = model.weights.map((w) => w.shape.join('×')).join(', ');
  const received = values.map((t) => t.shape.join('×')).join(', ');
  try {
    if (expected !== received) {
      throw new WorkbenchError('bad_input', `${path.join(dir, MODEL_FILE)}: expected weights of shapes ${expected} for this model. Received: ${received}`);
    }
    model.setWeights(values);
  } finally {
    tf.dispose(values);
  }
}

/**
 * What tfjs' refusal to build a model means, in one line. Its own message for a class it lacks is three
 * lines about registerClass(), written for the model's programmer, not for someone opening a file.
 */
export function describeModelBuildError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown (?:layer|initializer|regularizer|constraint|activation)[^:]*: ([A-Za-z0-9_>-]{1,80})/.exec(message);
  if (unknown !== null) return `a layer class TensorFlow.js does not have (${unknown[1]}); custom and Lambda layers cannot be loaded`;
  return oneLine(message, 200);
}

/** Loads a self-contained tfjs layers model from `dir` (stock layer classes only). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const artifacts = await readModelArtifacts(dir);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw new WorkbenchError('bad_input', `${path.join(dir, MODEL_FILE)}: expected a model TensorFlow.js can build from its layers. Received: ${describeModelBuildError(error)}`);
  }
}

/** Saves the optimizer's slots (moving averages, iteration count) so a resumed run continues exactly. */
export async function saveOptimizerState(dir: string, optimizer: tf.Optimizer): Promise<void> {
  const named = await optimizer.getWeights();
  const { data, specs } = await tf.io.encodeWeights(named);
  await writeFileAtomic(path.join(dir, OPTIMIZER_WEIGHTS_FILE), toBytes(data));
  await writeFileAtomic(path.join(dir, OPTIMIZER_FILE), JSON.stringify({ specs }));
}

/**
 * Restores the optimizer's slots. tfjs optimizers match slots to variables by position, so the
 * rebuilt model's new variable names do not matter.
 */
export async function loadOptimizerState(dir: string, optimizer: tf.Optimizer): Promise<void> {
  const optimizerFile = path.join(dir, OPTIMIZER_FILE);
  const { specs } = await readJson<{ specs: tf.io.WeightsManifestEntry[] }>(optimizerFile, "a checkpoint's optimizer.json");
  const expected = declaredWeightBytes(specs, optimizerFile);
  requireWithinMemory(`The optimizer state ${optimizerFile} declares`, expected, `${formatBytes(expected)} of float32 slots`, memoryLimitBytes());
  const bytes = await readRegularFile(path.join(dir, OPTIMIZER_WEIGHTS_FILE), { what: `the optimizer state ${OPTIMIZER_FILE} declares`, maxBytes: expected });
  const tensors = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, specs);
  try {
    await optimizer.setWeights(specs.map((spec) => ({ name: spec.name, tensor: tensors[spec.name]! })));
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
