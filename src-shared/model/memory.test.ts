import { describe, expect, it } from 'vitest';
import { formatBytes, optimizerSlots } from '../limits';
import { requireModelFits } from './memory';
import type { LayerSpec } from './types';

const stack = (units: number): LayerSpec[] => [
  { id: 'e', kind: 'Embedding', options: { input_dim: 10000, output_dim: 32 } },
  { id: 'l', kind: 'LSTM', options: { units } },
  { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
];
const MB = 1024 * 1024;

describe('a model memory estimate from declared sizes', () => {
  it('counts parameters × 4 bytes × (weights, gradients, optimizer slots) plus a batch of outputs in training', () => {
    // Embedding 320,000 + LSTM 4·(1024·(32+1024)+1024) = 4,329,472 + Dense 1,025 parameters.
    const params = 320_000 + 4_329_472 + 1_025;
    const batchOutputs = 128 * (500 * 32 + 1024 + 1) * 4 * 2;
    const bytes = params * 4 * 4 + batchOutputs;
    expect(() => requireModelFits(stack(1024), { maxlen: 500 }, { purpose: 'training', optimizerSlots: 2, batchSize: 128 }, bytes)).not.toThrow();
    expect(() => requireModelFits(stack(1024), { maxlen: 500 }, { purpose: 'training', optimizerSlots: 2, batchSize: 128 }, bytes - 1)).toThrow(
      `Training this model must fit in the memory limit of ${formatBytes(bytes - 1)} (RNN_WORKBENCH_MEMORY_LIMIT_MB). Received: 4,650,497 parameters × 4 bytes × 4 (weights, gradients, 2 optimizer slots) + ${formatBytes(batchOutputs)} of layer outputs for a batch of 128 = ${formatBytes(bytes)}`,
    );
  });

  it('needs one copy of the weights to predict, and leaves invalid stacks to validation', () => {
    expect(() => requireModelFits(stack(4096), { maxlen: 500 }, { purpose: 'inference', batchSize: 1 }, 300 * MB)).not.toThrow();
    expect(() => requireModelFits(stack(4096), { maxlen: 500 }, { purpose: 'inference', batchSize: 1 }, 200 * MB)).toThrow(/^This model must fit in the memory limit of 200 MB .* = 259 MB$/);
    expect(() => requireModelFits(stack(20000), { maxlen: 500 }, { purpose: 'inference', batchSize: 1 }, 1)).not.toThrow();
  });

  it("takes the optimizer's slots from tfjs' implementations", () => {
    expect(optimizerSlots({ name: 'rmsprop' })).toBe(2);
    expect(optimizerSlots({ name: 'adam' })).toBe(2);
    expect(optimizerSlots({ name: 'sgd', momentum: 0 })).toBe(0);
    expect(optimizerSlots({ name: 'sgd', momentum: 0.9 })).toBe(1);
  });
});
