import { describe, expect, it } from 'vitest';
import { describeRecurrentPaths, formatRecurrentPath, fusedPlan, recurrentPaths, type FusedKernels, type RecurrentLayerPath } from './recurrent-path';
import type { LayerSpec } from './types';

const ready: FusedKernels = { available: true, simd: 'avx2+fma', threads: 2 };
const missing: FusedKernels = { available: false, reason: 'disabled by RNN_WORKBENCH_FUSED=0', simd: 'none', threads: 0 };

const embedding = (options: Record<string, unknown> = {}): LayerSpec => ({ id: 'e', kind: 'Embedding', options: { input_dim: 10000, output_dim: 8, ...options } });
const head: LayerSpec = { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };
const stack = (...middle: LayerSpec[]): LayerSpec[] => [embedding(), ...middle, head];

/** The one recurrent layer's path in `embedding → layer → Dense(1, sigmoid)`. */
function pathOf(layer: LayerSpec, kernels = ready): RecurrentLayerPath {
  const paths = recurrentPaths(stack(layer), { maxlen: 20 }, kernels);
  expect(paths).toHaveLength(1);
  return paths[0]!;
}

describe('recurrentPaths', () => {
  it.each([
    ['SimpleRNN', {}],
    ['LSTM', { dropout: 0.2, recurrent_dropout: 0.1, go_backwards: true, use_bias: false, unit_forget_bias: false }],
    ['GRU', {}],
    // The kernels have both GRU cells, so reset_after=false is fused too.
    ['GRU', { reset_after: false }],
  ])('puts a %s with options %j on the fused kernels', (kind, options) => {
    expect(pathOf({ id: 'r', kind, options })).toEqual({ layer: kind === 'SimpleRNN' ? 'simple_rnn' : kind.toLowerCase(), kind, path: 'fused' });
  });

  it.each([
    ['LSTM', { recurrent_activation: 'hard_sigmoid' }, 'hard_sigmoid recurrent activation'],
    ['GRU', { recurrent_activation: 'hard_sigmoid', reset_after: false }, 'hard_sigmoid recurrent activation'],
    ['LSTM', { recurrent_activation: 'hard_sigmoid_k3' }, "Keras 3's hard_sigmoid recurrent activation"],
    ['SimpleRNN', { activation: 'relu' }, 'relu activation'],
    ['LSTM', { activation: 'softsign' }, 'softsign activation'],
  ])('sends a %s with %j to tfjs-layers, naming the option', (kind, options, reason) => {
    expect(pathOf({ id: 'r', kind, options })).toMatchObject({ kind, path: 'tfjs-layers', reason });
  });

  it("reads a Bidirectional by its wrapped layer's options, and fuses every merge mode", () => {
    for (const mergeMode of ['concat', 'sum', 'mul', 'ave']) {
      expect(pathOf({ id: 'b', kind: 'Bidirectional', options: { layer: { kind: 'GRU', options: {} }, merge_mode: mergeMode } })).toEqual({
        layer: 'bidirectional',
        kind: 'Bidirectional(GRU)',
        path: 'fused',
      });
    }
    expect(pathOf({ id: 'b', kind: 'Bidirectional', options: { layer: { kind: 'LSTM', options: { activation: 'relu' } } } })).toEqual({
      layer: 'bidirectional',
      kind: 'Bidirectional(LSTM)',
      path: 'tfjs-layers',
      reason: 'relu activation',
    });
  });

  it('keeps fused layers fused under an Embedding with mask_zero: the kernels take the padding mask', () => {
    const paths = recurrentPaths([embedding({ mask_zero: true }), { id: 'l', kind: 'LSTM', options: {} }, head], { maxlen: 20 }, ready);
    expect(paths).toEqual([{ layer: 'lstm', kind: 'LSTM', path: 'fused' }]);
  });

  it('says so for every layer when the kernels did not load here', () => {
    expect(pathOf({ id: 'l', kind: 'LSTM', options: {} }, missing)).toEqual({
      layer: 'lstm',
      kind: 'LSTM',
      path: 'tfjs-layers',
      reason: 'fused kernels unavailable: disabled by RNN_WORKBENCH_FUSED=0',
    });
  });

  it('lists each recurrent layer of a stack in order, and leaves out the others and the ones that cannot be built', () => {
    const layers = stack(
      { id: 'a', kind: 'LSTM', options: { return_sequences: true } },
      { id: 'x', kind: 'Dropout', options: { rate: 0.5 } },
      { id: 'b', kind: 'GRU', options: { recurrent_activation: 'hard_sigmoid' } },
    );
    expect(recurrentPaths(layers, { maxlen: 20 }, ready)).toEqual([
      { layer: 'lstm', kind: 'LSTM', path: 'fused' },
      { layer: 'gru', kind: 'GRU', path: 'tfjs-layers', reason: 'hard_sigmoid recurrent activation' },
    ]);
    // units -1 does not parse: no path until it is fixed.
    expect(recurrentPaths(stack({ id: 'a', kind: 'LSTM', options: { units: -1 } }), { maxlen: 20 }, ready)).toEqual([]);
  });
});

describe('fusedPlan', () => {
  const input = [null, 20, 8];
  const lstm = (options: Record<string, unknown>) => fusedPlan({ kind: 'LSTM', options }, input);

  it("gives the fused layer with Keras' defaults for missing options", () => {
    expect(lstm({ units: 4 })).toEqual({
      fused: true,
      layer: { kind: 'LSTM', units: 4, dropout: 0, recurrentDropout: 0, useBias: true, returnSequences: false, goBackwards: false, unitForgetBias: true, resetAfter: true },
    });
    expect(fusedPlan({ kind: 'Bidirectional', options: { layer: { kind: 'SimpleRNN', options: { units: 3 } }, merge_mode: 'ave' } }, input)).toMatchObject({ fused: true, mergeMode: 'ave', layer: { kind: 'SimpleRNN', units: 3 } });
  });

  // Options the catalog does not offer reach here from specs written elsewhere (a Keras file's config).
  it.each([
    [{ stateful: true }, 'stateful=true'],
    [{ return_state: true }, 'return_state=true'],
    [{ unroll: true }, 'unroll=true'],
    [{ kernel_regularizer: { class_name: 'L2' } }, 'a kernel_regularizer'],
    [{ recurrent_constraint: { class_name: 'MaxNorm' } }, 'a recurrent_constraint'],
    [{ kernel_initializer: 'he_normal' }, 'the kernel_initializer option, which the fused kernels do not read'],
    [{ units: 0 }, 'units=0'],
    [{ dropout: 1 }, 'dropout=1'],
    [{ recurrent_dropout: -0.5 }, 'recurrent_dropout=-0.5'],
    [{ use_bias: 'yes' }, 'use_bias=yes'],
  ])('refuses %j: %s', (options, reason) => {
    expect(lstm(options)).toEqual({ fused: false, reason });
  });

  it('refuses a Bidirectional it cannot fuse, an unknown kind and an input of unknown features', () => {
    expect(fusedPlan({ kind: 'Bidirectional', options: { layer: { kind: 'LSTM', options: {} }, merge_mode: null } }, input)).toEqual({ fused: false, reason: 'merge_mode=null' });
    expect(fusedPlan({ kind: 'Bidirectional', options: { layer: { kind: 'LSTM', options: {} }, backward_layer: {} } }, input)).toEqual({
      fused: false,
      reason: 'the backward_layer option, which the fused kernels do not read',
    });
    expect(fusedPlan({ kind: 'Bidirectional', options: {} }, input)).toEqual({ fused: false, reason: 'a Bidirectional without a recurrent layer to wrap' });
    expect(fusedPlan({ kind: 'ConvLSTM1D', options: {} }, input)).toEqual({ fused: false, reason: 'a ConvLSTM1D layer, which the fused kernels do not compute' });
    expect(fusedPlan({ kind: 'LSTM', options: {} }, [null, 20, null])).toEqual({ fused: false, reason: 'an input without a known feature size' });
  });
});

describe('describeRecurrentPaths', () => {
  const fused: RecurrentLayerPath = { layer: 'lstm', kind: 'LSTM', path: 'fused' };
  const stock: RecurrentLayerPath = { layer: 'gru', kind: 'GRU', path: 'tfjs-layers', reason: 'hard_sigmoid recurrent activation' };

  it('names one layer with its path, counts several, and gives the kernels for a model without recurrent layers', () => {
    expect(describeRecurrentPaths([fused], ready)).toBe('lstm fused');
    expect(describeRecurrentPaths([stock], ready)).toBe('gru tfjs-layers (hard_sigmoid recurrent activation)');
    expect(describeRecurrentPaths([fused, fused], ready)).toBe('2 recurrent layers fused');
    expect(describeRecurrentPaths([stock, stock], ready)).toBe('2 recurrent layers on tfjs-layers');
    expect(describeRecurrentPaths([fused, stock], ready)).toBe('1 fused, 1 on tfjs-layers');
    // No stack is claimed fused: the probe only says the kernels are there.
    expect(describeRecurrentPaths([], ready)).toBe('fused kernels ready (avx2+fma, 2 threads)');
    expect(describeRecurrentPaths([], missing)).toBe('tfjs-layers (fused kernels unavailable: disabled by RNN_WORKBENCH_FUSED=0)');
  });

  it('writes one line per layer for the CLI and the tooltip', () => {
    expect(formatRecurrentPath(fused)).toBe('lstm (LSTM): fused native kernels');
    expect(formatRecurrentPath(stock)).toBe('gru (GRU): tfjs-layers (hard_sigmoid recurrent activation)');
  });
});
