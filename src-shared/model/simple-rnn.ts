import { z } from 'zod';
import { formatCount } from './options';
import {
  features,
  recurrentMultiplyAdds,
  recurrentOptionShape,
  recurrentOutputShape,
  recurrentTfConfig,
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
  weightShapes: (o, input) => [
    { name: 'kernel', shape: [features(input), o.units] },
    { name: 'recurrent_kernel', shape: [o.units, o.units] },
    ...(o.use_bias ? [{ name: 'bias', shape: [o.units] }] : []),
  ],
  paramFormula: (o, input) =>
    `${formatCount(o.units)} · (${formatCount(features(input))} + ${formatCount(o.units)})${o.use_bias ? ` + ${formatCount(o.units)}` : ''}`,
  multiplyAdds: (o, input) => recurrentMultiplyAdds(1, o, input),
  mask: (o) => o.return_sequences,
  toTfjs: (o) => ({ className: 'SimpleRNN', config: recurrentTfConfig(o) }),
};
