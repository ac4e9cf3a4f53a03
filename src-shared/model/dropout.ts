import { z } from 'zod';
import { rate } from './options';
import { weightless, type LayerKind } from './types';

/** Keras `Dropout`: zeroes a random share of inputs while training, scaling the rest up. */
export const dropoutOptions = z
  .object({
    rate: rate().default(0.5).describe('Fraction of the input units to drop while training. Default 0.5.'),
  })
  .strict();
export type DropoutOptions = z.infer<typeof dropoutOptions>;

export const dropout: LayerKind<DropoutOptions> = {
  kind: 'Dropout',
  namePrefix: 'dropout',
  description: 'Randomly drops a share of values while training, against overfitting.',
  category: 'regularization',
  optionsSchema: dropoutOptions,
  validate: () => [],
  outputShape: (_o, input) => [...input],
  ...weightless,
  mask: () => true,
  toTfjs: (o) => ({ className: 'Dropout', config: { rate: o.rate } }),
  cardText: (o) => `rate ${o.rate}`,
  keepsRank: true,
  namesRun: false,
  keras: { positional: ['rate'] },
  torch: { inputFeatures: false, positional: ['rate'], keywords: [], trainable: false },
};
