/**
 * The recurrent path a built model actually takes, layer by layer: fused where the builder put a fused
 * layer, tfjs-layers elsewhere, with the reason `recurrentPaths` (src-shared) gives for the spec.
 */
import type * as tf from '@tensorflow/tfjs';
import { describeRecurrentPaths, recurrentPaths, type FusedKernels, type RecurrentLayerPath } from '../../src-shared/model/recurrent-path';
import type { LayerSpec } from '../../src-shared/model/types';
import type { EngineInfo } from '../../src-shared/training';
import { FusedBidirectional, FusedRecurrent } from './fused';
import { kindOf, recurrentClasses } from './read-along';

/** Why a recurrent layer of a model opened from its saved model.json runs on tfjs-layers. */
export const SAVED_MODEL_REASON = "a saved model, opened with the tfjs-layers classes its model.json names";

/**
 * Each recurrent layer of `model` and the implementation that computes it.
 *
 * Args:
 *   model: the built or opened model.
 *   spec: the stack it was built from (with `maxlen`), or undefined when it was opened from a saved
 *     model.json (an export), whose layers are tfjs-layers' own.
 *   kernels: the fused kernels of this machine.
 */
export function modelRecurrentPaths(model: tf.LayersModel, spec: { layers: readonly LayerSpec[]; maxlen: number } | undefined, kernels: FusedKernels): RecurrentLayerPath[] {
  const planned = spec === undefined ? [] : recurrentPaths(spec.layers, { maxlen: spec.maxlen }, kernels);
  return model.layers
    .filter((layer) => recurrentClasses.has(layer.getClassName()))
    .map((layer): RecurrentLayerPath => {
      const kind = kindOf(layer);
      if (layer instanceof FusedRecurrent || layer instanceof FusedBidirectional) return { layer: layer.name, kind, path: 'fused' };
      const reason = planned.find((path) => path.layer === layer.name)?.reason ?? SAVED_MODEL_REASON;
      return { layer: layer.name, kind, path: 'tfjs-layers', reason };
    });
}

/** The engine that ran a model (or, with no model, the probe's answer: the backend and the kernels). */
export function engineInfoOf(backend: string, kernels: FusedKernels, model?: tf.LayersModel, spec?: { layers: readonly LayerSpec[]; maxlen: number }): EngineInfo {
  const layers = model === undefined ? [] : modelRecurrentPaths(model, spec, kernels);
  return { backend, recurrent: describeRecurrentPaths(layers, kernels), kernels, layers };
}
