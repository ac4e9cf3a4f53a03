import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseTrainingConfig, type EpochMetrics } from '../../src-shared/training';
import { initBackend } from './backend';
import { EarlyStopping } from './early-stopping';

let model: tf.Sequential;
let early: EarlyStopping | undefined;

beforeAll(async () => {
  await initBackend();
});

afterEach(() => {
  early?.dispose();
  model?.dispose();
});

function setUp(earlyStopping: Record<string, unknown>, validationSplit = 0.2): void {
  model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
  const config = parseTrainingConfig({ earlyStopping, validationSplit });
  early = new EarlyStopping(config.earlyStopping!, config.validationSplit);
}

/** Sets every weight of the model to `value`, standing for an epoch of training. */
function train(value: number): void {
  model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, value)));
}

const kernel = (): number[] => Array.from(model.getWeights()[0]!.dataSync());

describe('EarlyStopping', () => {
  it('stops once val_loss has not fallen for `patience` epochs, naming the best epoch', () => {
    setUp({ monitor: 'val_loss', patience: 2 });
    const history: EpochMetrics[] = [];
    const losses = [0.6, 0.5, 0.55, 0.5];
    const outcomes = losses.map((valLoss, i) => {
      history.push({ epoch: i + 1, loss: 0.5, acc: 0.7, seconds: 1, gradNorm: 1, val_loss: valLoss, val_acc: 0.7 });
      return early!.afterEpoch(history, model);
    });
    // An equal value is no improvement (min_delta 0): epoch 4 is the second without one.
    expect(outcomes.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(outcomes[3]).toEqual({ reason: 'early-stopped', message: 'val_loss did not improve for 2 epoch(s); best was 0.5000 at epoch 2.' });
  });

  it('waits for accuracies to rise, and puts the best weights back when restoreBestWeights is on', () => {
    setUp({ monitor: 'val_acc', patience: 1, restoreBestWeights: true });
    const history: EpochMetrics[] = [];
    train(2);
    history.push({ epoch: 1, loss: 0.5, acc: 0.7, seconds: 1, gradNorm: 1, val_loss: 0.5, val_acc: 0.8 });
    expect(early!.afterEpoch(history, model)).toBeUndefined();
    train(5);
    history.push({ epoch: 2, loss: 0.4, acc: 0.8, seconds: 1, gradNorm: 1, val_loss: 0.4, val_acc: 0.75 });
    expect(early!.afterEpoch(history, model)).toEqual({ reason: 'early-stopped', message: 'val_acc did not improve for 1 epoch(s); best was 0.8000 at epoch 1.' });
    expect(kernel()).toEqual([2, 2]);
  });

  it('keeps the last weights when restoreBestWeights is off', () => {
    setUp({ monitor: 'loss', patience: 1, restoreBestWeights: false });
    const history: EpochMetrics[] = [];
    history.push({ epoch: 1, loss: 0.5, acc: 0.7, seconds: 1, gradNorm: 1 });
    expect(early!.afterEpoch(history, model)).toBeUndefined();
    train(5);
    history.push({ epoch: 2, loss: 0.6, acc: 0.7, seconds: 1, gradNorm: 1 });
    expect(early!.afterEpoch(history, model)?.reason).toBe('early-stopped');
    expect(kernel()).toEqual([5, 5]);
  });

  it('fails the run when it monitors a validation metric without a validation split', () => {
    setUp({ monitor: 'val_loss', patience: 3 }, 0);
    expect(early!.afterEpoch([{ epoch: 1, loss: 0.5, acc: 0.7, seconds: 1, gradNorm: 1 }], model)).toEqual({
      reason: 'failed',
      message: 'Early stopping monitors val_loss, which needs a validation split above 0. Received: validationSplit 0',
    });
  });
});
