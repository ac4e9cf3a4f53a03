/**
 * Building blocks for layer option schemas. Each check carries the phrase that completes
 * "`<option>` must be …", so a failed parse reads in the house style:
 * `units must be a positive integer. Received: 0`.
 */
import { z } from 'zod';
import { issueMessage } from '../validation';

export { formatReceived } from '../validation';

/** A whole number above zero, and at most `max` when given (the app's bounds on declared sizes). */
export function positiveInt(max?: number) {
  const error = max === undefined ? 'a positive integer' : `a positive integer of at most ${formatCount(max)}`;
  const schema = z.number({ error }).int({ error }).positive({ error });
  return max === undefined ? schema : schema.max(max, { error });
}

/** A dropout rate: the share of units dropped, from 0 up to but not including 1. */
export function rate() {
  const error = 'a number from 0 up to (not including) 1';
  return z.number({ error }).min(0, { error }).lt(1, { error });
}

export function bool() {
  return z.boolean({ error: 'true or false' });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `one of ${values.map((v) => `'${v}'`).join(', ')}` });
}

/**
 * Keras activations that tfjs-layers computes the same way.
 * Porting note: `hard_sigmoid` is Keras 2's `clip(0.2x + 0.5, 0, 1)`, which tfjs-layers' `hardSigmoid`
 * computes and which Keras 2 files (LSTM and GRU before Keras 2.4) use; Keras 3 gave the name to
 * `relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1)`, which the app calls `hard_sigmoid_k3` (computed by the
 * engine's own tfjs activation, exported to `.keras` as Keras 3's `hard_sigmoid`). `gelu` is left out
 * because tfjs-layers' version differs from Keras 3's.
 */
export const activations = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'hard_sigmoid', 'hard_sigmoid_k3'] as const;
export type Activation = (typeof activations)[number];

/** tfjs' name of a Keras activation (tfjs spells `hard_sigmoid` in camelCase; `hardSigmoidK3` is the engine's own). */
export function tfjsActivation(name: Activation): string {
  return name === 'hard_sigmoid' ? 'hardSigmoid' : name === 'hard_sigmoid_k3' ? 'hardSigmoidK3' : name;
}

/** How the UI shows an option value that is not spelled as Keras spells it. */
export const optionValueLabels: Readonly<Record<string, string>> = { hard_sigmoid_k3: "hard_sigmoid (Keras 3's, clip(x / 6 + 0.5, 0, 1))" };

export function activation() {
  return oneOf(activations);
}

/** Formats a number the way Keras prints counts: `8,320`. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** One failed option: the dotted path and the message to show. */
export interface OptionProblem {
  option: string;
  message: string;
}

/**
 * Turns a failed parse into house-style messages.
 *
 * Args:
 *   error: the zod error.
 *   input: what was parsed, to quote the received value.
 *   subject: who owns the options, for unknown keys (`LSTM`).
 */
export function describeOptionErrors(error: z.ZodError, input: unknown, subject: string): OptionProblem[] {
  return error.issues.map((issue) => {
    const { field, message } = issueMessage(issue, input, subject);
    return { option: field, message };
  });
}
