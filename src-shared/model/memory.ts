/**
 * A model's memory, estimated from its declared sizes before tfjs allocates anything: the weights
 * (`parameters × 4 bytes × copies`) plus one batch of layer outputs. A stack that does not fit is refused
 * with the sizes that make it up, so the user sees which one to lower.
 */
import { formatBytes, modelBytes, requireWithinMemory } from '../limits';
import { summarize } from './summary';
import type { DatasetContext, LayerSpec } from './types';

export interface ModelUse {
  /** 'training' also holds a gradient and the optimizer's slots per weight; 'inference' the weights alone. */
  purpose: 'training' | 'inference';
  /** Float32 copies per weight the optimizer keeps (`optimizerSlots`); training only. */
  optimizerSlots?: number;
  /** Reviews per batch. */
  batchSize: number;
}

/** Bytes of one batch of every layer's output: `batch × Σ outputs × 4 bytes`, twice in training (values and their gradients). */
function activationBytes(shapes: readonly (readonly (number | null)[] | null)[], use: ModelUse): number {
  const perReview = shapes.reduce((sum: number, shape) => sum + (shape ?? []).reduce((n: number, d) => n * (d ?? 1), 1), 0);
  return use.batchSize * perReview * 4 * (use.purpose === 'training' ? 2 : 1);
}

/**
 * Refuses a valid stack whose estimate is above `limit` bytes.
 *
 * Args:
 *   stack: the layers; an invalid stack is left to validation, which says more.
 *   dataset: maxFeatures and maxlen, which fix the shapes.
 *   use: what the model is built for.
 *   limit: the memory limit in bytes.
 */
export function requireModelFits(stack: readonly LayerSpec[], dataset: DatasetContext, use: ModelUse, limit: number): void {
  const summary = summarize(stack, dataset);
  if (!summary.valid) return;
  const copies = use.purpose === 'training' ? 2 + (use.optimizerSlots ?? 0) : 1;
  const weights = modelBytes(summary.totalParams, copies);
  const activations = activationBytes(
    summary.rows.map((row) => row.shape),
    use,
  );
  const what = use.purpose === 'training' ? 'Training this model' : 'This model';
  const copiesNote = use.purpose === 'training' ? ` (weights, gradients, ${use.optimizerSlots ?? 0} optimizer slots)` : '';
  requireWithinMemory(what, weights.bytes + activations, `${weights.formula}${copiesNote} + ${formatBytes(activations)} of layer outputs for a batch of ${use.batchSize}`, limit);
}
