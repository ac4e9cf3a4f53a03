import { z } from 'zod';
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

/** Keras `SimpleRNN`: a fully connected recurrent layer whose output is fed back as its state. */
export const simpleRnnOptions = z.object(recurrentOptionShape).strict();
export type SimpleRnnOptions = z.infer<typeof simpleRnnOptions>;

export const simpleRnn: LayerKind<SimpleRnnOptions> = {
  kind: 'SimpleRNN',
  namePrefix: 'simple_rnn',
  description: 'Fully connected recurrent layer: output = activation(x·W + h·U + b).',
  category: 'recurrent',
  optionsSchema: simpleRnnOptions,
  validate: (_options, input, ctx) => validateRecurrent('SimpleRNN', input, ctx),
  outputShape: recurrentOutputShape,
  weightShapes: (o, input) => recurrentWeightShapes(1, o, input),
  paramFormula: (o, input) => recurrentParamFormula(1, o, input),
  multiplyAdds: (o, input) => recurrentMultiplyAdds(1, o, input),
  mask: (o) => o.return_sequences,
  toTfjs: (o) => ({ className: 'SimpleRNN', config: recurrentTfConfig(o) }),
  cardText: recurrentCardText,
  keepsRank: false,
  namesRun: true,
  keras: { positional: ['units'], cell: 'simple_rnn_cell' },
  torch: recurrentTorchCall([]),
};
