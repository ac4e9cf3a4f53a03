/**
 * The model as Keras 2 sees it: a `Sequential` config with Keras class names and constructor
 * arguments, and each layer's weights under the names `model.save('x.h5')` gives them
 * (`lstm/lstm_cell/kernel:0`, `bidirectional/forward_lstm/lstm_cell/kernel:0`), paired with the tfjs
 * model's values.
 */
import type * as tf from '@tensorflow/tfjs';
import { WorkbenchError } from '../../src-shared/errors';
import { analyzeStack, getLayerKind, wrappedLayer, type LayerSpec } from '../../src-shared/model';

/** The Keras version whose HDF5 layout and config spelling the export follows. */
export const KERAS_VERSION = '2.15.0';

/** One Keras layer with its weights in Keras' order. */
export interface KerasLayer {
  /** Keras layer name (`lstm_1`). */
  name: string;
  className: string;
  /** Keras `get_config()`. */
  config: Record<string, unknown>;
  weights: { name: string; shape: number[]; values: Float32Array }[];
}

export interface KerasModel {
  /** `{class_name: 'Sequential', config: {name, layers}}`, as Keras writes `model_config`. */
  modelConfig: { class_name: 'Sequential'; config: { name: string; layers: { class_name: string; config: Record<string, unknown> }[] } };
  layers: KerasLayer[];
  maxlen: number;
}

/**
 * Refuses a stack using Keras 3's hard_sigmoid for a format without it: Keras 2's hard_sigmoid is
 * clip(0.2x + 0.5, 0, 1) and it has nothing that computes Keras 3's clip(x / 6 + 0.5, 0, 1); plain
 * TensorFlow.js lacks the engine's own activation class.
 *
 * Args:
 *   stack: the run's layers.
 *   target: what the export needs, e.g. "an activation Keras 2 has to export a Keras 2 .h5".
 */
export function requireWithoutKeras3HardSigmoid(stack: readonly LayerSpec[], target: string): void {
  stack.forEach((layer, index) => {
    for (const options of [layer.options, wrappedLayer(layer)?.options ?? {}]) {
      for (const key of ['activation', 'recurrent_activation']) {
        if (options[key] !== 'hard_sigmoid_k3') continue;
        throw new WorkbenchError(
          'bad_input',
          `layer ${index + 1} (${layer.kind}): ${key} must be ${target}. Received: Keras 3's hard_sigmoid (clip(x / 6 + 0.5, 0, 1); Keras 2's is clip(0.2x + 0.5, 0, 1)); export keras (a Keras 3 .keras file) instead`,
        );
      }
    }
  });
}

function layerConfig(name: string, options: Record<string, unknown>, trainable: boolean): Record<string, unknown> {
  return { name, trainable, dtype: 'float32', ...options };
}

/**
 * Describes a validated stack and its trained tfjs model as a Keras 2 model.
 *
 * Args:
 *   stack: the model spec.
 *   maxlen: the input length (the dataset's `maxlen`).
 *   model: the standard tfjs model built from `stack`, holding the trained weights.
 */
export function toKerasModel(stack: readonly LayerSpec[], maxlen: number, model: tf.LayersModel): KerasModel {
  // Any head exports: a Keras model with a 6-class softmax, opened here, goes back to Keras as it came.
  const analysis = analyzeStack(stack, { maxlen }, { binaryOutput: false });
  if (analysis.issues.length > 0) {
    throw new WorkbenchError('bad_input', `The model spec must be valid to export it to Keras. Received: ${analysis.issues[0]!.message}`);
  }
  const tfLayers = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  if (tfLayers.length !== stack.length) {
    throw new WorkbenchError('internal', `The trained model must have one layer per spec layer (${stack.length}). Received: ${tfLayers.length} layers`);
  }
  const layers = analysis.layers.map((layer, index): KerasLayer => {
    const options = layer.options!;
    const trainable = layer.spec.trainable ?? true;
    let config = layerConfig(layer.name, options, trainable);
    let paths = (layer.weights ?? []).map((w) => `${layer.name}/${w.name}:0`);
    const cell = getLayerKind(layer.spec.kind)!.keras.cell;
    if (cell !== undefined) paths = (layer.weights ?? []).map((w) => `${layer.name}/${cell}/${w.name}:0`);
    const wrapped = wrappedLayer({ kind: layer.spec.kind, options });
    if (wrapped !== undefined) {
      const innerName = layer.wrappedName!;
      const innerCell = getLayerKind(wrapped.kind)!.keras.cell!;
      const prefix = getLayerKind(wrapped.kind)!.namePrefix;
      config = {
        name: layer.name,
        trainable,
        dtype: 'float32',
        layer: { class_name: wrapped.kind, config: layerConfig(innerName, wrapped.options, trainable) },
        merge_mode: options['merge_mode'],
      };
      paths = (layer.weights ?? []).map((w) => {
        const [direction, weight] = w.name.split('/') as [string, string];
        const side = direction === `forward_${prefix}` ? 'forward' : 'backward';
        return `${layer.name}/${side}_${innerName}/${innerCell}/${weight}:0`;
      });
    }
    if (index === 0) config = { ...config, batch_input_shape: [null, maxlen] };

    const tfWeights = tfLayers[index]!.getWeights();
    const expected = layer.weights ?? [];
    if (tfWeights.length !== expected.length || tfWeights.some((t, i) => t.shape.join('×') !== expected[i]!.shape.join('×'))) {
      throw new WorkbenchError(
        'internal',
        `${layer.name}: expected weights of shapes ${expected.map((w) => w.shape.join('×')).join(', ') || 'none'} (Keras' layout). Received: ${tfWeights.map((t) => t.shape.join('×')).join(', ') || 'none'}`,
      );
    }
    return {
      name: layer.name,
      className: layer.spec.kind,
      config,
      weights: expected.map((w, i) => ({ name: paths[i]!, shape: w.shape, values: tfWeights[i]!.dataSync() as Float32Array })),
    };
  });
  const inputName = `${layers[0]!.name}_input`;
  return {
    maxlen,
    layers,
    modelConfig: {
      class_name: 'Sequential',
      config: {
        name: 'sequential',
        layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, maxlen], dtype: 'float32', sparse: false, ragged: false, name: inputName } },
          ...layers.map((layer) => ({ class_name: layer.className, config: layer.config })),
        ],
      },
    },
  };
}
