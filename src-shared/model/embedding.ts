import { z } from 'zod';
import { bool, formatCount, positiveInt } from './options';
import { MAX_MAXLEN, MAX_UNITS, MAX_VOCABULARY } from '../limits';
import type { DatasetContext, LayerKind, LayerProblem, Shape } from './types';

/** Keras `Embedding`: turns word ids into dense vectors, one trainable row per id. */
export const embeddingOptions = z
  .object({
    input_dim: positiveInt(MAX_VOCABULARY).default(10000).describe("Size of the vocabulary: the largest word id + 1, at least the data's max_features. Default 10000."),
    output_dim: positiveInt(MAX_UNITS).default(32).describe('Dimension of the dense vector each word id becomes. Default 32.'),
    mask_zero: bool()
      .default(false)
      .describe('Treat word id 0 as padding and mask it out of later layers, which must support masking. Default false.'),
    /** In a project file, `null` stands for the empty field. */
    input_length: positiveInt(MAX_MAXLEN).nullable().default(null).describe("Length of the input sequences; empty takes the dataset's maxlen. Default empty."),
  })
  .strict();
export type EmbeddingOptions = z.infer<typeof embeddingOptions>;

/**
 * The model's input: `(None, steps)` word ids, with steps fixed when the Embedding sets
 * `input_length` or the dataset's maxlen is known, else `(None, None)`.
 */
export function modelInputShape(options: EmbeddingOptions, dataset: DatasetContext): Shape {
  return [null, options.input_length ?? dataset.maxlen ?? null];
}

export const embedding: LayerKind<EmbeddingOptions> = {
  kind: 'Embedding',
  namePrefix: 'embedding',
  description: 'Turns word ids into dense vectors: the first layer of every text model.',
  category: 'embedding',
  optionsSchema: embeddingOptions,
  validate(o, _input, ctx) {
    const problems: LayerProblem[] = [];
    const { maxFeatures, maxlen } = ctx.dataset;
    if (maxFeatures !== undefined && o.input_dim < maxFeatures) {
      problems.push({
        option: 'input_dim',
        keepsShape: true,
        message: `input_dim must be at least the dataset's vocabulary size ${formatCount(maxFeatures)} (max features), or word ids above ${formatCount(o.input_dim - 1)} have no vector. Received: ${o.input_dim}`,
        fix: { label: `Set input_dim to ${formatCount(maxFeatures)}`, apply: { type: 'setOption', layerId: ctx.id, option: 'input_dim', value: maxFeatures } },
      });
    }
    if (o.input_length !== null && maxlen !== undefined && o.input_length !== maxlen) {
      problems.push({
        option: 'input_length',
        keepsShape: true,
        message: `input_length must equal the dataset's maxlen ${maxlen}, or be left empty. Received: ${o.input_length}`,
        fix: { label: 'Use the dataset\'s maxlen', apply: { type: 'setOption', layerId: ctx.id, option: 'input_length', value: null } },
      });
    }
    return problems;
  },
  outputShape: (o, input) => [input[0]!, input[1]!, o.output_dim],
  weightShapes: (o) => [{ name: 'embeddings', shape: [o.input_dim, o.output_dim] }],
  paramFormula: (o) => `${formatCount(o.input_dim)} · ${formatCount(o.output_dim)}`,
  multiplyAdds: () => 0,
  mask: (o) => o.mask_zero,
  toTfjs: (o) => ({
    className: 'Embedding',
    config: {
      inputDim: o.input_dim,
      outputDim: o.output_dim,
      maskZero: o.mask_zero,
      ...(o.input_length === null ? {} : { inputLength: o.input_length }),
      // Keras' 'uniform' is RandomUniform(-0.05, 0.05).
      embeddingsInitializer: { className: 'RandomUniform', config: { minval: -0.05, maxval: 0.05 } },
    },
  }),
  cardText: (o) => `${formatCount(o.input_dim)} words × ${o.output_dim} dims${o.mask_zero ? ' · mask_zero (padding ignored)' : ''}`,
  keepsRank: false,
  namesRun: false,
  // Keras 3 has no input_length: the InputLayer's batch_shape carries it.
  keras: { positional: ['input_dim', 'output_dim'], tupleOptions: ['input_length'], keras3Config: ({ input_length: _, ...rest }) => rest },
  torch: { inputFeatures: false, positional: ['input_dim', 'output_dim'], keywords: ['mask_zero'], trainable: true },
};
