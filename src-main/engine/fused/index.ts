/**
 * The fused recurrent path for the model builder: `makeFusedRecurrent(spec, inputShape)` builds a
 * fused layer for a recurrent layer spec, or returns `undefined` so the builder uses tfjs-layers'
 * own layer (options the kernels do not cover, or kernels that did not build on this machine).
 */
import * as tf from '@tensorflow/tfjs';
import { fusedPlan, kernelsUnavailableReason, type FusedLayerPlan } from '../../../src-shared/model/recurrent-path';
import { FusedBidirectional, FusedRecurrent, type FusedRecurrentConfig } from './layers';
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

function fusedConfig(layer: FusedLayerPlan, name: string | undefined, trainable: boolean | undefined): FusedRecurrentConfig {
  return { ...layer, name, trainable };
}

/**
 * Why the fused kernels do not compute a recurrent layer spec (an option they do not cover, or kernels
 * unavailable here), or undefined when they do: said per layer when a model is opened.
 */
export function fusedRefusal(spec: RecurrentLayerSpec, inputShape: Shape): string | undefined {
  const status = fusedStatus();
  if (!status.available) return kernelsUnavailableReason(status);
  const plan = fusedPlan(spec, inputShape);
  return plan.fused ? undefined : plan.reason;
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
  // The one decision the status bar and the CLI report too (src-shared/model/recurrent-path.ts).
  const plan = fusedPlan(spec, inputShape);
  if (!plan.fused) return undefined;
  if (plan.mergeMode !== undefined) return new FusedBidirectional({ layer: fusedConfig(plan.layer, undefined, undefined), mergeMode: plan.mergeMode, name: spec.name, trainable: spec.trainable });
  return new FusedRecurrent(fusedConfig(plan.layer, spec.name, spec.trainable));
}
