import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { DIVERGED_LOSS, DivergenceGuard, MIN_JUDGED_BATCH } from './divergence-guard';

let variables: tf.Variable[] = [];
let guard: DivergenceGuard;

beforeAll(async () => {
  await initBackend();
});

afterEach(() => {
  guard?.dispose();
  tf.dispose(variables);
});

function setUp(rate = 0.5): void {
  variables = [tf.variable(tf.tensor1d([1, 2])), tf.variable(tf.tensor2d([[3]]))];
  guard = new DivergenceGuard(variables, rate);
}

/** Stands for an optimizer step: every weight moves by `by`. */
function step(by: number): void {
  for (const variable of variables) variable.assign(tf.add(variable, by));
}

const weights = (): number[][] => variables.map((variable) => Array.from(variable.dataSync()));

describe('DivergenceGuard', () => {
  it('lets sane batches through and, when the loss jumps past 4 × chance after one step, puts back the weights from before that step', () => {
    setUp(1e6);
    expect(guard.admit({ loss: 0.69, norm: 1, size: 32, where: 'epoch 1, batch 1' })).toBeUndefined();
    step(1);
    expect(guard.admit({ loss: 0.65, norm: 1, size: 32, where: 'epoch 1, batch 2' })).toBeUndefined();
    const beforeBadStep = weights();
    step(100);
    const message = guard.admit({ loss: 8.2, norm: 3, size: 32, where: 'epoch 1, batch 3' });
    expect(message).toBe(
      'Training diverged at epoch 1, batch 3: the loss jumped from 0.650 to 8.200 after one step, far worse than chance (0.693). The weights from before that step were kept. Lower the learning rate (1000000) or set clipnorm.',
    );
    expect(weights()).toEqual(beforeBadStep);
  });

  it(`does not judge the loss of batches under ${MIN_JUDGED_BATCH} reviews, nor take them as the sane reference`, () => {
    setUp();
    expect(guard.admit({ loss: 0.6, norm: 1, size: MIN_JUDGED_BATCH - 1, where: 'epoch 1, batch 1' })).toBeUndefined();
    step(1);
    // The batch before was too small to vouch for its weights: no reference, no stop.
    expect(guard.admit({ loss: DIVERGED_LOSS + 1, norm: 1, size: 32, where: 'epoch 1, batch 2' })).toBeUndefined();
    step(1);
    // A small batch far past the bound is one confident mistake, not divergence.
    expect(guard.admit({ loss: 0.6, norm: 1, size: 32, where: 'epoch 1, batch 3' })).toBeUndefined();
    expect(guard.admit({ loss: DIVERGED_LOSS + 1, norm: 1, size: MIN_JUDGED_BATCH - 1, where: 'epoch 1, batch 4' })).toBeUndefined();
  });

  it('needs the batch right before to be sane: a loss past the bound after a batch past it goes on', () => {
    setUp();
    expect(guard.admit({ loss: DIVERGED_LOSS + 0.5, norm: 1, size: 32, where: 'epoch 1, batch 1' })).toBeUndefined();
    step(1);
    expect(guard.admit({ loss: DIVERGED_LOSS + 2, norm: 1, size: 32, where: 'epoch 1, batch 2' })).toBeUndefined();
  });

  it('stops on a non-finite loss at the first batch, leaving the weights as they are', () => {
    setUp();
    const before = weights();
    expect(guard.admit({ loss: NaN, norm: 1, size: 8, where: 'epoch 1, batch 1' })).toBe(
      'Training stopped at epoch 1, batch 1: the loss became NaN. The weights from before that batch were kept. Lower the learning rate (0.5) or set clipnorm.',
    );
    expect(weights()).toEqual(before);
  });

  it('stops on a non-finite gradient norm at any batch size, undoing the step that led there', () => {
    setUp(1e39);
    expect(guard.admit({ loss: 0.7, norm: 2, size: 4, where: 'epoch 2, batch 1' })).toBeUndefined();
    const beforeStep = weights();
    step(1e38);
    expect(guard.admit({ loss: 0.7, norm: Infinity, size: 4, where: 'epoch 2, batch 2' })).toBe(
      'Training stopped at epoch 2, batch 2: the gradient norm became Infinity. The weights from before the step that led here were kept. Lower the learning rate (1e+39) or set clipnorm.',
    );
    expect(weights()).toEqual(beforeStep);
  });
});
