/**
 * Starting models from Deep Learning with Python's chapter on recurrent networks, all reading
 * Embedding(10000, 32) word vectors and ending in Dense(1, sigmoid) for a review's sentiment.
 */
import type { LayerSpec } from './model/types';

/** A named starting stack. */
export interface Preset {
  id: string;
  /** Shown in the preset picker. */
  label: string;
  /** One line on what it is and what it reaches on IMDb. */
  description: string;
  layers: LayerSpec[];
}

const embedding = (): LayerSpec => ({ id: 'embedding-1', kind: 'Embedding', options: { input_dim: 10000, output_dim: 32 } });
const output = (): LayerSpec => ({ id: 'dense-1', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } });

/** Presets keyed by id, in picker order. */
export const presets: readonly Preset[] = [
  {
    id: 'simplernn',
    label: 'SimpleRNN (IMDb)',
    description: 'Embedding(10000, 32) → SimpleRNN(32) → Dense(1, sigmoid); about 85% validation accuracy.',
    layers: [embedding(), { id: 'simplernn-1', kind: 'SimpleRNN', options: { units: 32 } }, output()],
  },
  {
    id: 'simplernn-stack',
    label: 'Stacked SimpleRNN ×4',
    description: 'Four SimpleRNN(32) layers, the first three returning full sequences, then Dense(1, sigmoid).',
    layers: [
      embedding(),
      { id: 'simplernn-1', kind: 'SimpleRNN', options: { units: 32, return_sequences: true } },
      { id: 'simplernn-2', kind: 'SimpleRNN', options: { units: 32, return_sequences: true } },
      { id: 'simplernn-3', kind: 'SimpleRNN', options: { units: 32, return_sequences: true } },
      { id: 'simplernn-4', kind: 'SimpleRNN', options: { units: 32 } },
      output(),
    ],
  },
  {
    id: 'lstm',
    label: 'LSTM (IMDb)',
    description: 'Embedding(10000, 32) → LSTM(32) → Dense(1, sigmoid); about 89% validation accuracy.',
    layers: [embedding(), { id: 'lstm-1', kind: 'LSTM', options: { units: 32 } }, output()],
  },
  {
    id: 'gru',
    label: 'GRU (IMDb)',
    description: 'Embedding(10000, 32) → GRU(32, reset_after) → Dense(1, sigmoid); LSTM-like accuracy with fewer weights.',
    layers: [embedding(), { id: 'gru-1', kind: 'GRU', options: { units: 32 } }, output()],
  },
];

/** The preset with this id, as a fresh copy the caller may edit; undefined when there is none. */
export function getPreset(id: string): Preset | undefined {
  const preset = presets.find((candidate) => candidate.id === id);
  return preset === undefined ? undefined : (JSON.parse(JSON.stringify(preset)) as Preset);
}

/** The preset ids, for messages and `--help`. */
export const presetIds: readonly string[] = presets.map((preset) => preset.id);
