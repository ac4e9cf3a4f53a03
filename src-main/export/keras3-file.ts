/**
 * A Keras 3 `.keras` file (`model.save('model.keras')`'s layout), as the real Keras 3.13 files are:
 *
 *   metadata.json      {keras_version, date_saved}
 *   config.json        {module: 'keras', class_name: 'Sequential', config: {name, trainable, dtype, layers, build_input_shape}, registered_name, build_config}
 *                      each layer {module: 'keras.layers', class_name, config, registered_name: null, build_config: {input_shape}}
 *   model.weights.h5   layers/<class in snake case, counted>/vars/0, 1, … (a recurrent layer's under cell/,
 *                      a Bidirectional's under forward_layer/cell/ and backward_layer/cell/)
 *
 * The entries are stored uncompressed, as Keras writes them. `keras.saving.load_model` rebuilds the model
 * from config.json and matches weights by those group paths.
 */
import type { Group } from 'h5wasm';
import { zipSync } from 'fflate';
import { WorkbenchError } from '../../src-shared/errors';
import { analyzeStack, getLayerKind, wrappedLayer, type LayerSpec, type Shape } from '../../src-shared/model';
import { appVersion } from '../platform/app-version';
import { kerasSnakeCase } from '../keras/keras-model-file';

/** The Keras version whose `.keras` layout and config spelling the export follows. */
export const KERAS3_VERSION = '3.13.2';

/** One layer's weights, in the order the app's layer kind lists them (Keras' order). */
export type LayerWeights = { shape: number[]; values: Float32Array }[];

const dtypePolicy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

/** A kind's Keras 3 config: 1-D sizes as 1-element lists, then what the kind adds or drops. */
function keras3Options(kind: string, options: Record<string, unknown>): Record<string, unknown> {
  const spelling = getLayerKind(kind)!.keras;
  const listed = { ...options };
  for (const key of spelling.tupleOptions ?? []) if (typeof listed[key] === 'number') listed[key] = [listed[key]];
  return spelling.keras3Config === undefined ? listed : spelling.keras3Config(listed);
}

/**
 * The options with activations as Keras 3 names them (the app's `hard_sigmoid_k3` is Keras 3's
 * `hard_sigmoid`), refusing Keras 2's `hard_sigmoid`, which Keras 3 would compute differently.
 */
function keras3Activations(layerName: string, options: Record<string, unknown>): Record<string, unknown> {
  const named = { ...options };
  for (const key of ['activation', 'recurrent_activation']) {
    if (options[key] === 'hard_sigmoid') {
      throw new WorkbenchError(
        'bad_input',
        `${layerName}: ${key} must be an activation Keras 3 computes the same way to export a .keras file. Received: 'hard_sigmoid' (Keras 2's clip(0.2x + 0.5, 0, 1); Keras 3's hard_sigmoid is clip(x / 6 + 0.5, 0, 1)); export keras-h5 instead`,
      );
    }
    if (options[key] === 'hard_sigmoid_k3') named[key] = 'hard_sigmoid';
  }
  return named;
}

function layerEntry(className: string, config: Record<string, unknown>, inputShape: Shape | undefined): Record<string, unknown> {
  return { module: 'keras.layers', class_name: className, config, registered_name: null, ...(inputShape === undefined ? {} : { build_config: { input_shape: inputShape } }) };
}

/** config.json of a Sequential model for `stack` on inputs of `maxlen` ids. */
export function keras3Config(stack: readonly LayerSpec[], maxlen: number): Record<string, unknown> {
  const analysis = analyzeStack(stack, { maxlen }, { binaryOutput: false });
  if (analysis.issues.length > 0) throw new WorkbenchError('bad_input', `The model spec must be valid to export it to Keras. Received: ${analysis.issues[0]!.message}`);
  const layers = analysis.layers.map((layer) => {
    const options = layer.options!;
    const common = { name: layer.name, trainable: layer.spec.trainable ?? true, dtype: dtypePolicy };
    const wrapped = wrappedLayer({ kind: layer.spec.kind, options });
    if (wrapped !== undefined) {
      const inner = layerEntry(wrapped.kind, { name: layer.wrappedName, trainable: common.trainable, dtype: dtypePolicy, ...keras3Activations(layer.name, wrapped.options) }, undefined);
      return layerEntry('Bidirectional', { ...common, layer: inner, merge_mode: options['merge_mode'] }, layer.inputShape!);
    }
    return layerEntry(layer.spec.kind, { ...common, ...keras3Options(layer.spec.kind, keras3Activations(layer.name, options)) }, layer.inputShape!);
  });
  const input: Shape = [null, maxlen];
  return {
    module: 'keras',
    class_name: 'Sequential',
    config: {
      name: 'sequential',
      trainable: true,
      dtype: dtypePolicy,
      layers: [{ module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: input, dtype: 'float32', sparse: false, ragged: false, name: 'input_layer', optional: false }, registered_name: null }, ...layers],
      build_input_shape: input,
    },
    registered_name: null,
    build_config: { input_shape: input },
    compile_config: null,
  };
}

let serial = 0;

/** model.weights.h5: each layer's weights under Keras 3's group names. */
async function weightsH5(stack: readonly LayerSpec[], weights: readonly LayerWeights[]): Promise<Uint8Array> {
  const { default: h5wasm } = await import('h5wasm');
  const { FS } = await h5wasm.ready;
  serial += 1;
  const file = `/rnn-workbench-keras3-${process.pid}-${serial}.h5`;
  const h5 = new h5wasm.File(file, 'w');
  const names = analyzeStack(stack, {}, { binaryOutput: false }).layers.map((layer) => layer.name);
  const group = (parent: Group, name: string, kerasName?: string): Group => {
    const made = parent.create_group(name);
    if (kerasName !== undefined) made.create_attribute('name', kerasName, null, `A${kerasName.length + 1}`);
    return made;
  };
  const vars = (parent: Group, kerasName: string, values: LayerWeights): void => {
    const at = group(parent, 'vars', kerasName);
    values.forEach((w, i) => at.create_dataset({ name: String(i), data: w.values, shape: w.shape, dtype: '<f4' }));
  };
  try {
    const layersGroup = group(h5, 'layers');
    const counters = new Map<string, number>();
    stack.forEach((spec, index) => {
      const base = kerasSnakeCase(spec.kind);
      const n = counters.get(base);
      counters.set(base, (n ?? -1) + 1);
      const layerGroup = group(layersGroup, n === undefined ? base : `${base}_${n + 1}`);
      const values = weights[index]!;
      const recurrent = (parent: Group, kerasName: string, cellName: string, cellValues: LayerWeights): void => {
        vars(parent, kerasName, []);
        vars(group(parent, 'cell'), cellName, cellValues);
      };
      const wrapped = wrappedLayer(spec);
      const cell = getLayerKind(spec.kind)!.keras.cell;
      if (wrapped !== undefined) {
        const innerCell = getLayerKind(wrapped.kind)!.keras.cell!;
        const half = values.length / 2;
        vars(layerGroup, names[index]!, []);
        recurrent(group(layerGroup, 'forward_layer'), `forward_${names[index]}`, innerCell, values.slice(0, half));
        recurrent(group(layerGroup, 'backward_layer'), `backward_${names[index]}`, innerCell, values.slice(half));
      } else if (cell !== undefined) {
        recurrent(layerGroup, names[index]!, cell, values);
      } else {
        vars(layerGroup, names[index]!, values);
      }
    });
    vars(h5, 'sequential', []);
  } finally {
    h5.close();
  }
  try {
    return FS!.readFile(file);
  } finally {
    FS!.unlink(file);
  }
}

/**
 * The bytes of a Keras 3 `.keras` file for `stack` with `weights` (per layer, Keras' order).
 *
 * Args:
 *   stack: the validated model spec.
 *   maxlen: the input length.
 *   weights: each layer's weight values.
 *   now: the save date written to metadata.json.
 */
export async function keras3Bytes(stack: readonly LayerSpec[], maxlen: number, weights: readonly LayerWeights[], now = new Date()): Promise<Uint8Array> {
  const config = keras3Config(stack, maxlen);
  const encoder = new TextEncoder();
  const date = now.toISOString().slice(0, 16).replace('T', '@');
  const metadata = { keras_version: KERAS3_VERSION, date_saved: date, rnn_workbench_version: appVersion };
  return zipSync(
    {
      'metadata.json': encoder.encode(JSON.stringify(metadata)),
      'config.json': encoder.encode(JSON.stringify(config)),
      'model.weights.h5': await weightsH5(stack, weights),
    },
    { level: 0 },
  );
}
