import { describe, expect, it } from 'vitest';
import { parseRequest } from './api';
import { parseDatasetOptions } from './data';
import { parseProject } from './project';
import { parseTrainingConfig } from './training';

/** The message a call throws. */
function messageOf(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('training and data options read in the house style', () => {
  it('through the API: a bad data option of openDataset and a bad training option of a project', () => {
    expect(messageOf(() => parseRequest('openDataset', { path: '/d', options: { csv: { testSplit: 2 } } }))).toBe(
      'openDataset: options.csv.testSplit must be a number between 0 and 1 (exclusive). Received: 2',
    );
    expect(messageOf(() => parseRequest('openDataset', { path: '/d', options: { maxFeatures: 'many' } }))).toBe(
      "openDataset: options.maxFeatures must be a positive integer of at most 1,000,000. Received: 'many'",
    );
    // startTraining carries the project as it came; the service parses it as a project.
    expect(messageOf(() => parseProject({ version: 1, layers: [], training: { optimizer: { name: 'adam', beta1: 1 } } }))).toBe(
      'project: training.optimizer.beta1 must be a number between 0 and 1 (exclusive). Received: 1',
    );
    expect(messageOf(() => parseProject({ version: 1, layers: [], training: { optimizer: { name: 'adagrad' } } }))).toBe(
      "project: training.optimizer.name must be one of 'rmsprop', 'adam', 'sgd'. Received: 'adagrad'",
    );
  });

  it('from the parsers the engine and the data loader use', () => {
    expect(messageOf(() => parseTrainingConfig({ batchSize: 0 }))).toBe('batchSize must be a positive integer of at most 65,536. Received: 0');
    expect(messageOf(() => parseTrainingConfig({ epoch: 3 }))).toBe("training has no option 'epoch'. Received: {\"epoch\":3}");
    expect(messageOf(() => parseTrainingConfig({ earlyStopping: { monitor: 'auc' } }))).toBe(
      "earlyStopping.monitor must be one of 'val_loss', 'val_acc', 'loss', 'acc'. Received: 'auc'",
    );
    expect(messageOf(() => parseDatasetOptions({ maxlen: 300000 }))).toBe('maxlen must be a positive integer of at most 20,000. Received: 300000');
    expect(parseDatasetOptions({})).toEqual({ maxFeatures: 10000, maxlen: 500 });
  });
});
