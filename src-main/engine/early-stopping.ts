/**
 * Keras' `EarlyStopping` callback (`min_delta` 0) for the training loop: after each epoch it says
 * whether the monitored metric still improves, and keeps the best weights when asked to restore them.
 */
import * as tf from '@tensorflow/tfjs';
import { monitorMode, monitoredValue, type EarlyStoppingConfig, type EpochMetrics } from '../../src-shared/training';

/** How a run ends when early stopping ends it. */
export interface EarlyStop {
  reason: 'early-stopped' | 'failed';
  message: string;
}

/** The weights early stopping reads and restores: a tfjs model. */
export interface WeightHolder {
  getWeights(): tf.Tensor[];
  setWeights(weights: tf.Tensor[]): void;
}

export class EarlyStopping {
  private readonly mode: 'min' | 'max';
  private best: number;
  private bestWeights: tf.Tensor[] | undefined;
  private wait = 0;

  /**
   * Args:
   *   config: the monitored metric, the patience and whether to restore the best weights.
   *   validationSplit: the run's, named when a validation metric is monitored without validation data.
   */
  constructor(
    private readonly config: EarlyStoppingConfig,
    private readonly validationSplit: number,
  ) {
    this.mode = monitorMode(config.monitor);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /**
   * Judges the epoch just recorded (the last row of `history`). Returns undefined to go on, or how
   * the run ends: `early-stopped` after `patience` epochs without improvement (with the best weights
   * put back into `model` when `restoreBestWeights`), `failed` when the metric is not measured.
   */
  afterEpoch(history: readonly EpochMetrics[], model: WeightHolder): EarlyStop | undefined {
    const { monitor, patience, restoreBestWeights } = this.config;
    const metrics = history.at(-1)!;
    const current = monitoredValue(metrics, monitor);
    if (current === undefined) {
      return { reason: 'failed', message: `Early stopping monitors ${monitor}, which needs a validation split above 0. Received: validationSplit ${this.validationSplit}` };
    }
    if (this.mode === 'min' ? current < this.best : current > this.best) {
      this.best = current;
      this.wait = 0;
      if (restoreBestWeights) {
        tf.dispose(this.bestWeights ?? []);
        this.bestWeights = model.getWeights().map((weight) => weight.clone());
      }
      return undefined;
    }
    if (++this.wait < patience) return undefined;
    if (this.bestWeights !== undefined) model.setWeights(this.bestWeights);
    const bestEpoch = history.find((row) => monitoredValue(row, monitor) === this.best)?.epoch;
    return { reason: 'early-stopped', message: `${monitor} did not improve for ${this.wait} epoch(s); best was ${this.best.toFixed(4)} at epoch ${bestEpoch}.` };
  }

  /** Frees the kept best weights. */
  dispose(): void {
    tf.dispose(this.bestWeights ?? []);
    this.bestWeights = undefined;
  }
}
