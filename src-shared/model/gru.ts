import { z } from 'zod';
import { activation, bool, formatCount, tfjsActivation } from './options';
import {
  recurrentCardText,
  recurrentMultiplyAdds,
  recurrentOptionShape,
  recurrentOutputShape,
  recurrentParamFormula,
  recurrentTfConfig,
  recurrentTorchCall,
  recurrentWeightShapes,
  validateRecurrent,
} from './recurrent';
import type { LayerKind } from './types';

/**
 * The tfjs-layers class that computes Keras' GRU with `reset_after=True`, registered by
 * `src-main/engine/tfjs-model.ts`. Porting note: tfjs-layers' own `GRU` refuses `resetAfter`.
 */
export const resetAfterGruClassName = 'ResetAfterGRU';

/** Keras `GRU`: gated recurrent unit with update (z), reset (r) and candidate (h) parts. */
export const gruOptions = z
  .object({
    ...recurrentOptionShape,
    /** Porting note: tfjs-layers defaults to hardSigmoid; Keras 3 to sigmoid. */
    recurrent_activation: activation().default('sigmoid').describe("Activation function for the update and reset gates. Default 'sigmoid'."),
    /** Porting note: tfjs-layers' GRU has no reset_after, so true builds `ResetAfterGRU`. */
    reset_after: bool()
      .default(true)
      .describe('Apply the reset gate after the matrix product, with separate input and recurrent biases. Default true.'),
  })
  .strict();
export type GruOptions = z.infer<typeof gruOptions>;

export const gru: LayerKind<GruOptions> = {
  kind: 'GRU',
  namePrefix: 'gru',
  description: 'Gated recurrent unit: a lighter LSTM with update and reset gates.',
  category: 'recurrent',
  optionsSchema: gruOptions,
  validate: (_options, input, ctx) => validateRecurrent('GRU', input, ctx),
  outputShape: recurrentOutputShape,
  // reset_after keeps separate input and recurrent biases: two rows.
  weightShapes: (o, input) => recurrentWeightShapes(3, o, input, o.reset_after ? [2, 3 * o.units] : undefined),
  paramFormula: (o, input) => recurrentParamFormula(3, o, input, o.reset_after ? `2 · ${formatCount(o.units)}` : undefined),
  multiplyAdds: (o, input) => recurrentMultiplyAdds(3, o, input),
  mask: (o) => o.return_sequences,
  toTfjs: (o) => ({
    className: o.reset_after ? resetAfterGruClassName : 'GRU',
    config: { ...recurrentTfConfig(o), recurrentActivation: tfjsActivation(o.recurrent_activation) },
  }),
  cardText: recurrentCardText,
  keepsRank: false,
  namesRun: true,
  keras: { positional: ['units'], cell: 'gru_cell', aliases: ['CuDNNGRU'] },
  torch: recurrentTorchCall(['recurrent_activation', 'reset_after']),
};
