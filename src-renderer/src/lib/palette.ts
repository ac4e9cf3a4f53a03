/** What the palette offers: every layer kind, plus the model's output ready-made. */
import { layerKinds } from '../../../src-shared/model';

export interface PaletteEntry {
  /** Stable key, also the entry's test id: the kind, or `Output`. */
  key: string;
  kind: string;
  label: string;
  description: string;
  /** Options over the kind's Keras defaults. */
  options?: Record<string, unknown>;
}

/**
 * A Dense keeps Keras' defaults (1 unit, linear) wherever it is used, so the binary head the model
 * must end with is its own entry, placed where a stack is finished: after the recurrent layers.
 */
const output: PaletteEntry = {
  key: 'Output',
  kind: 'Dense',
  label: 'Output · Dense(1, sigmoid)',
  description: 'The last layer: one unit with sigmoid, the probability that a review is positive.',
  options: { units: 1, activation: 'sigmoid' },
};

export const paletteEntries: PaletteEntry[] = Object.values(layerKinds).flatMap((kind) => {
  const entry: PaletteEntry = { key: kind.kind, kind: kind.kind, label: kind.kind, description: kind.description };
  return kind.kind === 'Dense' ? [output, entry] : [entry];
});
