/**
 * The divergence guard of the training loop: it judges each batch's loss and gradient norm before
 * that batch's step is applied, and on a broken step puts the weights back to the last good ones.
 */
import * as tf from '@tensorflow/tfjs';

/** The loss of a model that always says 50%: binary crossentropy's chance level. */
export const CHANCE_LOSS = Math.LN2;
/**
 * A batch loss above this, right after a batch below it, means the step between them diverged.
 *
 * Why four times chance: a step too large for the optimizer (Adam or RMSprop at 1e6 move every
 * weight by about the rate) saturates the units, so each review's prediction is 0 or 1 at the clip
 * and the batch loss lands near 16.1 × the error rate, ~8 for a coin-flip model (measured 5–11 at
 * the second batch of every optimizer). Sane training on shuffled batches of 16 or more stays far
 * below: its batch losses start at chance and fall (measured at most 1.22 in 10 epochs on the IMDb
 * sample, LSTM and SimpleRNN, rmsprop 1e-3, adam 1e-2 and sgd 0.1, batches of 16 to 128). Merely
 * bad training (a rate somewhat too high) hovers around chance: the warnings' business, not a stop.
 */
export const DIVERGED_LOSS = 4 * CHANCE_LOSS;
/**
 * Batches with fewer reviews are neither judged nor taken as the sane reference: one confidently
 * wrong review (loss up to 16.1) lifts the mean of a tiny batch past the bound in sane training
 * (measured: 2 of 1,440 single-review batches), and a tiny batch of a diverged model can look sane.
 */
export const MIN_JUDGED_BATCH = 16;

/** One batch as the guard sees it, before its step. */
export interface JudgedBatch {
  /** The batch's mean loss. */
  loss: number;
  /** The global L2 norm of its gradients. */
  norm: number;
  /** Reviews in the batch. */
  size: number;
  /** Where it is, for the message: `epoch 2, batch 5`. */
  where: string;
}

/**
 * Keeps the weights from before the last step (their batch had a finite loss and gradient), to go
 * back to when that step broke the model.
 *
 * On cpu a clone shares the data (optimizers assign new tensors rather than write in place, and the
 * fused kernels only read weights); wasm copies it, ~1.4 ms per 5 MB of weights, small next to a batch.
 */
export class DivergenceGuard {
  private beforeStep: { weights: tf.Tensor[]; loss: number; sane: boolean } | undefined;

  /**
   * Args:
   *   variables: the trained weights, in the order the optimizer updates them.
   *   learningRate: the optimizer's rate, named in the advice of a failure message.
   */
  constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly learningRate: number,
  ) {}

  /**
   * Judges a batch before its step. Returns undefined when the step may be applied (the weights of
   * now are kept to go back to), or the message that ends the run as `failed`, with the weights put
   * back to those from before the step that led here (or left as they are when there was none).
   */
  admit(batch: JudgedBatch): string | undefined {
    const { loss, norm, size, where } = batch;
    const judged = size >= MIN_JUDGED_BATCH;
    const advice = `Lower the learning rate (${this.learningRate}) or set clipnorm.`;
    // A loss far past chance comes from the weights themselves, so the step that made them is
    // undone. Only the batch right before counts as the sane reference, not the first or any
    // earlier one: the weights kept are those from before the one step between the two batches,
    // so the jump must lie in that step for them to be sane ones (and "after one step" true).
    if (judged && loss > DIVERGED_LOSS && this.beforeStep?.sane === true) {
      const saneLoss = this.beforeStep.loss;
      this.restore();
      return (
        `Training diverged at ${where}: the loss jumped from ${saneLoss.toFixed(3)} to ${loss.toFixed(3)} after one step, far worse than chance ` +
        `(${CHANCE_LOSS.toFixed(3)}). The weights from before that step were kept. ${advice}`
      );
    }
    // Non-finite values need no reference and show at any batch size. They are not applied, and
    // the last step goes too: it led here from weights whose loss and gradient were finite (a
    // step at rate 1e38 leaves weights near float32's limit, one at 1e39 NaN and Infinity).
    if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
      const undo = this.beforeStep !== undefined;
      if (undo) this.restore();
      const what = !Number.isFinite(loss) ? `the loss became ${loss}` : `the gradient norm became ${norm}`;
      const kept = undo ? 'The weights from before the step that led here were kept.' : 'The weights from before that batch were kept.';
      return `Training stopped at ${where}: ${what}. ${kept} ${advice}`;
    }
    this.forget();
    this.beforeStep = { weights: this.variables.map((variable) => tf.clone(variable)), loss, sane: judged && loss <= DIVERGED_LOSS };
    return undefined;
  }

  /** Frees the kept weights; the guard is done. */
  dispose(): void {
    this.forget();
  }

  private restore(): void {
    this.beforeStep!.weights.forEach((weights, i) => this.variables[i]!.assign(weights));
    this.forget();
  }

  private forget(): void {
    tf.dispose(this.beforeStep?.weights ?? []);
    this.beforeStep = undefined;
  }
}
