/**
 * Which implementation computes each recurrent layer: the fused native kernels, or tfjs-layers' own
 * layers (options the kernels do not cover, or kernels that did not load here), and why. The engine
 * builds its fused layers from `fusedPlan`, so what the status bar and the CLI say is what runs.
 */
import { analyzeStack } from './analyze';
import { recurrentKindNames } from './registry';
import type { DatasetContext, LayerSpec, Shape } from './types';

/** The recurrent kinds the fused kernels compute. */
export type FusedKind = 'SimpleRNN' | 'LSTM' | 'GRU';
/** How a fused Bidirectional merges its two halves. */
export type FusedMergeMode = 'concat' | 'sum' | 'mul' | 'ave';

/** A SimpleRNN, LSTM or GRU as the fused kernels compute it (initializers are Keras' defaults). */
export interface FusedLayerPlan {
  kind: FusedKind;
  units: number;
  dropout: number;
  recurrentDropout: number;
  useBias: boolean;
  returnSequences: boolean;
  goBackwards: boolean;
  unitForgetBias: boolean;
  resetAfter: boolean;
}

/** What the fused path makes of a recurrent layer spec: the layer to build, or why it cannot. */
export type FusedPlan = { fused: true; layer: FusedLayerPlan; mergeMode?: FusedMergeMode } | { fused: false; reason: string };

/** The fused native kernels of a machine, as the engine found them. */
export interface FusedKernels {
  /** True when the native addon loaded. */
  available: boolean;
  /** Why it did not (absent when available). */
  reason?: string;
  /** The instruction set the kernels dispatch to, e.g. `avx2+fma` (`none` when unavailable). */
  simd: string;
  /** Threads a batch is split across (0 when unavailable). */
  threads: number;
}

/** One recurrent layer of a model and the implementation that computes it. */
export interface RecurrentLayerPath {
  /** The layer's Keras name, e.g. `lstm_1`. */
  layer: string;
  /** Its kind, e.g. `LSTM` or `Bidirectional(GRU)`. */
  kind: string;
  path: 'fused' | 'tfjs-layers';
  /** Why tfjs-layers computes it, e.g. `hard_sigmoid recurrent activation` (absent when fused). */
  reason?: string;
}

// Options with the value the kernels compute; any other value needs tfjs-layers' path. The catalog
// offers the first two; the rest reach here only from a spec written elsewhere.
const fixedOptions: Record<string, unknown> = {
  activation: 'tanh',
  recurrent_activation: 'sigmoid',
  stateful: false,
  return_state: false,
  unroll: false,
  kernel_regularizer: null,
  recurrent_regularizer: null,
  bias_regularizer: null,
  activity_regularizer: null,
  kernel_constraint: null,
  recurrent_constraint: null,
  bias_constraint: null,
};

// Options the fused layers read; initializers are Keras' defaults and are not configurable here.
const readOptions = new Set(['units', 'use_bias', 'return_sequences', 'go_backwards', 'dropout', 'recurrent_dropout', 'unit_forget_bias', 'reset_after']);

const mergeModes: readonly string[] = ['concat', 'sum', 'mul', 'ave'] satisfies FusedMergeMode[];

function isRate(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value < 1;
}

/** A value as the reason names it: strings bare (`relu`, Keras 3's hard_sigmoid as Keras 3 names it), the rest as JSON. */
function shown(value: unknown): string {
  if (value === 'hard_sigmoid_k3') return "Keras 3's hard_sigmoid";
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Why an option with another value than the kernels compute sends the layer to tfjs-layers. */
function fixedOptionReason(key: string, value: unknown): string {
  if (key === 'activation') return `${shown(value)} activation`;
  if (key === 'recurrent_activation') return `${shown(value)} recurrent activation`;
  if (fixedOptions[key] === null) return `a ${key}`;
  return `${key}=${shown(value)}`;
}

function layerPlan(kind: string, options: Record<string, unknown>): { layer: FusedLayerPlan } | { reason: string } {
  if (kind !== 'SimpleRNN' && kind !== 'LSTM' && kind !== 'GRU') return { reason: `a ${kind} layer, which the fused kernels do not compute` };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (key in fixedOptions) {
      if (value !== fixedOptions[key]) return { reason: fixedOptionReason(key, value) };
    } else if (!readOptions.has(key)) {
      return { reason: `the ${key} option, which the fused kernels do not read` };
    }
  }
  const units = options['units'] ?? 32;
  if (typeof units !== 'number' || !Number.isInteger(units) || units <= 0) return { reason: `units=${shown(units)}` };
  const dropout = options['dropout'] ?? 0;
  const recurrentDropout = options['recurrent_dropout'] ?? 0;
  if (!isRate(dropout)) return { reason: `dropout=${shown(dropout)}` };
  if (!isRate(recurrentDropout)) return { reason: `recurrent_dropout=${shown(recurrentDropout)}` };
  const flags = { use_bias: true, return_sequences: false, go_backwards: false, unit_forget_bias: true, reset_after: true };
  const values: Record<string, boolean> = {};
  for (const [key, fallback] of Object.entries(flags)) {
    const value = options[key] ?? fallback;
    if (typeof value !== 'boolean') return { reason: `${key}=${shown(value)}` };
    values[key] = value;
  }
  return {
    layer: {
      kind,
      units,
      dropout,
      recurrentDropout,
      useBias: values['use_bias']!,
      returnSequences: values['return_sequences']!,
      goBackwards: values['go_backwards']!,
      unitForgetBias: values['unit_forget_bias']!,
      resetAfter: values['reset_after']!,
    },
  };
}

/**
 * Whether the fused kernels compute a recurrent layer spec, the kernels being available.
 *
 * Args:
 *   spec: a SimpleRNN, LSTM, GRU or Bidirectional spec, `kind` in Keras' class name and `options` in
 *     Keras' spelling (missing options take Keras' defaults).
 *   inputShape: the layer's input `[batch, time, features]` (`null` for unknown dimensions).
 *
 * Returns the layer to build (and a Bidirectional's merge mode), or the reason it needs tfjs-layers:
 * an activation other than tanh, a recurrent activation other than sigmoid, stateful, regularizers,
 * constraints, an option the kernels do not read, or an input whose feature size is unknown.
 */
export function fusedPlan(spec: { kind: string; options: Record<string, unknown> }, inputShape: Shape): FusedPlan {
  if (inputShape.length !== 3 || typeof inputShape[2] !== 'number') return { fused: false, reason: 'an input without a known feature size' };
  if (spec.kind === 'Bidirectional') {
    const { layer, merge_mode: mergeMode = 'concat', ...rest } = spec.options;
    const extra = Object.entries(rest).find(([, value]) => value !== undefined);
    if (extra !== undefined) return { fused: false, reason: `the ${extra[0]} option, which the fused kernels do not read` };
    if (typeof mergeMode !== 'string' || !mergeModes.includes(mergeMode)) return { fused: false, reason: `merge_mode=${shown(mergeMode)}` };
    const inner = layer as { kind?: unknown; options?: unknown } | undefined;
    if (inner === undefined || typeof inner.kind !== 'string') return { fused: false, reason: 'a Bidirectional without a recurrent layer to wrap' };
    const plan = layerPlan(inner.kind, (inner.options ?? {}) as Record<string, unknown>);
    return 'reason' in plan ? { fused: false, reason: plan.reason } : { fused: true, layer: plan.layer, mergeMode: mergeMode as FusedMergeMode };
  }
  const plan = layerPlan(spec.kind, spec.options);
  return 'reason' in plan ? { fused: false, reason: plan.reason } : { fused: true, layer: plan.layer };
}

/** Why tfjs-layers computes every recurrent layer on a machine whose kernels did not load. */
export function kernelsUnavailableReason(kernels: Pick<FusedKernels, 'reason'>): string {
  return `fused kernels unavailable: ${kernels.reason ?? 'unknown'}`;
}

/**
 * Each recurrent layer of a stack (SimpleRNN, LSTM, GRU, Bidirectional) with the implementation that
 * computes it on a machine with `kernels`, and why. Layers the analysis cannot place (invalid
 * options, an unknown input) are left out: the model cannot be built until they are fixed.
 */
export function recurrentPaths(stack: readonly LayerSpec[], dataset: DatasetContext, kernels: Pick<FusedKernels, 'available' | 'reason'>): RecurrentLayerPath[] {
  const analysis = analyzeStack(stack, dataset, { binaryOutput: false, weighFixes: false });
  return analysis.layers.flatMap((layer): RecurrentLayerPath[] => {
    const { kind } = layer.spec;
    if (!recurrentKindNames.includes(kind) && kind !== 'Bidirectional') return [];
    if (layer.options === null || layer.inputShape === null) return [];
    const wrapped = kind === 'Bidirectional' ? (layer.options['layer'] as { kind?: string } | undefined)?.kind : undefined;
    const label = wrapped === undefined ? kind : `${kind}(${wrapped})`;
    if (!kernels.available) return [{ layer: layer.name, kind: label, path: 'tfjs-layers', reason: kernelsUnavailableReason(kernels) }];
    const plan = fusedPlan({ kind, options: layer.options }, layer.inputShape);
    return [plan.fused ? { layer: layer.name, kind: label, path: 'fused' } : { layer: layer.name, kind: label, path: 'tfjs-layers', reason: plan.reason }];
  });
}

/** The kernels in a few words: `fused native kernels (avx2+fma, 2 threads)`. */
export function describeKernels(kernels: FusedKernels): string {
  return kernels.available ? `fused native kernels (${kernels.simd}, ${kernels.threads} thread${kernels.threads === 1 ? '' : 's'})` : kernelsUnavailableReason(kernels);
}

/** One layer's line: `lstm (LSTM): fused native kernels` or `gru (GRU): tfjs-layers (hard_sigmoid recurrent activation)`. */
export function formatRecurrentPath(path: RecurrentLayerPath): string {
  return `${path.layer} (${path.kind}): ${path.path === 'fused' ? 'fused native kernels' : `tfjs-layers (${path.reason ?? 'options'})`}`;
}

/**
 * The recurrent path of a model in a few words, for the status bar and the CLI's one-line summary:
 * one layer named with its path (and reason), several counted by path, none as the kernels' state.
 */
export function describeRecurrentPaths(paths: readonly RecurrentLayerPath[], kernels: FusedKernels): string {
  if (paths.length === 0) return kernels.available ? `fused kernels ready (${kernels.simd}, ${kernels.threads} thread${kernels.threads === 1 ? '' : 's'})` : `tfjs-layers (${kernelsUnavailableReason(kernels)})`;
  if (paths.length === 1) {
    const [only] = paths;
    return only!.path === 'fused' ? `${only!.layer} fused` : `${only!.layer} tfjs-layers (${only!.reason ?? 'options'})`;
  }
  const fused = paths.filter((path) => path.path === 'fused').length;
  if (fused === paths.length) return `${fused} recurrent layers fused`;
  if (fused === 0) return `${paths.length} recurrent layers on tfjs-layers`;
  return `${fused} fused, ${paths.length - fused} on tfjs-layers`;
}
