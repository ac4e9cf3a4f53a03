import { z } from 'zod';
import { formatShape } from './shape';
import type { LayerKind } from './types';

/** Keras `Flatten`: joins all non-batch dimensions into one. */
export const flattenOptions = z.object({}).strict();
export type FlattenOptions = z.infer<typeof flattenOptions>;

export const flatten: LayerKind<FlattenOptions> = {
  kind: 'Flatten',
  namePrefix: 'flatten',
  description: 'Joins steps and features into one long vector (needs a fixed sequence length).',
  category: 'core',
  optionsSchema: flattenOptions,
  validate(_o, input) {
    if (input.slice(1).every((dim) => dim !== null)) return [];
    return [
      {
        message: `Flatten needs a fixed sequence length, but its input is ${formatShape(input)}. Set the dataset's maxlen or the Embedding's input_length, or use GlobalMaxPooling1D.`,
      },
    ];
  },
  outputShape: (_o, input) => [input[0]!, (input.slice(1) as number[]).reduce((a, b) => a * b, 1)],
  weightShapes: () => [],
  paramFormula: () => '',
  multiplyAdds: () => 0,
  // tfjs-layers' Flatten refuses a mask.
  mask: () => 'unsupported',
  toTfjs: () => ({ className: 'Flatten', config: {} }),
};
