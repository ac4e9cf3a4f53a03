/**
 * Turns a validated layer stack into a tfjs-layers model whose weights, shapes and parameter count
 * are the ones the model spec shows (and Keras would build).
 */
import * as tf from '@tensorflow/tfjs';
import { WorkbenchError } from '../../src-shared/errors';
import { analyzeStack } from '../../src-shared/model/analyze';
import { requireModelFits } from '../../src-shared/model/memory';
import { isRecurrentLayer } from '../../src-shared/model/bidirectional';
import { formatIssues, summarize } from '../../src-shared/model/summary';
import type { LayerSpec, Shape, TfLayerDescription } from '../../src-shared/model/types';
// Registers Keras 3's hard_sigmoid as the tfjs activation `hardSigmoidK3`.
import './hard-sigmoid-k3';
// Registers ResetAfterGRU with tfjs' serialization, which `deserializeLayer` looks classes up in.
import './reset-after-gru';
import { memoryLimitBytes } from '../platform/memory-limit';

/**
 * Lets the engine put its own implementation of a recurrent layer in place of tfjs-layers'.
 *
 * Args:
 *   spec: the layer (SimpleRNN, LSTM, GRU or Bidirectional) with its Keras name and every option
 *     filled in with Keras' defaults.
 *   inputShape: its input `[batch, steps, features]`, `null` where unknown.
 *
 * Returns a layer computing exactly the same function with the same weights, or undefined to use
 * tfjs-layers' own.
 */
export type MakeRecurrent = (spec: LayerSpec & { name: string }, inputShape: Shape) => tf.layers.Layer | undefined;

export interface BuildOptions {
  /** The padded sequence length; fixes the time dimension of every shape. */
  maxlen?: number;
  /** The dataset's vocabulary size, checked against the Embedding's input_dim. */
  maxFeatures?: number;
  makeRecurrent?: MakeRecurrent;
}

/** Builds a tfjs-layers layer from its serialized description, through tfjs' own class registry. */
export function deserializeLayer(description: TfLayerDescription): tf.layers.Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[description.className];
  if (entry === undefined) throw new WorkbenchError('internal', `tfjs-layers has no layer class ${description.className}.`);
  const [cls, fromConfig] = entry;
  // fromConfig may consume nested configs (Bidirectional's layer), so give it a copy.
  return fromConfig(cls, structuredClone(description.config) as tf.serialization.ConfigDict) as tf.layers.Layer;
}

/**
 * A `tf.Sequential` named `sequential` for the stack, not compiled. Throws a WorkbenchError listing
 * the validation messages when the stack is not valid.
 */
export function buildTfModel(stack: readonly LayerSpec[], options: BuildOptions = {}): tf.Sequential {
  const dataset = { maxlen: options.maxlen, maxFeatures: options.maxFeatures };
  // The head is checked where a model is trained (it needs binary labels); any head computes.
  const analysis = analyzeStack(stack, dataset, { binaryOutput: false });
  if (analysis.issues.length > 0) {
    const issues = formatIssues({ ...summarize(stack, dataset), issues: analysis.issues });
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    throw new WorkbenchError('bad_input', `The model is not valid: ${issues[0]}${more}`);
  }
  // Every model the app builds passes here: its weights are checked against the memory limit before tfjs
  // allocates them, whichever path (training, a run folder, an export) declared it.
  requireModelFits(stack, dataset, { purpose: 'inference', batchSize: 1 }, memoryLimitBytes());
  const layers = analysis.layers.map((layer, index) => {
    const input = layer.inputShape!;
    const parsedOptions = layer.options!;
    const spec = { ...layer.spec, name: layer.name, options: parsedOptions };
    if (options.makeRecurrent !== undefined && isRecurrentLayer(spec)) {
      const made = options.makeRecurrent(spec, input);
      if (made !== undefined) return made;
    }
    const description = layer.kind!.toTfjs(parsedOptions, input);
    const config: Record<string, unknown> = { ...description.config, name: layer.name, trainable: layer.spec.trainable !== false };
    const wrapped = config.layer as TfLayerDescription | undefined;
    // tfjs names the halves forward_<name> and backward_<name>, as Keras does.
    if (wrapped !== undefined && layer.wrappedName !== undefined) config.layer = { ...wrapped, config: { ...wrapped.config, name: layer.wrappedName } };
    if (index === 0) config.batchInputShape = analysis.inputShape;
    return deserializeLayer({ className: description.className, config });
  });
  return tf.sequential({ layers, name: 'sequential' });
}
