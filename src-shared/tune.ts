/**
 * Hyperparameter sweeps: the grid syntax (`units=16,32;dropout=0,0.2`), the trials it makes, how a
 * trial's options rewrite a project, and the sweep record the service stores and the UI shows.
 */
import { WorkbenchError } from './errors';
import type { LayerSpec } from './model/types';
import type { Project } from './project';
import type { EpochMetrics } from './training';

/** What a sweep can vary, with what each value must be. */
export const tuneParams = {
  /** The recurrent cell. */
  cell: 'SimpleRNN, LSTM or GRU',
  /** Units of every recurrent layer. */
  units: 'a positive integer',
  /** The Embedding's output_dim. */
  embedding: 'a positive integer',
  /** dropout of every recurrent layer (its inputs). */
  dropout: 'a number from 0 (inclusive) to 1 (exclusive)',
  /** recurrent_dropout of every recurrent layer (its state). */
  recurrent_dropout: 'a number from 0 (inclusive) to 1 (exclusive)',
  /** The optimizer's learning rate. */
  lr: 'a positive number',
  /** One recurrent layer, two stacked, or one inside Bidirectional. */
  layout: 'single, stacked or bidirectional',
} as const;
export type TuneParam = keyof typeof tuneParams;
export type TrialValue = string | number;
/** One trial's choices, by parameter. */
export type TrialOptions = Partial<Record<TuneParam, TrialValue>>;
/** The values to try, by parameter, in the order written. */
export type Grid = Partial<Record<TuneParam, TrialValue[]>>;

const cells = ['SimpleRNN', 'LSTM', 'GRU'];
const layouts = ['single', 'stacked', 'bidirectional'];

function parseValue(param: TuneParam, text: string): TrialValue {
  const bad = (): never => {
    throw new WorkbenchError('invalid_request', `grid: ${param} values must each be ${tuneParams[param]}. Received: ${JSON.stringify(text)}`);
  };
  switch (param) {
    case 'cell':
      return cells.find((cell) => cell.toLowerCase() === text.toLowerCase()) ?? bad();
    case 'layout':
      return layouts.includes(text.toLowerCase()) ? text.toLowerCase() : bad();
    case 'units':
    case 'embedding': {
      const n = Number(text);
      return /^\d+$/.test(text) && Number.isSafeInteger(n) && n > 0 ? n : bad();
    }
    case 'dropout':
    case 'recurrent_dropout': {
      const n = Number(text);
      return text !== '' && n >= 0 && n < 1 ? n : bad();
    }
    case 'lr': {
      const n = Number(text);
      return text !== '' && Number.isFinite(n) && n > 0 ? n : bad();
    }
  }
}

/**
 * Parses `name=v1,v2;name=v3`: parameters separated by `;`, values by `,`.
 *
 * Throws a WorkbenchError naming the part that is wrong and what was expected.
 */
export function parseGrid(text: string): Grid {
  const grid: Grid = {};
  const parts = text.split(';').map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length === 0) throw new WorkbenchError('invalid_request', `grid must be name=values;… such as 'units=16,32;dropout=0,0.2'. Received: ${JSON.stringify(text)}`);
  for (const part of parts) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (!Object.hasOwn(tuneParams, name)) {
      throw new WorkbenchError('invalid_request', `grid: the parameter must be one of ${Object.keys(tuneParams).join(', ')}. Received: ${JSON.stringify(name)}`);
    }
    const param = name as TuneParam;
    if (grid[param] !== undefined) throw new WorkbenchError('invalid_request', `grid: each parameter must appear once. Received: ${param} twice`);
    const values = eq < 0 ? [] : part.slice(eq + 1).split(',').map((value) => value.trim()).filter((value) => value !== '');
    if (values.length === 0) throw new WorkbenchError('invalid_request', `grid: ${param} must list at least one value, as ${param}=a,b. Received: ${JSON.stringify(part)}`);
    grid[param] = [...new Set(values.map((value) => parseValue(param, value)))];
  }
  return grid;
}

/** A small seeded PRNG (mulberry32), so a random sweep picks the same trials again. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Most trials a sweep may hold: more would take days on one machine, and the table would not read. */
export const MAX_TRIALS = 500;

/**
 * The trials of a grid: every combination, in the order written (the last parameter varies
 * fastest), or `sample` of them drawn without repetition with `seed` (scikit-learn's
 * ParameterSampler over a grid).
 */
export function gridTrials(grid: Grid, sample?: number, seed = 0): TrialOptions[] {
  const entries = Object.entries(grid) as [TuneParam, TrialValue[]][];
  const total = entries.reduce((n, [, values]) => n * values.length, 1);
  if (sample !== undefined && (!Number.isInteger(sample) || sample <= 0)) throw new WorkbenchError('invalid_request', `random must be a positive integer. Received: ${sample}`);
  const count = Math.min(sample ?? total, total);
  if (count > MAX_TRIALS) throw new WorkbenchError('invalid_request', `A sweep must have at most ${MAX_TRIALS} trials; sample some with random. Received: ${total} combinations`);
  const at = (index: number): TrialOptions => {
    const options: TrialOptions = {};
    let rest = index;
    for (let i = entries.length - 1; i >= 0; i--) {
      const [param, values] = entries[i]!;
      options[param] = values[rest % values.length]!;
      rest = Math.floor(rest / values.length);
    }
    return Object.fromEntries(entries.map(([param]) => [param, options[param]])) as TrialOptions;
  };
  if (sample === undefined || count === total) return Array.from({ length: total }, (_, i) => at(i));
  const next = random(seed);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(next() * total));
  return [...picked].map(at);
}

const recurrentKinds = ['SimpleRNN', 'LSTM', 'GRU'];

function isRecurrent(layer: LayerSpec): boolean {
  return recurrentKinds.includes(layer.kind) || layer.kind === 'Bidirectional';
}

/** The recurrent layer inside a spec (itself, or Bidirectional's wrapped layer). */
function unwrap(layer: LayerSpec): LayerSpec {
  if (layer.kind !== 'Bidirectional') return layer;
  const inner = layer.options['layer'] as { kind?: string; options?: Record<string, unknown> } | undefined;
  return { id: layer.id, kind: inner?.kind ?? 'LSTM', options: { ...(inner?.options ?? {}) } };
}

/**
 * The project a trial trains: the base project with the trial's options applied, and early stopping
 * on val_acc (patience 2, best weights restored) unless the base sets its own.
 *
 * `cell`, `units`, `dropout` and `recurrent_dropout` apply to every recurrent layer; `layout`
 * replaces the recurrent layers by the first one alone, two of it stacked (the first returning
 * sequences), or it inside Bidirectional. Throws when the stack has no recurrent layer to vary.
 */
export function applyTrial(base: Project, options: TrialOptions): Project {
  let layers = base.layers.map((layer) => JSON.parse(JSON.stringify(layer)) as LayerSpec);
  const first = layers.findIndex(isRecurrent);
  const recurrentOption = options.cell !== undefined || options.units !== undefined || options.dropout !== undefined || options.recurrent_dropout !== undefined || options.layout !== undefined;
  if (first < 0 && recurrentOption) throw new WorkbenchError('bad_input', 'The model has no SimpleRNN, LSTM, GRU or Bidirectional layer for the sweep to vary.');
  if (options.layout !== undefined) {
    const reader = unwrap(layers[first]!);
    const { return_sequences: _ignored, ...readerOptions } = reader.options;
    const single: LayerSpec = { ...reader, options: readerOptions };
    const replacement: LayerSpec[] =
      options.layout === 'stacked'
        ? [{ ...single, id: `${single.id}-a`, options: { ...readerOptions, return_sequences: true } }, { ...single, id: `${single.id}-b` }]
        : options.layout === 'bidirectional'
          ? [{ id: `${single.id}-bi`, kind: 'Bidirectional', options: { layer: { kind: single.kind, options: readerOptions } } }]
          : [single];
    layers = [...layers.slice(0, first).filter((l) => !isRecurrent(l)), ...replacement, ...layers.slice(first).filter((l) => !isRecurrent(l))];
  }
  layers = layers.map((layer) => {
    if (layer.kind === 'Embedding' && options.embedding !== undefined) return { ...layer, options: { ...layer.options, output_dim: options.embedding } };
    if (!isRecurrent(layer)) return layer;
    const cell = unwrap(layer);
    const changed: LayerSpec = {
      ...cell,
      kind: (options.cell as string | undefined) ?? cell.kind,
      options: {
        ...cell.options,
        ...(options.units !== undefined ? { units: options.units } : {}),
        ...(options.dropout !== undefined ? { dropout: options.dropout } : {}),
        ...(options.recurrent_dropout !== undefined ? { recurrent_dropout: options.recurrent_dropout } : {}),
      },
    };
    // reset_after is a GRU option; another cell would reject it.
    if (changed.kind !== 'GRU') delete changed.options['reset_after'];
    if (changed.kind !== 'LSTM') delete changed.options['unit_forget_bias'];
    return layer.kind === 'Bidirectional' ? { ...layer, options: { ...layer.options, layer: { kind: changed.kind, options: changed.options } } } : changed;
  });
  const training = {
    ...base.training,
    optimizer: options.lr !== undefined ? { ...base.training.optimizer, learningRate: options.lr as number } : base.training.optimizer,
    earlyStopping: base.training.earlyStopping ?? { monitor: 'val_acc' as const, patience: 2, restoreBestWeights: true },
  };
  return { ...base, layers, training };
}

export type TrialStatus = 'pending' | 'running' | 'done' | 'failed' | 'stopped';

/** One trial of a sweep: its options and, once trained, its run and results. */
export interface Trial {
  /** 1-based, in sweep order. */
  index: number;
  options: TrialOptions;
  status: TrialStatus;
  /** The run that trains it; kept across a stop so the trial resumes from the run's checkpoint. */
  runId?: string;
  /** The best validation accuracy of its epochs (early stopping restores that epoch's weights). */
  bestValAcc?: number;
  /** Epochs trained (early stopping may end before the sweep's epochs). */
  epochs?: number;
  /** Wall time of its epochs, seconds. */
  seconds?: number;
  /** Why it failed, or how it ended. */
  message?: string;
  /** The epochs' metrics, for the overlaid curves. */
  history?: EpochMetrics[];
}

export type SweepStatus = 'running' | 'stopped' | 'interrupted' | 'done';

/** A sweep as stored in `<dataDir>/sweeps/<id>.json` and shown in the Tune tab. */
export interface Sweep {
  version: 1;
  id: string;
  createdAt: string;
  updatedAt: string;
  status: SweepStatus;
  /** The grid as written. */
  grid: string;
  /** Trials sampled with `random`, if any, and its seed. */
  random?: number;
  seed: number;
  /** The project every trial starts from. */
  project: Project;
  trials: Trial[];
  /** The process running it, to tell a running sweep from one whose process died. */
  pid?: number;
  message?: string;
}

/** The trial with the best validation accuracy so far (the first of equals), or undefined. */
export function bestTrial(sweep: Pick<Sweep, 'trials'>): Trial | undefined {
  let best: Trial | undefined;
  for (const trial of sweep.trials) if (trial.bestValAcc !== undefined && (best === undefined || trial.bestValAcc > best.bestValAcc!)) best = trial;
  return best;
}

/** Sweep progress, as `onDidSweepEvent` streams it. */
export type SweepEvent =
  | { type: 'trial-started'; sweepId: string; trial: Trial }
  | { type: 'trial-done'; sweepId: string; trial: Trial }
  | { type: 'sweep-done'; sweepId: string; status: SweepStatus; best?: Trial; message?: string };
