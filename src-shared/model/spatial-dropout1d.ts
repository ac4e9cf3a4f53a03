import { z } from 'zod';
import { rate } from './options';
import { requireSequence } from './shape';
import { weightless, type LayerKind } from './types';

/** Keras `SpatialDropout1D`: drops whole feature channels across all steps, not single values. */
export const spatialDropout1dOptions = z
  .object({
    rate: rate().default(0.5).describe('Fraction of the feature channels to drop while training, each across all steps. Default 0.5.'),
  })
  .strict();
export type SpatialDropout1dOptions = z.infer<typeof spatialDropout1dOptions>;

export const spatialDropout1d: LayerKind<SpatialDropout1dOptions> = {
  kind: 'SpatialDropout1D',
  namePrefix: 'spatial_dropout1d',
  description: 'Drops whole embedding channels across all steps while training.',
  category: 'regularization',
  optionsSchema: spatialDropout1dOptions,
  validate: (_o, input, ctx) => requireSequence('SpatialDropout1D', input, ctx),
  outputShape: (_o, input) => [...input],
  ...weightless,
  mask: () => true,
  toTfjs: (o) => ({ className: 'SpatialDropout1D', config: { rate: o.rate } }),
  cardText: (o) => `rate ${o.rate}`,
  keepsRank: true,
  namesRun: true,
  keras: { positional: ['rate'] },
  torch: { inputFeatures: false, positional: ['rate'], keywords: [], trainable: false },
};
