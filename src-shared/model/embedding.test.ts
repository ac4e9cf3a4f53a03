import { describe, expect, it } from 'vitest';
import { embedding, embeddingOptions } from './embedding';
import { summarize } from './summary';
import type { LayerSpec } from './types';

const stack = (options: Record<string, unknown>): LayerSpec[] => [
  { id: 'e', kind: 'Embedding', options },
  { id: 'r', kind: 'SimpleRNN', options: {} },
  { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
];

describe('Embedding', () => {
  it('has 10,000 · 32 = 320,000 params and outputs (None, steps, 32)', () => {
    const row = summarize(stack({ input_dim: 10000, output_dim: 32 }), { maxlen: 500 }).rows[0]!;
    expect([row.name, row.type, row.outputShape, row.params, row.paramFormula]).toEqual(['embedding', 'Embedding', '(None, 500, 32)', 320_000, '10,000 · 32 = 320,000']);
    expect(summarize(stack({})).rows[0]!.outputShape).toBe('(None, None, 32)');
  });

  it('takes the sequence length from input_length when set', () => {
    expect(summarize(stack({ input_length: 80 })).rows[0]!.outputShape).toBe('(None, 80, 32)');
  });

  it('defaults to Keras arguments with the book sizes', () => {
    expect(embeddingOptions.parse({})).toEqual({ input_dim: 10000, output_dim: 32, mask_zero: false, input_length: null });
  });

  it('asks for input_dim to cover the dataset vocabulary, and offers the fix', () => {
    const issues = summarize(stack({ input_dim: 5000 }), { maxFeatures: 10000 }).issues;
    expect(issues).toEqual([
      {
        layerId: 'e',
        layerIndex: 0,
        option: 'input_dim',
        message: "input_dim must be at least the dataset's vocabulary size 10,000 (max features), or word ids above 4,999 have no vector. Received: 5000",
        fix: { label: 'Set input_dim to 10,000', apply: { type: 'setOption', layerId: 'e', option: 'input_dim', value: 10000 } },
      },
    ]);
  });

  it('asks for input_length to match the dataset maxlen', () => {
    const [issue] = summarize(stack({ input_length: 100 }), { maxlen: 500 }).issues;
    expect(issue!.message).toBe("input_length must equal the dataset's maxlen 500, or be left empty. Received: 100");
    expect(issue!.fix!.apply).toEqual({ type: 'setOption', layerId: 'e', option: 'input_length', value: null });
  });

  it('refuses non-positive sizes in the house style', () => {
    expect(summarize(stack({ output_dim: 0 })).issues.map((i) => i.message)).toEqual(['output_dim must be a positive integer of at most 4,096. Received: 0']);
    expect(summarize(stack({ input_dim: 2.5 })).issues.map((i) => i.message)).toEqual(['input_dim must be a positive integer of at most 1,000,000. Received: 2.5']);
  });

  it("describes tfjs' Embedding with Keras' uniform(-0.05, 0.05) initializer", () => {
    expect(embedding.toTfjs(embeddingOptions.parse({ mask_zero: true }), [null, 10])).toEqual({
      className: 'Embedding',
      config: {
        inputDim: 10000,
        outputDim: 32,
        maskZero: true,
        embeddingsInitializer: { className: 'RandomUniform', config: { minval: -0.05, maxval: 0.05 } },
      },
    });
  });
});
