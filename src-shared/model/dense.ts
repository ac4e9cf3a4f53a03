import { z } from 'zod';
import { activation, bool, formatCount, positiveInt, tfjsActivation } from './options';
import { MAX_UNITS } from '../limits';
import { requireKnownLastDim } from './shape';
import type { LayerKind, Shape } from './types';

/** Keras `Dense`: `activation(x · kernel + bias)` over the last axis. */
export const denseOptions = z
  .object({
    units: positiveInt(MAX_UNITS).default(1).describe('Dimensionality of the output space; 1 for a single probability. Default 1.'),
    activation: activation()
      .default('linear')
      .describe("Activation function to use; 'sigmoid' turns the output into a probability. Default 'linear' (none)."),
    use_bias: bool().default(true).describe('Whether the layer uses a bias vector. Default true.'),
  })
  .strict();
export type DenseOptions = z.infer<typeof denseOptions>;

function inputDim(input: Shape): number {
  return input[input.length - 1]!;
}

export const dense: LayerKind<DenseOptions> = {
  kind: 'Dense',
  namePrefix: 'dense',
  description: 'Fully connected layer over the last axis; linear unless you choose an activation.',
  category: 'core',
  optionsSchema: denseOptions,
  validate: (_o, input, ctx) => requireKnownLastDim('Dense', input, ctx),
  outputShape: (o, input) => [...input.slice(0, -1), o.units],
  weightShapes: (o, input) => [
    { name: 'kernel', shape: [inputDim(input), o.units] },
    ...(o.use_bias ? [{ name: 'bias', shape: [o.units] }] : []),
  ],
  paramFormula: (o, input) => `${formatCount(inputDim(input))} · ${formatCount(o.units)}${o.use_bias ? ` + ${formatCount(o.units)}` : ''}`,
  multiplyAdds(o, input) {
    const positions = input.slice(1, -1);
    if (positions.some((dim) => dim === null)) return null;
    return (positions as number[]).reduce((a, b) => a * b, 1) * inputDim(input) * o.units;
  },
  mask: () => true,
  toTfjs: (o) => ({
    className: 'Dense',
    config: {
      units: o.units,
      activation: tfjsActivation(o.activation),
      useBias: o.use_bias,
      // Porting note: tfjs-layers' Dense defaults to glorotNormal; Keras uses glorot_uniform.
      kernelInitializer: { className: 'GlorotUniform', config: {} },
      biasInitializer: { className: 'Zeros', config: {} },
    },
  }),
  cardText: (o) => `${o.units} unit${o.units === 1 ? '' : 's'} · ${o.activation}`,
  keepsRank: true,
  namesRun: false,
  keras: { positional: ['units'] },
  torch: { inputFeatures: true, positional: ['units'], keywords: ['activation', 'use_bias'], trainable: true },
};
