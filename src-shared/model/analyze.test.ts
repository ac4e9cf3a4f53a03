import { describe, expect, it } from 'vitest';
import { applyFix } from './fix';
import { resolveLayerNames } from './names';
import { summarize, validateStack } from './summary';
import type { LayerSpec } from './types';

const embedding: LayerSpec = { id: 'e', kind: 'Embedding', options: {} };
const output: LayerSpec = { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };

/** Applies every offered fix in turn until the stack is valid or no fix is left. */
function fixAll(stack: LayerSpec[]): LayerSpec[] {
  let current = stack;
  for (let i = 0; i < 10; i += 1) {
    const fix = validateStack(current).find((issue) => issue.fix !== undefined)?.fix;
    if (fix === undefined) return current;
    current = applyFix(current, fix.apply);
  }
  return current;
}

describe('stack validation', () => {
  it('reports an empty model as a model-level issue', () => {
    expect(validateStack([])).toEqual([
      { layerId: null, layerIndex: -1, message: 'The model has no layers. Add an Embedding, a recurrent layer and Dense(1, sigmoid), or start from a preset.' },
    ]);
  });

  it('wants an Embedding first, and offers to add one', () => {
    const stack: LayerSpec[] = [{ id: 'l', kind: 'LSTM', options: {} }, output];
    const [issue] = validateStack(stack);
    expect([issue!.layerId, issue!.message]).toEqual(['l', 'The first layer must be an Embedding that turns word ids into vectors. Received: LSTM']);
    expect(summarize(fixAll(stack)).valid).toBe(true);
  });

  it('moves a misplaced Embedding to the top', () => {
    const stack: LayerSpec[] = [{ id: 'l', kind: 'LSTM', options: {} }, embedding, output];
    const issues = validateStack(stack);
    expect(issues.map((i) => [i.layerId, i.message])).toEqual([
      ['l', 'The first layer must be an Embedding that turns word ids into vectors. Received: LSTM'],
      ['e', 'Embedding must be the first layer: it reads the word ids. Received: at position 2'],
    ]);
    expect(applyFix(stack, issues[1]!.fix!.apply).map((s) => s.id)).toEqual(['e', 'l', 'd']);
  });

  it('names an unknown kind and the kinds it knows', () => {
    const [issue] = validateStack([embedding, { id: 'x', kind: 'Transformer', options: {} }, output]);
    expect(issue!.message).toMatch(/^Layer kind must be one of Embedding, SimpleRNN, LSTM, GRU, Bidirectional, Dense, .*\. Received: 'Transformer'$/);
  });

  it('wants a final Dense(1, sigmoid)', () => {
    const stack: LayerSpec[] = [embedding, { id: 'l', kind: 'LSTM', options: {} }];
    const [issue] = validateStack(stack);
    expect(issue!.message).toBe('The model must end with Dense(1, sigmoid) to predict a binary label. Received: LSTM last');
    const fixed = fixAll(stack);
    expect(fixed.map((s) => [s.kind, s.options.units, s.options.activation])).toEqual([
      ['Embedding', undefined, undefined],
      ['LSTM', undefined, undefined],
      ['Dense', 1, 'sigmoid'],
    ]);
    expect(summarize(fixed).totalParams).toBe(328_353);
  });

  it('fixes the seed mistake of stacking recurrent layers without return_sequences', () => {
    const stack: LayerSpec[] = [embedding, ...[1, 2, 3, 4].map((i) => ({ id: `r${i}`, kind: 'SimpleRNN', options: {} })), output];
    expect(validateStack(stack)).toHaveLength(1);
    const fixed = fixAll(stack);
    expect(fixed.map((s) => s.options.return_sequences)).toEqual([undefined, true, true, true, undefined, undefined]);
    expect(summarize(fixed).totalParams).toBe(328_353);
  });

  it('refuses duplicate names', () => {
    const stack: LayerSpec[] = [embedding, { id: 'a', kind: 'LSTM', options: { return_sequences: true }, name: 'rnn' }, { id: 'b', kind: 'LSTM', options: {}, name: 'rnn' }, output];
    const issues = validateStack(stack);
    expect(issues.map((i) => [i.layerId, i.option, i.message])).toEqual([['b', 'name', "Layer names must be unique; rename this layer. Received: 'rnn' twice"]]);
    // A chosen name that matches a default pushes the default on, as it cannot collide.
    expect(resolveLayerNames([embedding, { ...output, name: 'embedding' }])).toEqual(['embedding_1', 'embedding']);
  });

  it('gives formulas that evaluate to the counts', () => {
    const stack: LayerSpec[] = [
      { id: 'e', kind: 'Embedding', options: { input_dim: 12345, output_dim: 7 } },
      { id: 'c', kind: 'Conv1D', options: { filters: 5, kernel_size: 3, padding: 'same' } },
      { id: 'b', kind: 'Bidirectional', options: { layer: { kind: 'GRU', options: { units: 6, return_sequences: true } } } },
      { id: 's', kind: 'SimpleRNN', options: { units: 4, return_sequences: true, use_bias: false } },
      { id: 'l', kind: 'LSTM', options: { units: 3 } },
      { id: 'h', kind: 'Dense', options: { units: 9 } },
      output,
    ];
    const summary = summarize(stack);
    expect(summary.issues).toEqual([]);
    for (const row of summary.rows) {
      if (row.params === 0) continue;
      const [expression, result] = row.paramFormula.split(' = ');
      // The formula is plain arithmetic: digits, spaces, parentheses, + and ·.
      expect(expression).toMatch(/^[\d,·+() ]+$/);
      const value = Function(`return ${expression!.replaceAll(',', '').replaceAll('·', '*')}`)() as number;
      expect([value, Number(result!.replaceAll(',', ''))]).toEqual([row.params, row.params]);
    }
  });
});

describe('Keras default names', () => {
  it('counts per class and skips names the user chose', () => {
    const stack: LayerSpec[] = [
      embedding,
      { id: 'a', kind: 'LSTM', options: { return_sequences: true } },
      { id: 'b', kind: 'LSTM', options: { return_sequences: true }, name: 'lstm_1' },
      { id: 'c', kind: 'LSTM', options: {} },
      { id: 'x', kind: 'Dropout', options: {} },
      output,
    ];
    expect(resolveLayerNames(stack)).toEqual(['embedding', 'lstm', 'lstm_1', 'lstm_2', 'dropout', 'dense']);
  });
});

describe('long stacks', () => {
  it('summarizes a 20-layer stack', () => {
    const stack: LayerSpec[] = [embedding, ...Array.from({ length: 18 }, (_, i) => ({ id: `r${i}`, kind: 'GRU', options: { return_sequences: i < 17 } })), output];
    const summary = summarize(stack, { maxlen: 500 });
    expect(summary.rows).toHaveLength(20);
    expect(summary.valid).toBe(true);
  });
});
