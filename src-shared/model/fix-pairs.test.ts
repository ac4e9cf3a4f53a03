// Every message that offers a fix, with a stack that raises it: the fix must resolve the issue,
// leave a valid model, and keep the user's layers (a "Remove" fix takes away only the one it names).
import { describe, expect, it } from 'vitest';
import { applyFix } from './fix';
import { analyzeStack } from './analyze';
import type { DatasetContext, LayerSpec } from './types';

const E = (options: Record<string, unknown> = {}, id = 'e'): LayerSpec => ({ id, kind: 'Embedding', options });
const R = (kind: string, options: Record<string, unknown> = {}, id = kind.toLowerCase()): LayerSpec => ({ id, kind, options });
const out = (options: Record<string, unknown> = { units: 1, activation: 'sigmoid' }, id = 'd'): LayerSpec => ({ id, kind: 'Dense', options });
const dataset: DatasetContext = { maxFeatures: 10000, maxlen: 500 };

interface Pair {
  stack: LayerSpec[];
  message: RegExp;
  label: string;
  /** The stack's kinds after the fix, top to bottom. */
  after: string[];
  /** The data the stack is checked against; the usual 10,000 words and maxlen 500 when absent. */
  context?: DatasetContext;
}

const pairs: Pair[] = [
  { stack: [R('LSTM'), out()], message: /^The first layer must be an Embedding/, label: 'Add an Embedding at the top', after: ['Embedding', 'LSTM', 'Dense'] },
  { stack: [R('LSTM'), E(), out()], message: /^Embedding must be the first layer/, label: 'Move embedding to the top', after: ['Embedding', 'LSTM', 'Dense'] },
  { stack: [E(), R('LSTM'), E({}, 'e2'), out()], message: /^Embedding must be the first layer/, label: 'Remove embedding_1', after: ['Embedding', 'LSTM', 'Dense'] },
  { stack: [E({ mask_zero: true }), R('GlobalMaxPooling1D'), out()], message: /cannot take the padding mask from embedding/, label: 'Turn off mask_zero on embedding', after: ['Embedding', 'GlobalMaxPooling1D', 'Dense'] },
  // A recurrent layer dropped under the output Dense: moved above it, not the Dense deleted.
  { stack: [E(), R('LSTM'), out(), R('GRU')], message: /^GRU needs a sequence .* Move gru above dense, or remove dense\.$/, label: 'Move gru above dense and turn on return_sequences on lstm', after: ['Embedding', 'LSTM', 'GRU', 'Dense'] },
  // A Dense above the LSTM: the misplaced Dense moves down, no second Dense is added.
  { stack: [E(), out(), R('LSTM')], message: /^The model must end with Dense\(1, sigmoid\)/, label: 'Move dense to the end', after: ['Embedding', 'LSTM', 'Dense'] },
  { stack: [E(), out({}), R('LSTM')], message: /^The model must end with Dense\(1, sigmoid\)/, label: 'Move dense to the end as Dense(1, sigmoid)', after: ['Embedding', 'LSTM', 'Dense'] },
  { stack: [E(), R('LSTM')], message: /^The model must end with Dense\(1, sigmoid\)/, label: 'Add Dense(1, sigmoid) at the end', after: ['Embedding', 'LSTM', 'Dense'] },
  { stack: [E(), R('LSTM', { return_sequences: true }), out()], message: /would predict once per step: turn off return_sequences on lstm above$/, label: 'Turn off return_sequences on lstm', after: ['Embedding', 'LSTM', 'Dense'] },
  { stack: [E(), out()], message: /would predict once per step: add GlobalMaxPooling1D or Flatten above it$/, label: 'Add GlobalMaxPooling1D above it', after: ['Embedding', 'GlobalMaxPooling1D', 'Dense'] },
  { stack: [E(), R('LSTM'), out({ units: 4, activation: 'sigmoid' })], message: /^The output Dense must have 1 unit/, label: 'Set units to 1', after: ['Embedding', 'LSTM', 'Dense'] },
  { stack: [E(), R('LSTM'), out({ units: 1 })], message: /^The output Dense must use the sigmoid activation/, label: 'Use sigmoid', after: ['Embedding', 'LSTM', 'Dense'] },
  { stack: [E({ input_dim: 500 }), R('LSTM'), out()], message: /^input_dim must be at least/, label: 'Set input_dim to 10,000', after: ['Embedding', 'LSTM', 'Dense'] },
  { stack: [E({ input_length: 80 }), R('LSTM'), out()], message: /^input_length must equal/, label: "Use the dataset's maxlen", after: ['Embedding', 'LSTM', 'Dense'] },
  { stack: [E(), R('LSTM'), R('GRU'), out()], message: /^GRU needs a sequence: turn on return_sequences on lstm above$/, label: 'Turn on return_sequences on lstm', after: ['Embedding', 'LSTM', 'GRU', 'Dense'] },
  { stack: [E(), R('LSTM'), R('Flatten'), out()], message: /^Flatten needs a sequence .* but its input is already flat/, label: 'Remove flatten', after: ['Embedding', 'LSTM', 'Dense'] },
  { stack: [E(), R('Conv1D', { strides: 2, dilation_rate: 2 }), R('GlobalMaxPooling1D'), out()], message: /^strides must be 1 when dilation_rate is above 1/, label: 'Set strides to 1', after: ['Embedding', 'Conv1D', 'GlobalMaxPooling1D', 'Dense'] },
  { stack: [E({ input_length: 3 }), R('Conv1D', { kernel_size: 5 }), R('GlobalMaxPooling1D'), out()], message: /^kernel_size must fit/, label: "Use padding 'same'", after: ['Embedding', 'Conv1D', 'GlobalMaxPooling1D', 'Dense'], context: { maxFeatures: 10000 } },
];

describe('every message and its fix', () => {
  it.each(pairs)('$label', ({ stack, message, label, after, context = dataset }) => {
    const issues = analyzeStack(stack, context).issues;
    const issue = issues.find((candidate) => message.test(candidate.message));
    expect(issue, issues.map((i) => i.message).join('\n')).toBeDefined();
    expect(issue!.fix?.label).toBe(label);
    const fixed = applyFix(stack, issue!.fix!.apply);
    expect(analyzeStack(fixed, context).issues.map((i) => i.message)).toEqual([]);
    expect(fixed.map((layer) => layer.kind)).toEqual(after);
    const kept = fixed.map((layer) => layer.id);
    const removed = issue!.fix!.apply.type === 'removeLayer' ? [issue!.fix!.apply.layerId] : [];
    for (const layer of stack) if (!removed.includes(layer.id)) expect(kept).toContain(layer.id);
  });
});
