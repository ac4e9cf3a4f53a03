import { z } from 'zod';
import { activation as activationOption, tfjsActivation } from './options';
import { weightless, type LayerKind } from './types';

/** Keras `Activation`: an activation function on its own, value by value (Keras 2's IMDb examples end Dense(1) → Activation('sigmoid')). */
export const activationOptions = z
  .object({
    activation: activationOption().default('linear').describe("Activation function to apply; 'sigmoid' after a Dense(1) gives a probability. Default 'linear' (none)."),
  })
  .strict();
export type ActivationOptions = z.infer<typeof activationOptions>;

export const activation: LayerKind<ActivationOptions> = {
  kind: 'Activation',
  namePrefix: 'activation',
  description: 'Applies an activation function (relu, sigmoid, tanh…) to every value.',
  category: 'core',
  optionsSchema: activationOptions,
  validate: () => [],
  outputShape: (_o, input) => [...input],
  ...weightless,
  mask: () => true,
  toTfjs: (o) => ({ className: 'Activation', config: { activation: tfjsActivation(o.activation) } }),
  cardText: (o) => o.activation,
  keepsRank: true,
  namesRun: false,
  keras: { positional: ['activation'] },
  torch: { inputFeatures: false, positional: ['activation'], keywords: [], trainable: false },
};
