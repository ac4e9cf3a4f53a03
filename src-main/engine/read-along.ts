/**
 * The model reading one review step by step (read-along), and the loss gradient with respect to its
 * recurrent state at every step (gradient over time), computed with the model's own layers.
 *
 * Both need a "reading" layer: the recurrent layer (or Bidirectional) that turns the sequence into one
 * vector, after only step-wise layers (Embedding, Dropout, SpatialDropout1D, recurrent layers that
 * return sequences) and before only Dense and Dropout, the head.
 */
import * as tf from '@tensorflow/tfjs';
import type { ReadAlong } from '../../src-shared/read-along';

/** Rows of one read-along batch: each row is the review cut after one of its tokens. */
const ROWS_PER_BATCH = 64;

type LayerRole = 'embedding' | 'stepwise' | 'recurrent' | 'head';

/** tfjs class names of the recurrent layers the app builds or opens. */
export const recurrentClasses: ReadonlySet<string> = new Set(['SimpleRNN', 'LSTM', 'GRU', 'ResetAfterGRU', 'FusedRecurrent', 'Bidirectional', 'FusedBidirectional']);

function roleOf(layer: tf.layers.Layer): LayerRole | undefined {
  const name = layer.getClassName();
  if (name === 'Embedding') return 'embedding';
  if (name === 'Dropout' || name === 'SpatialDropout1D') return 'stepwise';
  if (recurrentClasses.has(name)) return 'recurrent';
  if (name === 'Dense') return 'head';
  return undefined;
}

function returnsSequences(layer: tf.layers.Layer): boolean {
  const config = layer.getConfig() as { returnSequences?: boolean; layer?: { returnSequences?: boolean; config?: { returnSequences?: boolean } } };
  return config.returnSequences ?? config.layer?.returnSequences ?? config.layer?.config?.returnSequences ?? false;
}

function isBidirectional(layer: tf.layers.Layer): boolean {
  return layer.getClassName() === 'Bidirectional' || layer.getClassName() === 'FusedBidirectional';
}

/** Keras' name of a recurrent tfjs layer class: ResetAfterGRU is Keras' GRU. */
function kerasName(className: string): string {
  return className === 'ResetAfterGRU' ? 'GRU' : className;
}

/** The Keras kind of a recurrent tfjs layer: `LSTM`, or `Bidirectional(LSTM)`. */
export function kindOf(layer: tf.layers.Layer): string {
  if (layer.getClassName() === 'FusedRecurrent') return (layer as unknown as { kind: string }).kind;
  if (!isBidirectional(layer)) return kerasName(layer.getClassName());
  // FusedBidirectional describes its layer by `kind`, tfjs' Bidirectional by its serialized `className`.
  const inner = (layer.getConfig() as { layer?: { kind?: string; className?: string } }).layer;
  return `Bidirectional(${kerasName(inner?.kind ?? inner?.className ?? '?')})`;
}

/** Where a model reads: the index of its reading layer, or why it has none. */
export type ReadingPlan = { reader: number; layers: tf.layers.Layer[]; label: string; kind: string; bidirectional: boolean } | { reason: string };

/** Finds the reading layer of a Sequential model, or says why the stack has none. */
export function planReading(model: tf.LayersModel): ReadingPlan {
  const layers = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  const roles = layers.map(roleOf);
  const unknown = layers.findIndex((_, i) => roles[i] === undefined);
  const reader = layers.findIndex((layer, i) => roles[i] === 'recurrent' && !returnsSequences(layer));
  if (reader < 0) return { reason: 'The stack has no recurrent layer that reads the whole review into one state (one without return_sequences), so there is no state after each token to apply the head to.' };
  if (unknown >= 0 && unknown < reader) {
    return { reason: `${layers[unknown]!.getClassName()} sits between the words and the recurrent layer and mixes or drops steps, so a step's state does not belong to one token.` };
  }
  if (roles[0] !== 'embedding') return { reason: 'The stack does not start with an Embedding, so its steps are not tokens.' };
  const after = layers.slice(reader + 1).find((layer) => layer.getClassName() !== 'Dropout' && roleOf(layer) !== 'head');
  if (after !== undefined) return { reason: `${after.getClassName()} follows the recurrent layer; the read-along applies only a head of Dense (and Dropout) layers to each step's state.` };
  const layer = layers[reader]!;
  return { reader, layers, label: `${layer.name} (${kindOf(layer)})`, kind: kindOf(layer), bidirectional: layers.slice(0, reader + 1).some(isBidirectional) };
}

function maskZero(layers: tf.layers.Layer[]): boolean {
  return (layers[0]!.getConfig() as { maskZero?: boolean }).maskZero === true;
}

/** The model's numbers for one review, without the tokens (the service adds those). */
export type ReadAlongNumbers = Pick<ReadAlong, 'prediction' | 'probabilities' | 'state' | 'carry' | 'layer' | 'note'>;

/**
 * Reads one padded review with `model`.
 *
 * Each token's probability is the model's output on the review cut after that token: the later steps
 * are masked, and a masked step carries the state through unchanged (Keras masking), so for a
 * one-directional stack this is exactly the head applied to the reading layer's state after the
 * token. A Bidirectional layer's backward half then reads from that token back to the start.
 *
 * Args:
 *   model: the run's model as predict runs it.
 *   x: the review, `maxlen` ids, padded at the front.
 *   padding: the padding steps before the first token.
 *   stock: the same model built from tfjs-layers' own recurrent layers, whose cells can be stepped
 *     one at a time (for the LSTM carry); the model itself when it is one.
 */
export function readAlong(model: tf.LayersModel, x: Int32Array, padding: number, stock: tf.LayersModel): ReadAlongNumbers {
  const maxlen = x.length;
  const prediction = tf.tidy(() => (model.predict(tf.tensor2d(x, [1, maxlen], 'int32')) as tf.Tensor).dataSync()[0]!);
  const plan = planReading(model);
  if ('reason' in plan) return { prediction, probabilities: null, state: null, carry: null, layer: null, note: plan.reason };
  const tokens = maxlen - padding;
  const probabilities: number[] = [];
  const state: number[][] = [];
  const zeroMasked = maskZero(plan.layers);
  for (let from = 0; from < tokens; from += ROWS_PER_BATCH) {
    const rows = Math.min(ROWS_PER_BATCH, tokens - from);
    const xs = new Int32Array(rows * maxlen);
    const mask = new Float32Array(rows * maxlen);
    for (let r = 0; r < rows; r++) {
      xs.set(x, r * maxlen);
      const last = padding + from + r;
      for (let s = 0; s <= last; s++) mask[r * maxlen + s] = zeroMasked && x[s] === 0 ? 0 : 1;
    }
    const [p, h] = tf.tidy(() => {
      const maskTensor = tf.tensor2d(mask, [rows, maxlen]);
      let out: tf.Tensor = tf.tensor2d(xs, [rows, maxlen], 'int32');
      let readerOut: tf.Tensor | undefined;
      plan.layers.forEach((layer, i) => {
        out = (roleOf(layer) === 'recurrent' ? layer.apply(out, { mask: maskTensor }) : layer.apply(out)) as tf.Tensor;
        if (i === plan.reader) readerOut = out;
      });
      return [out.reshape([-1]), readerOut!];
    });
    probabilities.push(...p.dataSync());
    const units = h.shape[1]!;
    const values = h.dataSync();
    for (let r = 0; r < rows; r++) state.push(Array.from(values.subarray(r * units, (r + 1) * units)));
    tf.dispose([p, h]);
  }
  const carry = plan.kind === 'LSTM' ? lstmCarry(stock, x, padding) : null;
  const note = plan.bidirectional
    ? 'The probability after each token is the model’s output on the review cut after that token: the head applied to the state there, the backward half having read from that token back to the start.'
    : 'The probability after each token is the head applied to the recurrent state after that token.';
  return { prediction, probabilities, state, carry, layer: plan.label, note };
}

/** What the layers before the reading layer make of `xs`, inference mode. */
function readerInputs(plan: Extract<ReadingPlan, { reader: number }>, xs: tf.Tensor): tf.Tensor {
  let out = xs;
  for (const layer of plan.layers.slice(0, plan.reader)) out = layer.apply(out) as tf.Tensor;
  return out;
}

interface SteppableCell {
  call(inputs: tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor[];
  stateSize: number | number[];
  dropoutMask: unknown;
  recurrentDropoutMask: unknown;
}

/**
 * Steps a tfjs-layers recurrent layer's own cell over `inputs` `[batch, time, features]` and returns
 * each step's states (`[h]`, or `[h, c]` for LSTM), in time order. `perturb(t)`, when given, is added
 * to `h` after step `t` (before the next step reads it), so a gradient with respect to it is the
 * gradient with respect to the state at that step.
 */
function stepCell(layer: tf.RNN, inputs: tf.Tensor, perturb?: (t: number) => tf.Tensor): tf.Tensor[][] {
  const cell = layer.cell as unknown as SteppableCell;
  const [batch, time] = inputs.shape as [number, number, number];
  const sizes = Array.isArray(cell.stateSize) ? cell.stateSize : [cell.stateSize];
  // Inference: no dropout masks. A mask a training call left behind would be of another batch size.
  cell.dropoutMask = null;
  cell.recurrentDropoutMask = null;
  let states = sizes.map((size) => tf.zeros([batch, size]));
  const out: tf.Tensor[][] = new Array<tf.Tensor[]>(time);
  // One unstack instead of a slice and a reshape per step: at 500 steps the op count is the cost.
  const xs = tf.unstack(inputs, 1);
  for (let k = 0; k < time; k++) {
    const t = layer.goBackwards ? time - 1 - k : k;
    const [, ...next] = cell.call([xs[t]!, ...states], { training: false });
    if (perturb !== undefined) next[0] = tf.add(next[0]!, perturb(t));
    states = next;
    out[t] = next;
  }
  cell.dropoutMask = null;
  cell.recurrentDropoutMask = null;
  return out;
}

/** The carry of the reading LSTM after each token, stepped with tfjs-layers' LSTMCell. */
function lstmCarry(stock: tf.LayersModel, x: Int32Array, padding: number): number[][] | null {
  const plan = planReading(stock);
  if ('reason' in plan || plan.kind !== 'LSTM') return null;
  const values = tf.tidy(() => {
    const inputs = readerInputs(plan, tf.tensor2d(x, [1, x.length], 'int32'));
    const steps = stepCell(plan.layers[plan.reader] as tf.RNN, inputs);
    return tf.concat(steps.slice(padding).map((s) => s[1]!), 0);
  });
  const units = values.shape[1]!;
  const flat = values.dataSync();
  values.dispose();
  const rows: number[][] = [];
  for (let r = 0; r < flat.length / units; r++) rows.push(Array.from(flat.subarray(r * units, (r + 1) * units)));
  return rows;
}

/** The tfjs-layers halves of a stock Bidirectional, which tfjs types as private. */
function halves(layer: tf.layers.Layer): { forward: tf.RNN; backward: tf.RNN; mergeMode: string } {
  const bidirectional = layer as unknown as { forwardLayer: tf.RNN; backwardLayer: tf.RNN; mergeMode: string };
  return { forward: bidirectional.forwardLayer, backward: bidirectional.backwardLayer, mergeMode: bidirectional.mergeMode };
}

function merge(mode: string, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  switch (mode) {
    case 'concat':
      return tf.concat([a, b], -1);
    case 'sum':
      return tf.add(a, b);
    case 'mul':
      return tf.mul(a, b);
    case 'ave':
      return tf.mul(0.5, tf.add(a, b));
    default:
      throw new Error(`Unknown Bidirectional merge mode: ${mode}`);
  }
}

/**
 * The summed binary cross-entropy of the reviews `xs` (labels `y`) with `eps[t]` added to the reading
 * layer's state after step `t` (its forward half for Bidirectional): a function of `eps` whose
 * gradient is ∂loss/∂h_t for every step at once.
 */
export function perturbedLoss(stock: tf.LayersModel, xs: tf.Tensor, y: tf.Tensor): { loss: (eps: tf.Tensor) => tf.Scalar; units: number; label: string; bidirectional: boolean } {
  const plan = planReading(stock);
  if ('reason' in plan) throw new Error(plan.reason);
  const reader = plan.layers[plan.reader]!;
  const isBi = reader.getClassName() === 'Bidirectional';
  if (!isBi && !(reader instanceof tf.RNN)) throw new Error(`The gradient over time steps tfjs-layers' own cells. Received: ${reader.getClassName()}`);
  const head = plan.layers.slice(plan.reader + 1);
  const forward = isBi ? halves(reader).forward : (reader as tf.RNN);
  const loss = (eps: tf.Tensor): tf.Scalar => {
    // Recomputed per call: it does not depend on eps, and a kept copy would outlive the caller's tidy.
    const inputs = readerInputs(plan, xs);
    const time = inputs.shape[1]!;
    const perturbations = tf.unstack(eps);
    const steps = stepCell(forward, inputs, (t) => perturbations[t]!);
    let out = steps[forward.goBackwards ? 0 : time - 1]![0]!;
    if (isBi) {
      const { backward, mergeMode } = halves(reader);
      const back = stepCell(backward, inputs);
      out = merge(mergeMode, out, back[backward.goBackwards ? 0 : time - 1]![0]!);
    }
    for (const layer of head) out = layer.apply(out) as tf.Tensor;
    const p = tf.clipByValue(tf.reshape(out, [-1]), 1e-7, 1 - 1e-7);
    // Summed over the reviews, so each review's share of the gradient is its own loss's gradient.
    return tf.neg(tf.sum(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))))) as tf.Scalar;
  };
  return { loss, units: forward.cell.stateSize instanceof Array ? forward.cell.stateSize[0]! : (forward.cell.stateSize as number), label: plan.label, bidirectional: isBi };
}

/**
 * Mean over the reviews of ‖∂loss/∂h_t‖₂ for every step `t`, where `h_t` is the reading layer's state
 * after step `t` (the forward half's for Bidirectional) and the loss is each review's binary
 * cross-entropy.
 *
 * Args:
 *   stock: the model with tfjs-layers' own recurrent layers (their cells are stepped one at a time).
 *   x: `count × maxlen` padded reviews; y: their labels.
 */
export function gradientOverTime(stock: tf.LayersModel, x: Int32Array, y: Uint8Array, count: number): { norms: number[]; layer: string; bidirectional: boolean } {
  const maxlen = x.length / count;
  const xs = tf.tensor2d(x, [count, maxlen], 'int32');
  const ys = tf.tensor1d(Float32Array.from(y));
  const { loss, units, label, bidirectional } = perturbedLoss(stock, xs, ys);
  try {
    const norms = tf.tidy(() => {
      const grad = tf.grad(loss)(tf.zeros([maxlen, count, units]));
      return tf.mean(tf.norm(grad, 'euclidean', -1), 1);
    });
    const values = Array.from(norms.dataSync());
    norms.dispose();
    return { norms: values, layer: label, bidirectional };
  } finally {
    tf.dispose([xs, ys]);
  }
}
