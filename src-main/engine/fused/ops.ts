/**
 * The fused recurrent op: one native call runs a whole sequence forward, one runs it backward
 * (BPTT), wrapped with `tf.customGrad` so tfjs' autodiff and optimizers see an ordinary op.
 */
import * as tf from '@tensorflow/tfjs';
import { backendCopiesValues, emptyWasmTensor, give, take, wasmHeapView } from './buffers';
import { timed } from '../phase-profile';
import { CellCode, nativeKernels, type NativeKernels } from './native';

/** The cell a fused op runs; `gru` resets before the recurrent product, `gruResetAfter` after (Keras' default). */
export type FusedCell = 'simple' | 'lstm' | 'gru' | 'gruResetAfter';

/** Gates per cell: the width of the kernels is `gates * units`. */
export const gatesOf: Record<FusedCell, number> = { simple: 1, lstm: 4, gru: 3, gruResetAfter: 3 };

/** Per-call inputs that are not differentiated. */
export interface FusedOptions {
  /** `[batch, time]` 1/0 values: a 0 step copies the previous state through (Keras masking). */
  mask?: Float32Array;
  /** `[batch, units]` multipliers applied to the previous state before the recurrent product. */
  recurrentDropoutMask?: Float32Array;
  /** Return the state after every step (true) or after the last one only. Default true. */
  returnSequences?: boolean;
}

/**
 * A tensor's values as a Float32Array. On the cpu backend this is the tensor's own storage, not a
 * copy (the kernels only read inputs). A bool tensor cast to float32 keeps its Uint8Array storage
 * there, hence the conversion.
 */
export function float32(t: tf.Tensor): Float32Array {
  const values = t.dataSync();
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}

// Buffers only the kernels see (gate activations, cell states) are pooled; outputs
// only when the backend copies them into tensors of its own.
function requireKernels(): NativeKernels {
  const kernels = nativeKernels();
  if (kernels === undefined) throw new Error('The fused recurrent kernels are not available on this machine.');
  return kernels;
}

/**
 * Runs a recurrent cell over every step of `x` and returns the state after each step.
 *
 * Args:
 *   cell: which recurrence (gate order as Keras: LSTM i,f,c,o; GRU z,r,h).
 *   x: `[batch, time, inputDim]`.
 *   kernel: `[inputDim, gates*units]`.
 *   recurrentKernel: `[units, gates*units]`.
 *   bias: `[gates*units]`, or `[2, gates*units]` (input bias, recurrent bias) for `gruResetAfter`.
 *   options: mask and recurrent-dropout mask.
 *
 * Returns `[batch, time, units]`, or `[batch, units]` (the last step) without `returnSequences`.
 */
export function fusedRecurrent(
  cell: FusedCell,
  x: tf.Tensor,
  kernel: tf.Tensor,
  recurrentKernel: tf.Tensor,
  bias: tf.Tensor,
  options: FusedOptions = {},
): tf.Tensor {
  const kernels = requireKernels();
  const [batch, time, inputDim] = x.shape as [number, number, number];
  const units = recurrentKernel.shape[0]!;
  const code = CellCode[cell];
  const gh = gatesOf[cell] * units;
  const mask = options.mask ?? null;
  const rdrop = options.recurrentDropoutMask ?? null;
  const sequences = options.returnSequences ?? true;
  // Without a tape (prediction, validation) no gradient will be asked for: the forward's buffers go back to
  // the pool at once instead of staying in a closure nothing calls.
  if (!tf.engine().isTapeOn()) {
    const w = float32(kernel);
    const u = float32(recurrentKernel);
    const b = float32(bias);
    // A heap view on wasm: no tfjs call runs between taking it and the native call that reads it.
    const xView = wasmHeapView(x);
    const xs = xView instanceof Float32Array ? xView : float32(x);
    if (!sequences) {
      // Only the last state is wanted: the kernels keep the steps' values in small rings, not in full arrays.
      const last = new Float32Array(batch * units);
      timed('recurrentForward', () => kernels.forwardLast(code, batch, time, inputDim, units, xs, w, u, b, mask, rdrop, last));
      return tf.tensor2d(last, [batch, units]);
    }
    const hsPrivate = backendCopiesValues();
    const hs = hsPrivate ? take(batch * time * units) : new Float32Array(batch * time * units);
    const cs = cell === 'lstm' ? take(batch * time * units) : null;
    const act = take(batch * time * gh);
    const inner = cell === 'gruResetAfter' ? take(batch * time * units) : null;
    timed('recurrentForward', () => kernels.forward(code, batch, time, inputDim, units, xs, w, u, b, mask, rdrop, hs, cs, act, inner));
    give(cs, act, inner);
    const out = tf.tensor3d(hs, [batch, time, units]);
    give(hsPrivate ? hs : null);
    return out;
  }
  const op = tf.customGrad<tf.Tensor>((xT, wT, uT, bT, save) => {
    // The input must outlive the forward pass: on wasm the op saves its tensor (tfjs keeps it to the backward
    // pass; a saved clone shares the values) and reads it through heap views, on cpu it keeps the tensor's own storage.
    const copies = backendCopiesValues();
    if (copies) (save as (tensors: tf.Tensor[]) => void)([xT as tf.Tensor]);
    const w = float32(wT as tf.Tensor);
    const u = float32(uT as tf.Tensor);
    const b = float32(bT as tf.Tensor);
    // The states stay private unless a cpu tensor is made of them (the sequence output on cpu).
    const hsPrivate = !sequences || copies;
    const hs = hsPrivate ? take(batch * time * units) : new Float32Array(batch * time * units);
    const cs = cell === 'lstm' ? take(batch * time * units) : null;
    const act = take(batch * time * gh);
    const inner = cell === 'gruResetAfter' ? take(batch * time * units) : null;
    const cpuXs = copies ? undefined : float32(xT as tf.Tensor);
    // No tfjs call runs between taking a heap view and the native call that reads it.
    const xsNow = (): Float32Array => cpuXs ?? (wasmHeapView(xT as tf.Tensor) as Float32Array);
    timed('recurrentForward', () => kernels.forward(code, batch, time, inputDim, units, xsNow(), w, u, b, mask, rdrop, hs, cs, act, inner));
    // The forward results stay in this closure (not as tensors) until the backward pass needs them.
    const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] => {
      const dyT = Array.isArray(dy) ? dy[0]! : dy;
      // On wasm the kernel writes dx straight into a new tensor's heap memory, allocated before any view is taken.
      const dxTensor = emptyWasmTensor([batch, time, inputDim]);
      const dW = new Float32Array(w.length);
      const dU = new Float32Array(u.length);
      const db = new Float32Array(b.length);
      const xs = cpuXs ?? (wasmHeapView(saved[0]!) as Float32Array);
      const dx = dxTensor === undefined ? new Float32Array(xs.length) : (wasmHeapView(dxTensor) as Float32Array);
      const dyView = wasmHeapView(dyT);
      const dhs = dyView instanceof Float32Array ? dyView : float32(dyT);
      timed('recurrentBackward', () =>
        kernels.backward(code, batch, time, inputDim, units, xs, w, u, b, mask, rdrop, hs, cs, act, inner, dhs, dx, dW, dU, db),
      );
      // tfjs runs a tape node's gradient once, so the forward's private buffers are free now.
      give(hsPrivate ? hs : null, cs, act, inner);
      return [
        dxTensor ?? tf.tensor(dx, [batch, time, inputDim]),
        tf.tensor(dW, kernel.shape),
        tf.tensor(dU, recurrentKernel.shape),
        tf.tensor(db, bias.shape),
      ];
    };
    return { value: sequences ? tf.tensor3d(hs, [batch, time, units]) : lastSteps(hs, batch, time, units), gradFunc };
  });
  return op(x, kernel, recurrentKernel, bias);
}

/** The state after the last step of every sequence, `[batch, units]`, from the states of all steps. */
function lastSteps(hs: Float32Array, batch: number, time: number, units: number): tf.Tensor {
  const last = new Float32Array(batch * units);
  for (let b = 0; b < batch; b++) last.set(hs.subarray((b * time + time - 1) * units, (b * time + time) * units), b * units);
  return tf.tensor2d(last, [batch, units]);
}
