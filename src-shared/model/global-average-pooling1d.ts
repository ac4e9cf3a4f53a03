import { z } from 'zod';
import { requireSequence } from './shape';
import { weightless, type LayerKind } from './types';

/** Keras `GlobalAveragePooling1D`: the mean of each feature over all steps. */
export const globalAveragePooling1dOptions = z.object({}).strict();
export type GlobalAveragePooling1dOptions = z.infer<typeof globalAveragePooling1dOptions>;

export const globalAveragePooling1d: LayerKind<GlobalAveragePooling1dOptions> = {
  kind: 'GlobalAveragePooling1D',
  namePrefix: 'global_average_pooling1d',
  description: 'Collapses the sequence to the mean of each feature.',
  category: 'pooling',
  optionsSchema: globalAveragePooling1dOptions,
  validate: (_o, input, ctx) => requireSequence('GlobalAveragePooling1D', input, ctx),
  outputShape: (_o, input) => [input[0]!, input[2]!],
  ...weightless,
  // Porting note: Keras averages over unmasked steps only; tfjs-layers refuses a mask here, so we do too.
  mask: () => 'unsupported',
  toTfjs: () => ({ className: 'GlobalAveragePooling1D', config: {} }),
  cardText: () => '',
  keepsRank: false,
  namesRun: true,
  keras: { positional: [], aliases: ['GlobalAvgPool1D', 'GlobalAveragePool1D'], keras3Config: () => ({ data_format: 'channels_last', keepdims: false }) },
  torch: { inputFeatures: false, positional: [], keywords: [], trainable: false },
};
