import { z } from 'zod';
import { gru, gruOptions } from './gru';
import { lstm, lstmOptions } from './lstm';
import { oneOf } from './options';
import { requireSequence } from './shape';
import { simpleRnn, simpleRnnOptions } from './simple-rnn';
import type { LayerKind, Shape } from './types';

/** The recurrent kinds Bidirectional can wrap, with their option schemas. */
const wrappable = { SimpleRNN: simpleRnn, LSTM: lstm, GRU: gru } as const;
type Wrapped = { kind: 'SimpleRNN'; options: z.infer<typeof simpleRnnOptions> } | { kind: 'LSTM'; options: z.infer<typeof lstmOptions> } | { kind: 'GRU'; options: z.infer<typeof gruOptions> };

/** Keras `Bidirectional`: runs a recurrent layer forwards and a copy backwards, then merges the two. */
export const bidirectionalOptions = z
  .object({
    /** In a project file: `{kind: 'LSTM', options: {...}}`. */
    layer: z
      .discriminatedUnion(
        'kind',
        [
          z.object({ kind: z.literal('SimpleRNN'), options: simpleRnnOptions.default(simpleRnnOptions.parse({})) }).strict(),
          z.object({ kind: z.literal('LSTM'), options: lstmOptions.default(lstmOptions.parse({})) }).strict(),
          z.object({ kind: z.literal('GRU'), options: gruOptions.default(gruOptions.parse({})) }).strict(),
        ],
        {
          error: (issue) =>
            issue.code === 'invalid_union' ? "one of 'SimpleRNN', 'LSTM', 'GRU'" : "a recurrent layer {kind: 'SimpleRNN' | 'LSTM' | 'GRU', options}",
        },
      )
      .default({ kind: 'LSTM', options: lstmOptions.parse({}) })
      .describe('The recurrent layer to run forwards, and as a copy backwards. Default LSTM(32).'),
    merge_mode: oneOf(['concat', 'sum', 'mul', 'ave'])
      .default('concat')
      .describe("How to merge the forward and backward outputs; 'concat' doubles the features. Default 'concat'."),
  })
  .strict();
export type BidirectionalOptions = z.infer<typeof bidirectionalOptions>;

// One dispatch point keeps the wrapped kind and its options typed together.
function inner<R>(layer: Wrapped, use: <O extends Record<string, unknown>>(kind: LayerKind<O>, options: O) => R): R {
  switch (layer.kind) {
    case 'SimpleRNN':
      return use(wrappable.SimpleRNN, layer.options);
    case 'LSTM':
      return use(wrappable.LSTM, layer.options);
    case 'GRU':
      return use(wrappable.GRU, layer.options);
  }
}

export const bidirectional: LayerKind<BidirectionalOptions> = {
  kind: 'Bidirectional',
  namePrefix: 'bidirectional',
  description: 'Reads the sequence both ways with a recurrent layer and merges the two outputs.',
  category: 'wrapper',
  optionsSchema: bidirectionalOptions,
  validate: (_o, input, ctx) => requireSequence('Bidirectional', input, ctx),
  outputShape(o, input) {
    const shape: Shape = inner(o.layer, (kind, options) => kind.outputShape(options, input));
    const last = shape.length - 1;
    if (o.merge_mode === 'concat') shape[last] = 2 * shape[last]!;
    return shape;
  },
  weightShapes: (o, input) =>
    inner(o.layer, (kind, options) => {
      const weights = kind.weightShapes(options, input);
      const prefix = kind.namePrefix;
      return [
        ...weights.map((w) => ({ name: `forward_${prefix}/${w.name}`, shape: w.shape })),
        ...weights.map((w) => ({ name: `backward_${prefix}/${w.name}`, shape: w.shape })),
      ];
    }),
  paramFormula: (o, input) => inner(o.layer, (kind, options) => `2 · (${kind.paramFormula(options, input)})`),
  multiplyAdds(o, input) {
    const one = inner(o.layer, (kind, options) => kind.multiplyAdds(options, input));
    return one === null ? null : 2 * one;
  },
  mask: (o) => o.layer.options.return_sequences,
  toTfjs: (o, input) => ({
    className: 'Bidirectional',
    config: { layer: inner(o.layer, (kind, options) => kind.toTfjs(options, input)), mergeMode: o.merge_mode },
  }),
};
