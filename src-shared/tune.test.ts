import { describe, expect, it } from 'vitest';
import { validateStack } from './model';
import { createProject } from './project';
import { getPreset } from './presets';
import { applyTrial, bestTrial, gridTrials, parseGrid } from './tune';

describe('parseGrid', () => {
  it('reads name=values;… into typed values, in the order written', () => {
    expect(parseGrid('units=16,32; dropout=0,0.2;cell=lstm,GRU;layout=Bidirectional')).toEqual({ units: [16, 32], dropout: [0, 0.2], cell: ['LSTM', 'GRU'], layout: ['bidirectional'] });
  });

  it('says which part is wrong, what was expected and what it received', () => {
    expect(() => parseGrid('')).toThrow(`grid must be name=values;… such as 'units=16,32;dropout=0,0.2'. Received: ""`);
    expect(() => parseGrid('size=3')).toThrow('grid: the parameter must be one of cell, units, embedding, dropout, recurrent_dropout, lr, layout. Received: "size"');
    expect(() => parseGrid('units=16,-3')).toThrow('grid: units values must each be a positive integer. Received: "-3"');
    expect(() => parseGrid('dropout=1')).toThrow('grid: dropout values must each be a number from 0 (inclusive) to 1 (exclusive). Received: "1"');
    expect(() => parseGrid('units=')).toThrow('grid: units must list at least one value, as units=a,b. Received: "units="');
    expect(() => parseGrid('units=1;units=2')).toThrow('grid: each parameter must appear once. Received: units twice');
  });
});

describe('gridTrials', () => {
  it('lists every combination, the last parameter varying fastest', () => {
    expect(gridTrials(parseGrid('units=16,32;dropout=0,0.2'))).toEqual([
      { units: 16, dropout: 0 },
      { units: 16, dropout: 0.2 },
      { units: 32, dropout: 0 },
      { units: 32, dropout: 0.2 },
    ]);
  });

  it('samples distinct combinations with a seed, the same ones again for the same seed', () => {
    const grid = parseGrid('units=8,16,32,64;lr=0.001,0.01,0.1');
    const sample = gridTrials(grid, 5, 7);
    expect(sample).toHaveLength(5);
    expect(new Set(sample.map((t) => JSON.stringify(t))).size).toBe(5);
    expect(gridTrials(grid, 5, 7)).toEqual(sample);
    expect(gridTrials(grid, 50, 7)).toHaveLength(12);
    expect(() => gridTrials(grid, 0)).toThrow('random must be a positive integer. Received: 0');
  });
});

describe('applyTrial', () => {
  const lstm = createProject(getPreset('lstm')!.layers);
  const valid = (project: ReturnType<typeof applyTrial>) => validateStack(project.layers, { maxFeatures: 10000, maxlen: 500 });

  it('sets cell, units, dropout, embedding size and learning rate, and early stopping on val_acc', () => {
    const trial = applyTrial(lstm, { cell: 'GRU', units: 16, dropout: 0.2, recurrent_dropout: 0.1, embedding: 64, lr: 0.01 });
    expect(trial.layers.map((l) => [l.kind, l.options])).toEqual([
      ['Embedding', { input_dim: 10000, output_dim: 64 }],
      ['GRU', { units: 16, dropout: 0.2, recurrent_dropout: 0.1 }],
      ['Dense', { units: 1, activation: 'sigmoid' }],
    ]);
    expect(trial.training.optimizer.learningRate).toBe(0.01);
    expect(trial.training.earlyStopping).toEqual({ monitor: 'val_acc', patience: 2, restoreBestWeights: true });
    expect(valid(trial)).toEqual([]);
    expect(lstm.layers[1]!.kind).toBe('LSTM');
  });

  it('stacks or wraps the recurrent layer in Bidirectional, and goes back to a single one', () => {
    const stacked = applyTrial(lstm, { layout: 'stacked', units: 8 });
    expect(stacked.layers.map((l) => l.kind)).toEqual(['Embedding', 'LSTM', 'LSTM', 'Dense']);
    expect(stacked.layers[1]!.options).toEqual({ units: 8, return_sequences: true });
    expect(new Set(stacked.layers.map((l) => l.id)).size).toBe(4);
    expect(valid(stacked)).toEqual([]);
    const bi = applyTrial(lstm, { layout: 'bidirectional', cell: 'SimpleRNN' });
    expect(bi.layers[1]).toMatchObject({ kind: 'Bidirectional', options: { layer: { kind: 'SimpleRNN', options: { units: 32 } } } });
    expect(valid(bi)).toEqual([]);
    expect(applyTrial(stacked, { layout: 'single' }).layers.map((l) => l.kind)).toEqual(['Embedding', 'LSTM', 'Dense']);
    expect(applyTrial(bi, { layout: 'single' }).layers[1]).toMatchObject({ kind: 'SimpleRNN', options: { units: 32 } });
  });

  it('refuses recurrent options for a stack without a recurrent layer', () => {
    const dense = createProject([{ id: 'e', kind: 'Embedding', options: { input_dim: 10, output_dim: 2 } }, { id: 'f', kind: 'Flatten', options: {} }]);
    expect(() => applyTrial(dense, { units: 3 })).toThrow('The model has no SimpleRNN, LSTM, GRU or Bidirectional layer for the sweep to vary.');
  });
});

describe('bestTrial', () => {
  it('picks the highest best val_acc, the first of equals', () => {
    const trials = [
      { index: 1, options: {}, status: 'done' as const, bestValAcc: 0.6 },
      { index: 2, options: {}, status: 'failed' as const },
      { index: 3, options: {}, status: 'done' as const, bestValAcc: 0.8 },
      { index: 4, options: {}, status: 'done' as const, bestValAcc: 0.8 },
    ];
    expect(bestTrial({ trials })?.index).toBe(3);
  });
});
