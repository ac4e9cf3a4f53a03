/**
 * The TensorFlow.js layers format in memory: a model to `model.json` plus weight shards, and back,
 * checking each file so a missing, cut or foreign file is named in the error.
 */
import * as tf from '@tensorflow/tfjs';
import { WorkbenchError } from '../../src-shared/errors';
import { describeModelBuildError } from '../engine/model-io';

export const MODEL_JSON = 'model.json';

/** tfjs-converter's default shard size, so large Embeddings split the way converted models do. */
export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

/** Bytes per element of the dtypes a layers model stores. */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** A layers model's topology and weights, as `model.save` hands them to a save handler. */
export async function modelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts & Required<Pick<tf.io.ModelArtifacts, 'weightSpecs' | 'weightData'>>> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(saved) };
    }),
  );
  if (artifacts?.weightSpecs === undefined || artifacts.weightData === undefined) {
    throw new WorkbenchError('internal', 'TensorFlow.js saved the model without weights.');
  }
  return { ...artifacts, weightSpecs: artifacts.weightSpecs, weightData: artifacts.weightData };
}

/**
 * Serialises a layers model as `model.json` and `group1-shardNofM.bin` files, as `tf.io` and
 * tfjs-converter lay them out.
 *
 * Args:
 *   model: the model; its topology and weights are saved as they are.
 *   generatedBy: written to `model.json`'s `generatedBy` field.
 *   shardBytes: the largest shard. Default 4 MiB.
 */
export async function modelToFiles(model: tf.LayersModel, generatedBy: string, shardBytes = DEFAULT_SHARD_BYTES): Promise<Map<string, Uint8Array>> {
  const artifacts = await modelArtifacts(model);
  const data = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const count = Math.max(1, Math.ceil(data.byteLength / shardBytes));
  const files = new Map<string, Uint8Array>();
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `group1-shard${i + 1}of${count}.bin`;
    paths.push(name);
    files.set(name, data.subarray(i * shardBytes, Math.min(data.byteLength, (i + 1) * shardBytes)));
  }
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: 'layers-model',
    generatedBy,
    convertedBy: null,
    weightsManifest: [{ paths, weights: artifacts.weightSpecs }],
  };
  files.set(MODEL_JSON, new TextEncoder().encode(JSON.stringify(modelJson)));
  return files;
}

/** Reads one file of a model folder, or undefined when it does not exist. */
export type ReadModelFile = (name: string) => Promise<Uint8Array | undefined>;

/** A plain file name: model.json may not point outside its folder. */
const PLAIN_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Parses `model.json` and reads its weight shards, refusing anything that is not a layers model whose
 * shards are present and exactly as long as the weights it lists.
 *
 * Args:
 *   read: reads a file by name from the model's folder (or zip).
 *   where: the folder or zip, for messages.
 */
export async function readModelArtifacts(read: ReadModelFile, where: string): Promise<tf.io.ModelArtifacts> {
  const file = `${where}/${MODEL_JSON}`;
  const bytes = await read(MODEL_JSON);
  if (bytes === undefined) throw new WorkbenchError('bad_input', `${where}: expected a TensorFlow.js model folder with ${MODEL_JSON}. Received: no ${MODEL_JSON}`);
  let json: Partial<tf.io.ModelJSON> & Record<string, unknown>;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes)) as typeof json;
  } catch (error) {
    throw new WorkbenchError('bad_input', `${file}: expected TensorFlow.js layers-model JSON. Received: invalid JSON (${(error as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new WorkbenchError('bad_input', `${file}: expected a TensorFlow.js layers-model object. Received: ${JSON.stringify(json)}`);
  }
  const topology = json.modelTopology as { class_name?: unknown; model_config?: unknown; node?: unknown } | undefined;
  if (json.format === 'graph-model' || (topology !== undefined && Array.isArray(topology.node))) {
    throw new WorkbenchError(
      'bad_input',
      `${file}: expected a TensorFlow.js layers model. Received: a graph model (${String(json.convertedBy ?? json.generatedBy ?? 'unknown tool')}), which has no layers to train or export`,
    );
  }
  if (topology === undefined || typeof topology !== 'object' || !Array.isArray(json.weightsManifest)) {
    throw new WorkbenchError(
      'bad_input',
      `${file}: expected a TensorFlow.js layers model with "modelTopology" and "weightsManifest". Received: an object with keys ${Object.keys(json).join(', ') || '(none)'}`,
    );
  }
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    const paths = group?.paths;
    const weights = group?.weights;
    if (!Array.isArray(paths) || !Array.isArray(weights)) {
      throw new WorkbenchError('bad_input', `${file}: expected each weightsManifest group to have "paths" and "weights" lists. Received: ${JSON.stringify(group).slice(0, 120)}`);
    }
    let expected = 0;
    for (const spec of weights) {
      const size = DTYPE_BYTES[spec?.dtype];
      const shape = spec?.shape;
      if (size === undefined || !Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0) || spec.quantization !== undefined) {
        throw new WorkbenchError('bad_input', `${file}: expected unquantized float32/int32 weights with integer shapes. Received: ${JSON.stringify(spec).slice(0, 120)}`);
      }
      expected += size * shape.reduce((a, b) => a * b, 1);
      weightSpecs.push(spec);
    }
    let got = 0;
    for (const name of paths) {
      if (typeof name !== 'string' || !PLAIN_NAME.test(name)) {
        throw new WorkbenchError('bad_input', `${file}: expected weight files named plainly inside the model folder. Received: ${JSON.stringify(name)}`);
      }
      const shard = await read(name);
      if (shard === undefined) {
        throw new WorkbenchError('bad_input', `${where}/${name}: the weight file ${MODEL_JSON} lists is missing. Expected ${paths.length} shard(s): ${paths.join(', ')}`);
      }
      got += shard.byteLength;
      buffers.push(shard.slice().buffer);
    }
    if (got !== expected) {
      throw new WorkbenchError(
        'bad_input',
        `${where}/${paths.join(', ')}: expected ${expected.toLocaleString('en-US')} bytes of weights as ${MODEL_JSON} lists them. Received: ${got.toLocaleString('en-US')} bytes (a cut or corrupt weight file)`,
      );
    }
  }
  return {
    modelTopology: topology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    weightSpecs,
    weightData: tf.io.CompositeArrayBuffer.join(buffers),
  };
}

/**
 * Builds the model from artifacts; tfjs' own complaints (an unknown layer class from another tool)
 * become one house-style error naming the file.
 */
export async function loadModelFromArtifacts(artifacts: tf.io.ModelArtifacts, where: string): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw new WorkbenchError('bad_input', `${where}/${MODEL_JSON}: expected a model TensorFlow.js can build from its layers. Received: ${describeModelBuildError(error)}`);
  }
}
