import { z } from 'zod';
import { formatShape } from './shape';
import { weightless, type LayerKind } from './types';

/** Keras `Flatten`: joins all non-batch dimensions into one. */
export const flattenOptions = z.object({}).strict();
export type FlattenOptions = z.infer<typeof flattenOptions>;

export const flatten: LayerKind<FlattenOptions> = {
  kind: 'Flatten',
  namePrefix: 'flatten',
  description: 'Joins steps and features into one long vector (needs a fixed sequence length).',
  category: 'core',
  optionsSchema: flattenOptions,
  validate(_o, input, ctx) {
    if (input.length < 3) {
      // Porting note: Keras passes a 2-D input through; tfjs-layers' Flatten refuses it.
      return [
        {
          message: `Flatten needs a sequence (None, steps, features), but its input is already flat ${formatShape(input)}. Remove ${ctx.name}.`,
          fix: { label: `Remove ${ctx.name}`, apply: { type: 'removeLayer', layerId: ctx.id } },
        },
      ];
    }
    if (input.slice(1).every((dim) => dim !== null)) return [];
    return [
      {
        message: `Flatten needs a fixed sequence length, but its input is ${formatShape(input)}. Set the dataset's maxlen or the Embedding's input_length, or use GlobalMaxPooling1D.`,
      },
    ];
  },
  outputShape: (_o, input) => [input[0]!, (input.slice(1) as number[]).reduce((a, b) => a * b, 1)],
  ...weightless,
  // tfjs-layers' Flatten refuses a mask.
  mask: () => 'unsupported',
  toTfjs: () => ({ className: 'Flatten', config: {} }),
  cardText: () => '',
  keepsRank: false,
  namesRun: true,
  keras: { positional: [], keras3Config: () => ({ data_format: 'channels_last' }) },
  torch: { inputFeatures: false, positional: [], keywords: [], trainable: false },
};
