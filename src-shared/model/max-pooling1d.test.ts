import { describe, expect, it } from 'vitest';
import { summarize } from './summary';
import type { LayerSpec } from './types';

const embedding: LayerSpec = { id: 'e', kind: 'Embedding', options: {} };
const output: LayerSpec = { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };
const rows = (options: Record<string, unknown>, maxlen?: number) =>
  summarize([embedding, { id: 'm', kind: 'MaxPooling1D', options }, { id: 'r', kind: 'LSTM', options: {} }, output], { maxlen });

describe('MaxPooling1D', () => {
  it('halves the steps by default and has no params', () => {
    const row = rows({}, 500).rows[1]!;
    expect([row.name, row.type, row.outputShape, row.params]).toEqual(['max_pooling1d', 'MaxPooling1D', '(None, 250, 32)', 0]);
  });

  it("follows Keras' output length for strides and padding", () => {
    expect(rows({ pool_size: 5 }, 494).rows[1]!.outputShape).toBe('(None, 98, 32)');
    expect(rows({ pool_size: 3, strides: 1 }, 10).rows[1]!.outputShape).toBe('(None, 8, 32)');
    expect(rows({ pool_size: 4, padding: 'same' }, 10).rows[1]!.outputShape).toBe('(None, 3, 32)');
    expect(rows({}).rows[1]!.outputShape).toBe('(None, None, 32)');
  });

  it('asks for a window that fits the sequence', () => {
    expect(rows({ pool_size: 6 }, 5).issues.map((i) => i.message)).toEqual(["pool_size must fit the 5 steps of its input (None, 5, 32) with padding 'valid'. Received: 6"]);
  });
});
