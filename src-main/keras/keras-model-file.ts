/**
 * What a Keras model file means: its config turned into the app's layer stack (Keras class names and
 * constructor arguments, checked option by option) and its weights matched to each layer in Keras'
 * order. Pure data in, pure data out, no TensorFlow.js: the parser process hands over the HDF5 tree.
 *
 * Layouts read:
 * - Keras 2 full model `.h5` (2.0–2.15): root attrs `model_config`, `keras_version`; weights under
 *   `model_weights/<layer>/` in the order of its `weight_names` (byte or variable-length strings, with or
 *   without a cell level; an empty float array for a layer without weights). Sequential configs as a
 *   list (Keras 2.0–2.1) or `{name, layers}`.
 * - Keras 2 weights-only `.h5` (`save_weights`): the same groups at the root, with the architecture from
 *   `model.to_json()`.
 * - Keras 3 `.h5`: as Keras 2, weight names without `:0` and with the model's name as an extra level.
 * - Keras 3 `.keras`: `config.json` plus `model.weights.h5`, whose groups are named by class in snake
 *   case with a counter in layer order (`layers/dense_1/vars/0`), not by the config's layer names.
 *
 * As Keras' own HDF5 loader does, layers are matched by order (the n-th layer with weights in the file
 * to the n-th in the config) and weights by `weight_names` order, then every shape is checked.
 */
import { WorkbenchError } from '../../src-shared/errors';
import { getLayerKind, layerKindNames, layerKinds, recurrentKindNames } from '../../src-shared/model/registry';
import { analyzeStack } from '../../src-shared/model/analyze';
import type { LayerKind, LayerSpec, Shape } from '../../src-shared/model/types';
import type { H5Attrs, H5Tree } from '../data/h5-tree';
import type { KerasFileParts } from '../data/keras-container';

export type { KerasFileParts } from '../data/keras-container';

/** Which of the layouts above a file had. */
export type KerasLayout = 'keras2-h5' | 'keras2-weights-h5' | 'keras3-h5' | 'keras3-keras';

/** One weight as read from the file. */
export interface KerasWeight {
  /** Where it is in the file (`model_weights/lstm_1/lstm_1/kernel:0`). */
  path: string;
  shape: number[];
  values: Float32Array;
}

/** A Keras model as the app runs it. */
export interface KerasModelFile {
  /** The file, as opened. */
  file: string;
  layout: KerasLayout;
  kerasVersion: string;
  /** The model's Keras name (`sequential_1`). */
  modelName: string;
  /** The stack, each layer with its Keras name and every option the file sets. */
  layers: LayerSpec[];
  /** Per layer, its weights in the order the app's layer kind lists them. */
  weights: KerasWeight[][];
  /** The fixed input length, or null when the model takes any length. */
  maxlen: number | null;
  /** Values in the weights read: Keras' `count_params()` over the model. */
  totalParams: number;
  /** What the app does differently and why (an option that only matters to training, …). */
  notes: string[];
}



type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** Attribute strings: h5wasm gives a string or a list of strings; Keras writes an empty list as an empty float array. */
function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map(String);
  return [];
}

function stringAttr(attrs: H5Attrs | undefined, name: string): string | undefined {
  const value = attrs?.[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** Keras' `to_snake_case`, which names a `.keras` file's weight groups. */
export function kerasSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function majorVersion(version: string): number {
  const major = Number.parseInt(version, 10);
  return Number.isFinite(major) ? major : 2;
}

/** Keras 2 before 2.3 built GRU without `reset_after` (and wrote no such key). */
function olderThan(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  return a < major || (a === major && b < minor);
}

/** The reading context of one file, for messages. */
interface Reader {
  file: string;
  kerasVersion: string;
  notes: string[];
}

function fail(reader: Reader, where: string, expected: string, received: string): never {
  throw new WorkbenchError('bad_input', `${reader.file}: ${where} must be ${expected}. Received: ${received}`);
}

// ---------------------------------------------------------------------------------------------------
// Config → stack

/** Options that only shape training (initial values, penalties, limits) or Keras' bookkeeping. */
const inertOptions = new Set([
  'name',
  'trainable',
  'dtype',
  'batch_input_shape',
  'batch_shape',
  'batch_size',
  'input_shape',
  'kernel_initializer',
  'recurrent_initializer',
  'bias_initializer',
  'embeddings_initializer',
  'implementation',
  'unroll',
  'seed',
  'use_cudnn',
  'build_config',
]);

/** Options that change what a layer learns but not what it computes: read, noted, not carried over. */
const trainingOnlyOptions = new Set([
  'kernel_regularizer',
  'recurrent_regularizer',
  'bias_regularizer',
  'activity_regularizer',
  'embeddings_regularizer',
  'kernel_constraint',
  'recurrent_constraint',
  'bias_constraint',
  'embeddings_constraint',
]);

/** Options whose only supported value is Keras' default; anything else would compute another function. */
const fixedOptions: Record<string, unknown[]> = {
  return_state: [false],
  stateful: [false],
  time_major: [false],
  sparse: [false],
  lora_rank: [null],
  lora_alpha: [null],
  quantization_config: [null],
  noise_shape: [null],
  data_format: ['channels_last'],
  groups: [1],
  keepdims: [false],
  // Only changes the outputs at masked steps, which the next layer masks out again.
  zero_output_for_mask: [false, true],
};

function activationOf(reader: Reader, where: string, value: unknown): string {
  let name = value;
  // Keras 3 may serialize a built-in activation as {module: 'keras.activations', class_name: 'function', config: 'relu'}.
  if (isObject(value) && typeof value['config'] === 'string') name = value['config'];
  if (name === null || name === undefined) return 'linear';
  if (name === 'silu') return 'swish';
  // Keras 3 gave the name to relu6(x + 3) / 6, not Keras 2's clip(0.2x + 0.5, 0, 1).
  if (name === 'hard_sigmoid' && majorVersion(reader.kerasVersion) >= 3) return 'hard_sigmoid_k3';
  const known = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'hard_sigmoid'];
  if (typeof name !== 'string' || !known.includes(name)) {
    return fail(reader, where, `one of the Keras activations ${known.map((a) => `'${a}'`).join(', ')}`, `${show(name)} (a custom activation cannot be loaded)`);
  }
  return name;
}

/** A Keras 1-element tuple (`kernel_size: [3]`) or a plain number. */
function single(reader: Reader, where: string, value: unknown): number {
  const n = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) return fail(reader, where, 'a positive integer (or a 1-element list of one)', show(value));
  return n;
}

/** How each kind's Keras config keys map to the app's options; keys not listed go through the checks above. */
type OptionMap = Record<string, (reader: Reader, where: string, value: unknown) => unknown>;

const asIs = (_r: Reader, _w: string, value: unknown): unknown => value;
const activation = (reader: Reader, where: string, value: unknown): unknown => activationOf(reader, where, value);
const nullOr =
  (translate: OptionMap[string]): OptionMap[string] =>
  (reader, where, value) =>
    value === null || value === undefined ? null : translate(reader, where, value);

/**
 * How a kind's Keras config keys map to its options, from the kind: every option by its name;
 * activations checked; sizes Keras may write as 1-element lists unwrapped (empty when the default is).
 */
function optionMap(kind: LayerKind): OptionMap {
  const defaults = kind.optionsSchema.parse({});
  const tuples = kind.keras.tupleOptions ?? [];
  return Object.fromEntries(
    Object.keys(defaults).map((key) => {
      if (key === 'activation' || key === 'recurrent_activation') return [key, activation];
      if (tuples.includes(key)) return [key, defaults[key] === null ? nullOr(single) : single];
      return [key, asIs];
    }),
  );
}

/** Keras 2 spells some classes differently (`GlobalMaxPool1D`, `MaxPool1D`, `Convolution1D`, `CuDNNLSTM`): each kind lists its aliases. */
const classAliases: Record<string, string> = Object.fromEntries(
  Object.values(layerKinds).flatMap((kind) => (kind.keras.aliases ?? []).map((alias) => [alias, kind.kind])),
);

/** Keras 2's GPU-only recurrent layers, which store their weights in cuDNN's layout. */
function isCuDNN(className: unknown): boolean {
  return className === 'CuDNNLSTM' || className === 'CuDNNGRU';
}

/**
 * A CuDNNLSTM's or CuDNNGRU's weights (kernel, recurrent kernel, bias) in the layout of LSTM or GRU(reset_after),
 * as Keras' HDF5 loader converts them (`_convert_rnn_weights`): per gate, the input kernel's values are read in
 * cuDNN's order (Keras: `k.T.reshape(k.shape, order='F')`) and the recurrent kernel is transposed; an LSTM's two
 * biases (input and recurrent) are summed, a GRU's become its (2, 3 × units) bias.
 */
function fromCuDNN(weights: KerasWeight[], where: string, reader: Reader): KerasWeight[] {
  const [kernel, recurrent, bias] = weights;
  const units = recurrent?.shape[0];
  const gates = units === undefined || recurrent!.shape.length !== 2 ? 0 : recurrent!.shape[1]! / units;
  if (weights.length !== 3 || units === undefined || (gates !== 4 && gates !== 3) || kernel!.shape.length !== 2 || kernel!.shape[1] !== gates * units || bias!.values.length !== 2 * gates * units) {
    return fail(reader, `the weights of ${where}`, 'a cuDNN kernel, recurrent kernel and double bias', weights.map((w) => shapeText(w.shape)).join(', '));
  }
  const inputs = kernel!.shape[0]!;
  const width = gates * units;
  const newKernel = new Float32Array(inputs * width);
  const newRecurrent = new Float32Array(units * width);
  for (let g = 0; g < gates; g++) {
    for (let i = 0; i < inputs; i++) {
      for (let j = 0; j < units; j++) {
        // Keras' gate block k (inputs × units): out[i][j] = k.flat[i + inputs·j], k.flat[n] = k[n ÷ units][n mod units].
        const n = i + inputs * j;
        newKernel[i * width + g * units + j] = kernel!.values[Math.floor(n / units) * width + g * units + (n % units)]!;
      }
    }
    for (let i = 0; i < units; i++) {
      for (let j = 0; j < units; j++) newRecurrent[i * width + g * units + j] = recurrent!.values[j * width + g * units + i]!;
    }
  }
  let newBias: KerasWeight;
  if (gates === 4) {
    const summed = new Float32Array(width);
    for (let k = 0; k < width; k++) summed[k] = bias!.values[k]! + bias!.values[width + k]!;
    newBias = { path: bias!.path, shape: [width], values: summed };
  } else {
    newBias = { path: bias!.path, shape: [2, width], values: bias!.values };
  }
  return [
    { path: kernel!.path, shape: [inputs, width], values: newKernel },
    { path: recurrent!.path, shape: [units, width], values: newRecurrent },
    newBias,
  ];
}

/** Rejects a layer a plain Keras install could not load either: a custom class or a custom object inside one. */
function checkBuiltIn(reader: Reader, layer: Json, where: string): void {
  const registered = layer['registered_name'];
  const module = layer['module'];
  const className = String(layer['class_name']);
  if (className.includes('>') || (typeof registered === 'string' && registered !== className && registered !== '') || (typeof module === 'string' && !module.startsWith('keras'))) {
    fail(reader, where, 'a built-in Keras layer', `the custom object ${show(registered ?? className)}${typeof module === 'string' ? ` from module ${show(module)}` : ''}, whose code is not in the file`);
  }
}

/** Translates one Keras layer config (`{class_name, config}`) into a layer spec. */
function toLayerSpec(reader: Reader, layer: Json, index: number): LayerSpec {
  const rawClass = String(layer['class_name']);
  const config = isObject(layer['config']) ? layer['config'] : {};
  const name = typeof config['name'] === 'string' ? config['name'] : `layer_${index}`;
  const where = `layer '${name}' (${rawClass})`;
  checkBuiltIn(reader, layer, where);
  const kind = classAliases[rawClass] ?? rawClass;
  const spec: LayerSpec = { id: `keras-${index}-${name}`, kind, name: name.replace(/[^A-Za-z0-9_.-]/g, '_'), options: {} };
  if (config['trainable'] === false) spec.trainable = false;
  if (kind === 'Bidirectional') {
    spec.options = bidirectionalOptions(reader, config, where);
    return spec;
  }
  const layerKind = getLayerKind(kind);
  if (layerKind === undefined) {
    return fail(reader, where, `one of the layer classes the app can run (${layerKindNames.join(', ')})`, show(rawClass));
  }
  spec.options = translateOptions(reader, kind, config, optionMap(layerKind), where);
  if (isCuDNN(rawClass)) {
    // cuDNN's cells have fixed activations (tanh, sigmoid gates) and GRU's reset_after form; the config has neither.
    Object.assign(spec.options, { activation: 'tanh', recurrent_activation: 'sigmoid' }, kind === 'GRU' ? { reset_after: true } : {});
    reader.notes.push(`${name}: ${rawClass} computes as ${kind} with tanh, sigmoid gates${kind === 'GRU' ? ' and reset_after' : ''}; its weights are converted as Keras loads them into ${kind}`);
    return spec;
  }
  // GRU's reset_after default changed in Keras 2.3 (false before, true since); older files do not write it.
  if (kind === 'GRU' && config['reset_after'] === undefined) spec.options['reset_after'] = !olderThan(reader.kerasVersion, 2, 3);
  // Keras before 2.4 (standalone) defaulted LSTM/GRU's recurrent activation to hard_sigmoid, and always wrote it.
  return spec;
}

function translateOptions(reader: Reader, kind: string, config: Json, map: OptionMap, where: string): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const translate = map[key];
    if (translate !== undefined) {
      if (value !== undefined) options[key] = translate(reader, `${where} option ${key}`, value);
      continue;
    }
    if (inertOptions.has(key)) continue;
    if (trainingOnlyOptions.has(key)) {
      if (value !== null) reader.notes.push(`${String(config['name'])}: ${key} ${show(value)} only changes training; it is not carried over`);
      continue;
    }
    const allowed = fixedOptions[key];
    if (allowed !== undefined) {
      if (!allowed.some((v) => JSON.stringify(v) === JSON.stringify(value))) {
        fail(reader, `${where} option ${key}`, allowed.map((v) => show(v)).join(' or '), show(value));
      }
      continue;
    }
    fail(reader, where, `configured with options the app knows for ${kind} (${Object.keys(map).join(', ') || 'none'})`, `the unknown option ${show(key)}`);
  }
  return options;
}

function bidirectionalOptions(reader: Reader, config: Json, where: string): Record<string, unknown> {
  const inner = config['layer'];
  if (!isObject(inner)) return fail(reader, `${where} option layer`, 'the recurrent layer it wraps', show(inner));
  checkBuiltIn(reader, inner, `${where} wrapped layer`);
  const innerKind = classAliases[String(inner['class_name'])] ?? String(inner['class_name']);
  if (!recurrentKindNames.includes(innerKind)) {
    return fail(reader, `${where} wrapped layer`, `one of ${recurrentKindNames.map((name) => `'${name}'`).join(', ')}`, show(inner['class_name']));
  }
  const innerSpec = toLayerSpec(reader, inner, 0);
  const mergeMode = config['merge_mode'] === undefined ? 'concat' : config['merge_mode'];
  if (mergeMode !== 'concat' && mergeMode !== 'sum' && mergeMode !== 'mul' && mergeMode !== 'ave') {
    fail(reader, `${where} option merge_mode`, "'concat', 'sum', 'mul' or 'ave' (one output for the next layer)", show(mergeMode));
  }
  for (const [key, value] of Object.entries(config)) {
    if (key === 'layer' || key === 'merge_mode' || inertOptions.has(key)) continue;
    if (key === 'backward_layer') {
      // Keras 3 always writes the backward copy; the app builds it from the forward layer, so it must be one.
      const backward = isObject(value) ? value : undefined;
      const backwardConfig = isObject(backward?.['config']) ? backward['config'] : {};
      const same = backward !== undefined && (classAliases[String(backward['class_name'])] ?? String(backward['class_name'])) === innerKind;
      const backwardOptions = same ? toLayerSpec(reader, backward!, 0).options : undefined;
      const { go_backwards: _f, ...forwardRest } = innerSpec.options;
      const { go_backwards: _b, ...backwardRest } = backwardOptions ?? {};
      if (!same || JSON.stringify(forwardRest) !== JSON.stringify(backwardRest) || backwardConfig['go_backwards'] === (innerSpec.options['go_backwards'] ?? false)) {
        fail(reader, `${where} option backward_layer`, 'a copy of the forward layer that reads backwards', show(backward?.['class_name']));
      }
      continue;
    }
    fail(reader, where, 'configured with layer, merge_mode (and backward_layer)', `the unknown option ${show(key)}`);
  }
  return { layer: { kind: innerKind, options: innerSpec.options }, merge_mode: mergeMode };
}

/** The names of the layers a Functional layer's `inbound_nodes` call it on (Keras 2 lists or Keras 3 `keras_history`). */
function inboundNames(nodes: unknown, into: string[] = []): string[] {
  if (Array.isArray(nodes)) {
    if (nodes.length >= 3 && typeof nodes[0] === 'string' && typeof nodes[1] === 'number' && typeof nodes[2] === 'number') into.push(nodes[0]);
    else for (const node of nodes) inboundNames(node, into);
  } else if (isObject(nodes)) {
    const history = nodes['keras_history'];
    if (Array.isArray(history) && typeof history[0] === 'string') into.push(history[0]);
    else for (const value of Object.values(nodes)) inboundNames(value, into);
  }
  return into;
}

/** The layer configs of a Sequential model or a single-chain Functional one, InputLayer included. */
function layerList(reader: Reader, modelConfig: Json): { name: string; layers: Json[] } {
  const className = modelConfig['class_name'];
  const config = modelConfig['config'];
  if (className === 'Sequential') {
    // Keras 2.0–2.1 wrote the layer list itself; later versions {name, layers}.
    if (Array.isArray(config)) return { name: 'sequential', layers: config.filter(isObject) };
    if (isObject(config) && Array.isArray(config['layers'])) return { name: String(config['name'] ?? 'sequential'), layers: config['layers'].filter(isObject) };
    return fail(reader, 'the Sequential config', 'a list of layers or {name, layers}', show(config));
  }
  if (className === 'Functional' || className === 'Model') {
    if (!isObject(config) || !Array.isArray(config['layers'])) return fail(reader, `the ${className} config`, '{name, layers, input_layers, output_layers}', show(config));
    const layers = config['layers'].filter(isObject);
    // A single chain: each layer is called once, on the layer listed just before it.
    layers.forEach((layer, index) => {
      const name = String((layer['config'] as Json | undefined)?.['name'] ?? layer['name']);
      const inbound = inboundNames(layer['inbound_nodes']);
      const previous = index === 0 ? undefined : String((layers[index - 1]!['config'] as Json | undefined)?.['name'] ?? layers[index - 1]!['name']);
      const ok = index === 0 ? inbound.length === 0 : inbound.length === 1 && inbound[0] === previous;
      if (!ok) {
        fail(
          reader,
          `the ${className} model`,
          'a single chain of layers, each called once on the one before (as Sequential would build it)',
          `layer '${name}' called on ${inbound.length === 0 ? 'no input' : inbound.map((n) => `'${n}'`).join(', ')}`,
        );
      }
    });
    return { name: String(config['name'] ?? 'model'), layers };
  }
  return fail(reader, 'the model config', "a 'Sequential' or single-chain 'Functional' model", show(className));
}

/** The fixed length of the input, from the InputLayer, the first layer's batch shape or the Embedding's input_length. */
function inputLength(layers: Json[], modelConfig: Json): number | null {
  const candidates: unknown[] = [];
  for (const layer of layers.slice(0, 2)) {
    const config = isObject(layer['config']) ? layer['config'] : {};
    candidates.push(config['batch_input_shape'], config['batch_shape'], (layer['build_config'] as Json | undefined)?.['input_shape']);
    if (layer['class_name'] === 'Embedding') candidates.push(config['input_length'] === undefined ? undefined : [null, config['input_length']]);
  }
  candidates.push((modelConfig['config'] as Json | undefined)?.['build_input_shape']);
  for (const shape of candidates) {
    const steps = Array.isArray(shape) ? shape[1] : undefined;
    if (typeof steps === 'number' && Number.isInteger(steps) && steps > 0) return steps;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Weights

/** The HDF5 group that holds `layer_names`: `model_weights` of a full model, the root of a weights-only file. */
function weightsRoot(tree: H5Tree): string | undefined {
  if (tree.groups['model_weights']?.['layer_names'] !== undefined) return 'model_weights';
  if (tree.groups['']?.['layer_names'] !== undefined) return '';
  return undefined;
}

function join(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('/');
}

/** Keras 2 / Keras 3 `.h5`: per layer with weights, the datasets its `weight_names` list, in that order. */
function h5LayerWeights(reader: Reader, tree: H5Tree, root: string): { layer: string; weights: KerasWeight[] }[] {
  const layerNames = stringList(tree.groups[root]?.['layer_names']);
  const result: { layer: string; weights: KerasWeight[] }[] = [];
  for (const layer of layerNames) {
    const group = tree.groups[join(root, layer)];
    if (group === undefined) fail(reader, `the weights of layer '${layer}'`, `a group ${join(root, layer)} (listed in layer_names)`, 'no such group');
    const names = stringList(group['weight_names']);
    if (names.length === 0) continue;
    result.push({
      layer,
      weights: names.map((name) => {
        const path = join(root, layer, name);
        const dataset = tree.datasets[path];
        if (dataset === undefined) return fail(reader, `weight '${name}' of layer '${layer}'`, `a dataset at ${path}`, 'no such dataset');
        return { path, shape: dataset.shape, values: dataset.values };
      }),
    });
  }
  return result;
}

/** Keras 3 `.keras`: the datasets of the layer at `group`, `vars/0, 1, …` (numerically), cell and Bidirectional halves included. */
function kerasZipLayerWeights(tree: H5Tree, group: string, kind: string): KerasWeight[] {
  const varsOf = (at: string): KerasWeight[] => {
    const prefix = `${at}/vars/`;
    return Object.keys(tree.datasets)
      .filter((path) => path.startsWith(prefix) && /^\d+$/.test(path.slice(prefix.length)))
      .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)))
      .map((path) => ({ path, shape: tree.datasets[path]!.shape, values: tree.datasets[path]!.values }));
  };
  const recurrent = (at: string): KerasWeight[] => [...varsOf(at), ...varsOf(`${at}/cell`)];
  if (kind === 'Bidirectional') return [...recurrent(`${group}/forward_layer`), ...recurrent(`${group}/backward_layer`)];
  return recurrent(group);
}

function shapeText(shape: readonly number[]): string {
  return shape.length === 0 ? 'a scalar' : shape.join('×');
}

// ---------------------------------------------------------------------------------------------------

function parseJson(reader: Reader, text: string, what: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(reader, what, 'JSON', `invalid JSON (${(error as Error).message})`);
  }
  if (!isObject(value)) return fail(reader, what, 'a JSON object {class_name, config}', show(value));
  return value;
}

/**
 * Interprets a Keras model file's parts.
 *
 * Args:
 *   file: the path, for messages.
 *   parts: the HDF5 tree and, for `.keras` or weights-only `.h5`, the config JSON.
 */
export function interpretKerasFile(file: string, parts: KerasFileParts): KerasModelFile {
  const { tree } = parts;
  const rootAttrs = tree.groups[''] ?? {};
  let metadataVersion: string | undefined;
  if (parts.metadataJson !== undefined) {
    try {
      const metadata = JSON.parse(parts.metadataJson) as Json;
      if (typeof metadata['keras_version'] === 'string') metadataVersion = metadata['keras_version'];
    } catch {
      // metadata.json only dates the file; a broken one does not stop the model from loading.
    }
  }
  const root = parts.zip ? undefined : weightsRoot(tree);
  const kerasVersion = metadataVersion ?? stringAttr(rootAttrs, 'keras_version') ?? stringAttr(tree.groups['model_weights'], 'keras_version') ?? (parts.zip ? '3' : '2');
  const reader: Reader = { file, kerasVersion, notes: [] };

  if (!parts.zip && root === undefined) {
    fail(reader, 'the file', 'a Keras model (.h5 with model_weights or layer_names, or a .keras zip)', `an HDF5 file without Keras' layer_names (groups: ${Object.keys(tree.groups).filter((g) => g !== '' && !g.includes('/')).slice(0, 5).join(', ') || 'none'})`);
  }
  const configText = parts.configJson ?? stringAttr(rootAttrs, 'model_config');
  if (configText === undefined) {
    return fail(reader, 'the file', 'a full model (with its model_config), or weights given with the architecture JSON from model.to_json() (--arch)', 'weights without an architecture');
  }
  let modelConfig = parseJson(reader, configText, parts.configJson !== undefined && !parts.zip ? 'the architecture JSON' : 'the model config');
  // model.to_json() wraps the config in {class_name, config, keras_version, backend}: the same shape.
  if (!('class_name' in modelConfig) && isObject(modelConfig['model_config'])) modelConfig = modelConfig['model_config'];
  checkBuiltIn(reader, modelConfig, 'the model');
  const { name: modelName, layers: configLayers } = layerList(reader, modelConfig);
  const maxlen = inputLength(configLayers, modelConfig);
  const computing = configLayers.filter((layer) => layer['class_name'] !== 'InputLayer');
  if (computing.length === 0) fail(reader, 'the model', 'at least one layer', 'none');
  const layers = computing.map((layer, index) => toLayerSpec(reader, layer, index));

  const analysis = analyzeStack(layers, { maxlen: maxlen ?? undefined }, { binaryOutput: false });
  if (analysis.issues.length > 0) {
    const issue = analysis.issues[0]!;
    const layer = issue.layerIndex >= 0 ? layers[issue.layerIndex] : undefined;
    throw new WorkbenchError('bad_input', `${file}: ${layer === undefined ? 'the model' : `layer '${layer.name}' (${layer.kind})`}: ${issue.message}`);
  }

  // Each layer's weights from the file, in Keras' order, then checked against what the layer builds.
  let fileWeights: KerasWeight[][];
  if (parts.zip) {
    const counters = new Map<string, number>();
    // Keras 3 counts every layer of the list, InputLayer included for Functional models.
    const listed = modelConfig['class_name'] === 'Sequential' ? computing : configLayers;
    const groupOf = new Map<Json, string>();
    for (const layer of listed) {
      const base = kerasSnakeCase(String(layer['class_name']));
      const n = counters.get(base);
      counters.set(base, (n ?? -1) + 1);
      groupOf.set(layer, `layers/${n === undefined ? base : `${base}_${n + 1}`}`);
    }
    fileWeights = computing.map((layer, index) => kerasZipLayerWeights(tree, groupOf.get(layer)!, layers[index]!.kind));
  } else {
    const withWeights = h5LayerWeights(reader, tree, root!);
    const expectedLayers = analysis.layers.filter((layer) => (layer.weights ?? []).length > 0);
    if (withWeights.length !== expectedLayers.length) {
      fail(
        reader,
        'the weights',
        `${expectedLayers.length} layers with weights, as the architecture builds (${expectedLayers.map((l) => l.name).join(', ')})`,
        `${withWeights.length} (${withWeights.map((l) => l.layer).join(', ')})`,
      );
    }
    let next = 0;
    fileWeights = analysis.layers.map((layer) => ((layer.weights ?? []).length > 0 ? withWeights[next++]!.weights : []));
    // Only Keras 2 .h5 files can hold cuDNN layers (Keras 3 has none); a Bidirectional one holds two.
    fileWeights = fileWeights.map((weights, index) => {
      const config = computing[index]!;
      const where = `layer '${layers[index]!.name}' (${String(config['class_name'])})`;
      if (isCuDNN(config['class_name'])) return fromCuDNN(weights, where, reader);
      const inner = (config['config'] as Json | undefined)?.['layer'];
      if (config['class_name'] !== 'Bidirectional' || !isObject(inner) || !isCuDNN(inner['class_name'])) return weights;
      const half = weights.length / 2;
      return [...fromCuDNN(weights.slice(0, half), where, reader), ...fromCuDNN(weights.slice(half), where, reader)];
    });
  }
  let totalParams = 0;
  analysis.layers.forEach((layer, index) => {
    const expected = layer.weights ?? [];
    const received = fileWeights[index]!;
    const where = `layer '${layer.name}' (${layer.spec.kind})`;
    if (expected.length !== received.length || expected.some((w, i) => shapeText(w.shape) !== shapeText(received[i]!.shape))) {
      fail(
        reader,
        `the weights of ${where}`,
        `${expected.length === 0 ? 'none' : expected.map((w) => `${w.name} ${shapeText(w.shape)}`).join(', ')}, as its config builds on input ${JSON.stringify(layer.inputShape).replace(/null/g, 'None')}`,
        received.length === 0 ? 'none' : received.map((w) => `${w.path.split('/').slice(-1)[0]} ${shapeText(w.shape)}`).join(', '),
      );
    }
    for (const weight of received) totalParams += weight.values.length;
  });

  const layout: KerasLayout = parts.zip ? 'keras3-keras' : majorVersion(kerasVersion) >= 3 ? 'keras3-h5' : root === '' ? 'keras2-weights-h5' : 'keras2-h5';
  return { file, layout, kerasVersion, modelName, layers, weights: fileWeights, maxlen, totalParams, notes: reader.notes };
}

/** The input shape a stack of this file takes: `(None, maxlen)`. */
export function kerasInputShape(model: KerasModelFile): Shape {
  return [null, model.maxlen];
}
