/**
 * The fused recurrent path for the model builder: `makeFusedRecurrent(spec, inputShape)` builds a
 * fused layer for a recurrent layer spec, or returns `undefined` so the builder uses tfjs-layers'
 * own layer (options the kernels do not cover, or kernels that did not build on this machine).
 */
import * as tf from '@tensorflow/tfjs';
import { FusedBidirectional, FusedRecurrent, type FusedKind, type FusedRecurrentConfig, type MergeMode } from './layers';
import { fusedStatus } from './native';

export { fusedStatus, type FusedStatus } from './native';
export { FusedBidirectional, FusedRecurrent, type FusedRecurrentConfig } from './layers';

tf.serialization.registerClass(FusedRecurrent);
tf.serialization.registerClass(FusedBidirectional);

/** The part of a model-spec layer the fused path reads: Keras' class name and options in Keras' spelling. */
export interface RecurrentLayerSpec {
  kind: string;
  options: Record<string, unknown>;
  name?: string;
  trainable?: boolean;
}

type Shape = (number | null)[];

// Options with the value the kernels compute; any other value needs tfjs-layers' path.
const fixedOptions: Record<string, unknown> = {
  activation: 'tanh',
  recurrent_activation: 'sigmoid',
  stateful: false,
  return_state: false,
  unroll: false,
  kernel_regularizer: null,
  recurrent_regularizer: null,
  bias_regularizer: null,
  activity_regularizer: null,
  kernel_constraint: null,
  recurrent_constraint: null,
  bias_constraint: null,
};

// Options the fused layers read; initializers are Keras' defaults and are not configurable here.
const readOptions = new Set(['units', 'use_bias', 'return_sequences', 'go_backwards', 'dropout', 'recurrent_dropout', 'unit_forget_bias', 'reset_after']);

function isRate(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value < 1;
}

function recurrentConfig(kind: string, options: Record<string, unknown>, name: string | undefined, trainable: boolean | undefined): FusedRecurrentConfig | undefined {
  if (kind !== 'SimpleRNN' && kind !== 'LSTM' && kind !== 'GRU') return undefined;
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (key in fixedOptions) {
      if (value !== fixedOptions[key]) return undefined;
    } else if (!readOptions.has(key)) {
      return undefined;
    }
  }
  const units = options['units'] ?? 32;
  if (typeof units !== 'number' || !Number.isInteger(units) || units <= 0) return undefined;
  const dropout = options['dropout'] ?? 0;
  const recurrentDropout = options['recurrent_dropout'] ?? 0;
  if (!isRate(dropout) || !isRate(recurrentDropout)) return undefined;
  const flag = (key: string, fallback: boolean): boolean | undefined => {
    const value = options[key] ?? fallback;
    return typeof value === 'boolean' ? value : undefined;
  };
  const flags = {
    useBias: flag('use_bias', true),
    returnSequences: flag('return_sequences', false),
    goBackwards: flag('go_backwards', false),
    unitForgetBias: flag('unit_forget_bias', true),
    resetAfter: flag('reset_after', true),
  };
  if (Object.values(flags).some((v) => v === undefined)) return undefined;
  return { kind: kind as FusedKind, units, dropout, recurrentDropout, name, trainable, ...(flags as Required<typeof flags>) };
}

/**
 * Why the fused kernels do not compute a recurrent layer spec (an option they do not cover, or kernels
 * unavailable here), or undefined when they do: said per layer when a model is opened.
 */
export function fusedRefusal(spec: RecurrentLayerSpec, inputShape: Shape): string | undefined {
  const status = fusedStatus();
  if (!status.available) return `the fused kernels are unavailable here (${status.reason ?? 'unknown'})`;
  if (makeFusedRecurrent(spec, inputShape) !== undefined) return undefined;
  const inner = spec.kind === 'Bidirectional' ? ((spec.options['layer'] as { options?: Record<string, unknown> } | undefined)?.options ?? {}) : spec.options;
  const differing = Object.entries(inner).filter(([key, value]) => key in fixedOptions && value !== undefined && value !== fixedOptions[key]);
  return differing.length > 0
    ? `the fused kernels compute ${differing.map(([key]) => `${key} ${JSON.stringify(fixedOptions[key])}`).join(', ')} only; this layer has ${differing.map(([key, value]) => `${key} ${JSON.stringify(value)}`).join(', ')}`
    : 'the fused kernels do not cover its options';
}

/**
 * Builds the fused layer for a SimpleRNN, LSTM, GRU or Bidirectional spec.
 *
 * Args:
 *   spec: the layer spec (`kind` is Keras' class name, `options` Keras' arguments in Keras' spelling,
 *     missing options take Keras' defaults).
 *   inputShape: the layer's input shape `[batch, time, features]` (`null` for unknown dimensions).
 *
 * Returns the layer, or `undefined` when the fused kernels are unavailable here, the kind is not
 * recurrent, or an option needs tfjs-layers' own layer (another activation, stateful, regularizers, …).
 */
export function makeFusedRecurrent(spec: RecurrentLayerSpec, inputShape: Shape): tf.layers.Layer | undefined {
  if (!fusedStatus().available) return undefined;
  if (inputShape.length !== 3 || typeof inputShape[2] !== 'number') return undefined;
  if (spec.kind === 'Bidirectional') {
    const { layer, merge_mode: mergeMode = 'concat', ...rest } = spec.options;
    if (Object.values(rest).some((v) => v !== undefined)) return undefined;
    if (mergeMode !== 'concat' && mergeMode !== 'sum' && mergeMode !== 'mul' && mergeMode !== 'ave') return undefined;
    const inner = layer as { kind?: unknown; options?: unknown } | undefined;
    if (inner === undefined || typeof inner.kind !== 'string') return undefined;
    const config = recurrentConfig(inner.kind, (inner.options ?? {}) as Record<string, unknown>, undefined, undefined);
    if (config === undefined) return undefined;
    return new FusedBidirectional({ layer: config, mergeMode: mergeMode as MergeMode, name: spec.name, trainable: spec.trainable });
  }
  const config = recurrentConfig(spec.kind, spec.options, spec.name, spec.trainable);
  return config === undefined ? undefined : new FusedRecurrent(config);
}
