import { z } from 'zod';
import { convOutputLength } from './conv1d';
import { oneOf, positiveInt } from './options';
import { formatShape, requireSequence } from './shape';
import { weightless, type LayerKind, type LayerProblem } from './types';

/** Keras `MaxPooling1D`: keeps the largest value in each window of steps, shortening the sequence. */
export const maxPooling1dOptions = z
  .object({
    pool_size: positiveInt().default(2).describe('Size of the max pooling window, in steps. Default 2.'),
    /** In a project file, `null` stands for the empty field. */
    strides: positiveInt().nullable().default(null).describe('Step between pooling windows; empty means pool_size. Default empty.'),
    padding: oneOf(['valid', 'same'])
      .default('valid')
      .describe("'valid' drops a partial last window, 'same' pads the input to keep it. Default 'valid'."),
  })
  .strict();
export type MaxPooling1dOptions = z.infer<typeof maxPooling1dOptions>;

function outputLength(o: MaxPooling1dOptions, length: number | null): number | null {
  return convOutputLength(length, o.pool_size, o.padding, o.strides ?? o.pool_size);
}

export const maxPooling1d: LayerKind<MaxPooling1dOptions> = {
  kind: 'MaxPooling1D',
  namePrefix: 'max_pooling1d',
  description: 'Keeps the strongest value in each window of steps, shortening the sequence.',
  category: 'pooling',
  optionsSchema: maxPooling1dOptions,
  validate(o, input, ctx) {
    const problems: LayerProblem[] = requireSequence('MaxPooling1D', input, ctx);
    if (problems.length > 0) return problems;
    const length = outputLength(o, input[1]!);
    if (length !== null && length <= 0) {
      problems.push({
        option: 'pool_size',
        message: `pool_size must fit the ${input[1]} steps of its input ${formatShape(input)} with padding 'valid'. Received: ${o.pool_size}`,
        fix: { label: "Use padding 'same'", apply: { type: 'setOption', layerId: ctx.id, option: 'padding', value: 'same' } },
      });
    }
    return problems;
  },
  outputShape: (o, input) => [input[0]!, outputLength(o, input[1]!), input[2]!],
  ...weightless,
  // tfjs-layers' pooling layers refuse a mask.
  mask: () => 'unsupported',
  toTfjs: (o) => ({
    className: 'MaxPooling1D',
    config: { poolSize: o.pool_size, strides: o.strides ?? o.pool_size, padding: o.padding },
  }),
  cardText: (o) => `pool ${o.pool_size}`,
  keepsRank: false,
  namesRun: true,
  keras: { positional: ['pool_size'], aliases: ['MaxPool1D'], tupleOptions: ['pool_size', 'strides'], keras3Config: (o) => ({ ...o, data_format: 'channels_last' }) },
  torch: { inputFeatures: false, positional: ['pool_size'], keywords: ['strides', 'padding'], trainable: false },
};
