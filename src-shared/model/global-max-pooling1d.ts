import { z } from 'zod';
import { requireSequence } from './shape';
import { weightless, type LayerKind } from './types';

/** Keras `GlobalMaxPooling1D`: the largest value of each feature over all steps. */
export const globalMaxPooling1dOptions = z.object({}).strict();
export type GlobalMaxPooling1dOptions = z.infer<typeof globalMaxPooling1dOptions>;

export const globalMaxPooling1d: LayerKind<GlobalMaxPooling1dOptions> = {
  kind: 'GlobalMaxPooling1D',
  namePrefix: 'global_max_pooling1d',
  description: 'Collapses the sequence to the largest value of each feature.',
  category: 'pooling',
  optionsSchema: globalMaxPooling1dOptions,
  validate: (_o, input, ctx) => requireSequence('GlobalMaxPooling1D', input, ctx),
  outputShape: (_o, input) => [input[0]!, input[2]!],
  ...weightless,
  // tfjs-layers' global pooling refuses a mask.
  mask: () => 'unsupported',
  toTfjs: () => ({ className: 'GlobalMaxPooling1D', config: {} }),
  cardText: () => '',
  keepsRank: false,
  namesRun: true,
  keras: { positional: [], aliases: ['GlobalMaxPool1D'], keras3Config: () => ({ data_format: 'channels_last', keepdims: false }) },
  torch: { inputFeatures: false, positional: [], keywords: [], trainable: false },
};
