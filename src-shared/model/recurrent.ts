/**
 * What SimpleRNN, LSTM and GRU share: the common Keras options, the shape rule and the Keras
 * initializers passed to tfjs-layers explicitly.
 */
import { z } from 'zod';
import { activation, bool, formatCount, positiveInt, rate, tfjsActivation } from './options';
import { MAX_UNITS } from '../limits';
import { requireSequence } from './shape';
import type { LayerContext, LayerProblem, Shape, TorchCall, WeightShape } from './types';

/** Options every Keras recurrent layer takes; each one's help text is its `describe()`. */
export const recurrentOptionShape = {
  units: positiveInt(MAX_UNITS).default(32).describe('Dimensionality of the output space: the size of the state vector. Default 32.'),
  activation: activation().default('tanh').describe("Activation function applied to the candidate state. Default 'tanh'."),
  use_bias: bool().default(true).describe('Whether the layer uses bias vectors. Default true.'),
  return_sequences: bool()
    .default(false)
    .describe('Return the full sequence (None, steps, units), as another recurrent layer on top needs. Default false.'),
  go_backwards: bool().default(false).describe('Process the input sequence backwards and return the reversed sequence. Default false.'),
  dropout: rate().default(0).describe('Fraction of the units to drop for the linear transformation of the inputs. Default 0.'),
  recurrent_dropout: rate().default(0).describe('Fraction of the units to drop for the linear transformation of the recurrent state. Default 0.'),
};

export type RecurrentOptions = z.infer<z.ZodObject<typeof recurrentOptionShape>>;

export function validateRecurrent(kind: string, input: Shape, ctx: LayerContext): LayerProblem[] {
  return requireSequence(kind, input, ctx);
}

export function recurrentOutputShape(options: RecurrentOptions, input: Shape): Shape {
  return options.return_sequences ? [input[0]!, input[1]!, options.units] : [input[0]!, options.units];
}

/** Feature size of a validated 3-D input. */
export function features(input: Shape): number {
  return input[2]!;
}

/** Porting note: tfjs-layers defaults to glorotNormal kernels; Keras uses glorot_uniform. */
export const kerasRecurrentInitializers = {
  kernelInitializer: { className: 'GlorotUniform', config: {} },
  recurrentInitializer: { className: 'Orthogonal', config: { gain: 1 } },
  biasInitializer: { className: 'Zeros', config: {} },
};

/** The tfjs config fields every recurrent layer shares, from Keras options. */
export function recurrentTfConfig(options: RecurrentOptions): Record<string, unknown> {
  return {
    units: options.units,
    activation: tfjsActivation(options.activation),
    useBias: options.use_bias,
    returnSequences: options.return_sequences,
    goBackwards: options.go_backwards,
    dropout: options.dropout,
    recurrentDropout: options.recurrent_dropout,
    ...kerasRecurrentInitializers,
  };
}

/**
 * Keras' weights of a recurrent layer with `gates` dense maps of `(features + units) → units`: the
 * kernel, the recurrent kernel and, with `use_bias`, a bias of `biasShape` (one per gate by default).
 */
export function recurrentWeightShapes(gates: number, options: RecurrentOptions, input: Shape, biasShape = [gates * options.units]): WeightShape[] {
  return [
    { name: 'kernel', shape: [features(input), gates * options.units] },
    { name: 'recurrent_kernel', shape: [options.units, gates * options.units] },
    ...(options.use_bias ? [{ name: 'bias', shape: biasShape }] : []),
  ];
}

/** The formula of `recurrentWeightShapes`' count, `gates · (units · (features + units) + bias)`; one gate is written bare. */
export function recurrentParamFormula(gates: number, options: RecurrentOptions, input: Shape, biasTerm = formatCount(options.units)): string {
  const units = formatCount(options.units);
  const perGate = `${units} · (${formatCount(features(input))} + ${units})${options.use_bias ? ` + ${biasTerm}` : ''}`;
  return gates === 1 ? perGate : `${gates} · (${perGate})`;
}

/** Multiply-adds of `gates` dense maps of `(features + units) → units` per step. */
export function recurrentMultiplyAdds(gates: number, options: RecurrentOptions, input: Shape): number | null {
  const steps = input[1];
  if (steps === null || steps === undefined) return null;
  return steps * gates * options.units * (features(input) + options.units);
}

/** A recurrent layer's card: its units, and the options that change what it outputs or how it trains. */
export function recurrentCardText(options: RecurrentOptions): string {
  return `${options.units} units${options.return_sequences ? ' · return_sequences (an output per word)' : ''}${options.dropout > 0 ? ` · dropout ${options.dropout}` : ''}`;
}

/** `rnnwb.LSTM("lstm", 32, 32, activation="tanh", …)`: the shared options, then the kind's own `extra` ones. */
export function recurrentTorchCall(extra: readonly string[]): TorchCall {
  return {
    inputFeatures: true,
    positional: ['units'],
    keywords: ['activation', 'use_bias', 'return_sequences', 'go_backwards', 'dropout', 'recurrent_dropout', ...extra],
    trainable: true,
  };
}
