import { z } from 'zod';
import { activation, bool, formatCount, oneOf, positiveInt, tfjsActivation } from './options';
import { MAX_MAXLEN, MAX_UNITS } from '../limits';
import { formatShape, requireSequence } from './shape';
import type { LayerKind, LayerProblem, Shape } from './types';

/** Keras `Conv1D`: slides `filters` windows of `kernel_size` steps along the sequence. */
export const conv1dOptions = z
  .object({
    filters: positiveInt(MAX_UNITS).default(32).describe("Number of filters in the convolution: the output's feature channels. Default 32."),
    kernel_size: positiveInt(MAX_MAXLEN).default(7).describe('Length of the convolution window, in steps. Default 7.'),
    strides: positiveInt().default(1).describe('Step between one window and the next, in steps. Default 1.'),
    /** Porting note: Keras' 'causal' is left out because tfjs-layers does not implement it. */
    padding: oneOf(['valid', 'same'])
      .default('valid')
      .describe("'valid' for no padding; 'same' pads so the output is as long as the input. Default 'valid'."),
    dilation_rate: positiveInt().default(1).describe("Spacing between the window's taps, to see further at the same cost. Default 1."),
    activation: activation().default('linear').describe("Activation function to use. Default 'linear' (none)."),
    use_bias: bool().default(true).describe('Whether the layer uses a bias vector. Default true.'),
  })
  .strict();
export type Conv1dOptions = z.infer<typeof conv1dOptions>;

/** Keras' `conv_output_length`, shared with pooling. */
export function convOutputLength(length: number | null, size: number, padding: string, stride: number, dilation = 1): number | null {
  if (length === null) return null;
  const dilatedSize = size + (size - 1) * (dilation - 1);
  const out = padding === 'valid' ? length - dilatedSize + 1 : length;
  return Math.floor((out + stride - 1) / stride);
}

export const conv1d: LayerKind<Conv1dOptions> = {
  kind: 'Conv1D',
  namePrefix: 'conv1d',
  description: 'Learns local patterns (n-grams) over a window of steps.',
  category: 'convolution',
  optionsSchema: conv1dOptions,
  validate(o, input, ctx) {
    const problems: LayerProblem[] = requireSequence('Conv1D', input, ctx);
    if (problems.length > 0) return problems;
    if (o.strides > 1 && o.dilation_rate > 1) {
      problems.push({ option: 'strides', keepsShape: true, message: `strides must be 1 when dilation_rate is above 1. Received: ${o.strides}`, fix: { label: 'Set strides to 1', apply: { type: 'setOption', layerId: ctx.id, option: 'strides', value: 1 } } });
    }
    const length = convOutputLength(input[1]!, o.kernel_size, o.padding, o.strides, o.dilation_rate);
    if (length !== null && length <= 0) {
      problems.push({
        option: 'kernel_size',
        message: `kernel_size must fit the ${input[1]} steps of its input ${formatShape(input)} with padding 'valid'. Received: ${o.kernel_size}`,
        fix: { label: "Use padding 'same'", apply: { type: 'setOption', layerId: ctx.id, option: 'padding', value: 'same' } },
      });
    }
    return problems;
  },
  outputShape: (o, input): Shape => [input[0]!, convOutputLength(input[1]!, o.kernel_size, o.padding, o.strides, o.dilation_rate), o.filters],
  weightShapes: (o, input) => [
    { name: 'kernel', shape: [o.kernel_size, input[2]!, o.filters] },
    ...(o.use_bias ? [{ name: 'bias', shape: [o.filters] }] : []),
  ],
  paramFormula: (o, input) =>
    `${formatCount(o.kernel_size)} · ${formatCount(input[2]!)} · ${formatCount(o.filters)}${o.use_bias ? ` + ${formatCount(o.filters)}` : ''}`,
  multiplyAdds(o, input) {
    const length = convOutputLength(input[1]!, o.kernel_size, o.padding, o.strides, o.dilation_rate);
    return length === null ? null : length * o.kernel_size * input[2]! * o.filters;
  },
  // tfjs-layers' Conv1D refuses a mask.
  mask: () => 'unsupported',
  toTfjs: (o) => ({
    className: 'Conv1D',
    config: {
      filters: o.filters,
      kernelSize: o.kernel_size,
      strides: o.strides,
      padding: o.padding,
      dilationRate: o.dilation_rate,
      activation: tfjsActivation(o.activation),
      useBias: o.use_bias,
      kernelInitializer: { className: 'GlorotUniform', config: {} },
      biasInitializer: { className: 'Zeros', config: {} },
    },
  }),
  cardText: (o) => `${o.filters} filters · kernel ${o.kernel_size} · ${o.activation}`,
  keepsRank: false,
  namesRun: true,
  keras: {
    positional: ['filters', 'kernel_size'],
    aliases: ['Convolution1D'],
    tupleOptions: ['kernel_size', 'strides', 'dilation_rate'],
    keras3Config: (o) => ({ ...o, data_format: 'channels_last', groups: 1 }),
  },
  torch: { inputFeatures: true, positional: ['filters', 'kernel_size'], keywords: ['strides', 'padding', 'dilation_rate', 'activation', 'use_bias'], trainable: true },
};
