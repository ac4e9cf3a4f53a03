import { z } from 'zod';
import { gru, gruOptions } from './gru';
import { lstm, lstmOptions } from './lstm';
import { oneOf } from './options';
import { requireSequence } from './shape';
import { simpleRnn, simpleRnnOptions } from './simple-rnn';
import type { LayerKind, Shape } from './types';

/** The recurrent kinds Bidirectional can wrap, with their option schemas. */
const wrappable = { SimpleRNN: simpleRnn, LSTM: lstm, GRU: gru } as const;
const recurrentKinds: readonly string[] = Object.keys(wrappable);
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
  cardText: (o) => `${o.layer.kind}(${o.layer.options.units}) · ${o.merge_mode}${o.layer.options.return_sequences ? ' · return_sequences (an output per word)' : ''}`,
  keepsRank: false,
  namesRun: true,
  // The wrapped layer comes first, by position: Bidirectional(LSTM(32)).
  keras: { positional: ['layer'] },
  // The forward and backward copies of the wrapped layer come after the name (see wrappedLayer).
  torch: { inputFeatures: false, positional: [], keywords: ['merge_mode'], trainable: true },
};

/** A layer as a spec holds it, possibly unparsed (a project file, a request). */
interface SpecLike {
  kind: string;
  options?: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The recurrent layer a Bidirectional wraps, or undefined for any other layer: the one place that
 * knows where a wrapper keeps its layer. A missing kind is the schema's default, LSTM.
 */
export function wrappedLayer(spec: SpecLike): { kind: string; options: Record<string, unknown> } | undefined {
  if (spec.kind !== bidirectional.kind) return undefined;
  const layer = isRecord(spec.options?.['layer']) ? spec.options['layer'] : {};
  return { kind: typeof layer['kind'] === 'string' ? layer['kind'] : lstm.kind, options: isRecord(layer['options']) ? layer['options'] : {} };
}

/** The layer that computes: a Bidirectional's wrapped layer, else the layer itself. */
export function computingLayer(spec: SpecLike): { kind: string; options: Record<string, unknown> } {
  return wrappedLayer(spec) ?? { kind: spec.kind, options: spec.options ?? {} };
}

/** Whether a layer computes with a recurrent kind, itself or wrapped (the layers the engine may fuse). */
export function isRecurrentLayer(spec: SpecLike): boolean {
  return recurrentKinds.includes(computingLayer(spec).kind);
}
