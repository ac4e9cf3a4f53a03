import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../errors';
import { applyFix, createLayer, newLayerId } from './fix';
import { pinLayerNames, resolveLayerNames } from './names';
import type { LayerSpec } from './types';

const stack: LayerSpec[] = [
  { id: 'embedding-1', kind: 'Embedding', options: {} },
  { id: 'b', kind: 'Bidirectional', options: { layer: { kind: 'LSTM', options: { units: 8 } } } },
  { id: 'dense-1', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
];

describe('applyFix', () => {
  it('sets a nested option without touching the input stack', () => {
    const next = applyFix(stack, { type: 'setOption', layerId: 'b', option: 'layer.options.return_sequences', value: true });
    expect(next[1]!.options).toEqual({ layer: { kind: 'LSTM', options: { units: 8, return_sequences: true } } });
    expect(stack[1]!.options).toEqual({ layer: { kind: 'LSTM', options: { units: 8 } } });
  });

  it('inserts a layer with Keras defaults and a fresh id', () => {
    const next = applyFix(stack, { type: 'insertLayer', index: 2, layer: { kind: 'Dropout', options: { rate: 0.2 } } });
    expect(next[2]).toEqual({ id: 'dropout-1', kind: 'Dropout', name: 'dropout', options: { rate: 0.2 } });
    expect(next).toHaveLength(4);
  });

  it('moves and removes layers by id', () => {
    expect(applyFix(stack, { type: 'moveLayer', layerId: 'dense-1', index: 0 }).map((s) => s.id)).toEqual(['dense-1', 'embedding-1', 'b']);
    expect(applyFix(stack, { type: 'removeLayer', layerId: 'b' }).map((s) => s.id)).toEqual(['embedding-1', 'dense-1']);
  });
});

describe('createLayer', () => {
  it("names a new layer as Keras would, after the highest of its family, so inserting above does not rename others", () => {
    const lstm = createLayer(stack, 'LSTM');
    // The Bidirectional's wrapped LSTM already took `lstm`.
    expect(lstm.name).toBe('lstm_1');
    const above = applyFix([...stack, lstm], { type: 'insertLayer', index: 1, layer: { kind: 'LSTM', options: {} } });
    expect(above.map((layer) => layer.name)).toEqual([undefined, 'lstm_2', undefined, undefined, 'lstm_1']);
    expect(resolveLayerNames(above)).toEqual(['embedding', 'lstm_2', 'bidirectional', 'dense', 'lstm_1']);
  });

  it('pins the names a stack resolves to, so later edits keep them', () => {
    const pinned = pinLayerNames(stack);
    expect(pinned.map((layer) => layer.name)).toEqual(['embedding', 'bidirectional', 'dense']);
    const moved = applyFix(pinned, { type: 'moveLayer', layerId: 'dense-1', index: 0 });
    expect(resolveLayerNames(moved)).toEqual(['dense', 'embedding', 'bidirectional']);
  });

  it('fills every option with its default', () => {
    expect(createLayer(stack, 'GRU')).toEqual({
      id: 'gru-1',
      kind: 'GRU',
      name: 'gru',
      options: { units: 32, activation: 'tanh', use_bias: true, return_sequences: false, go_backwards: false, dropout: 0, recurrent_dropout: 0, recurrent_activation: 'sigmoid', reset_after: true },
    });
    expect(newLayerId(stack, 'Embedding')).toBe('embedding-2');
  });

  it('refuses an unknown kind', () => {
    expect(() => createLayer(stack, 'Attention')).toThrow(WorkbenchError);
    expect(() => createLayer(stack, 'Attention')).toThrow(/^Layer kind must be one of Embedding, .*\. Received: 'Attention'$/);
  });
});
