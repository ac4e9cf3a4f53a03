import { z } from 'zod';
import { activation, bool, tfjsActivation } from './options';
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

/** Keras `LSTM`: long short-term memory with gates i, f, c, o. */
export const lstmOptions = z
  .object({
    ...recurrentOptionShape,
    /** Porting note: tfjs-layers defaults to hardSigmoid; Keras 3 to sigmoid. */
    recurrent_activation: activation().default('sigmoid').describe("Activation function for the input, forget and output gates. Default 'sigmoid'."),
    unit_forget_bias: bool().default(true).describe("Add 1 to the forget gate's bias at initialization (Jozefowicz et al., 2015). Default true."),
  })
  .strict();
export type LstmOptions = z.infer<typeof lstmOptions>;

export const lstm: LayerKind<LstmOptions> = {
  kind: 'LSTM',
  namePrefix: 'lstm',
  description: 'Long short-term memory: gated state that carries information across many steps.',
  category: 'recurrent',
  optionsSchema: lstmOptions,
  validate: (_options, input, ctx) => validateRecurrent('LSTM', input, ctx),
  outputShape: recurrentOutputShape,
  weightShapes: (o, input) => recurrentWeightShapes(4, o, input),
  paramFormula: (o, input) => recurrentParamFormula(4, o, input),
  multiplyAdds: (o, input) => recurrentMultiplyAdds(4, o, input),
  mask: (o) => o.return_sequences,
  toTfjs: (o) => ({
    className: 'LSTM',
    config: { ...recurrentTfConfig(o), recurrentActivation: tfjsActivation(o.recurrent_activation), unitForgetBias: o.unit_forget_bias },
  }),
  cardText: recurrentCardText,
  keepsRank: false,
  namesRun: true,
  keras: { positional: ['units'], cell: 'lstm_cell', aliases: ['CuDNNLSTM'] },
  torch: recurrentTorchCall(['recurrent_activation', 'unit_forget_bias']),
};
