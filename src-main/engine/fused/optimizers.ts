/**
 * RMSprop and Adam with each variable's update as one native pass instead of tfjs' chain of ~10 ops
 * (each a full pass over the variable through tfjs-wasm: 4–6 ms per IMDb step, mostly the Embedding's
 * 320,000 weights). The update equations, their float32 rounding and epsilon's place are tfjs' own, so the
 * results equal `tf.train.rmsprop` / `tf.train.adam` bit for bit; the accumulators are the parent class's
 * variables, so `getWeights`/`setWeights` (checkpoints) and `dispose` work unchanged. Where the native
 * kernels are not loaded, or on another backend, the parent's op-by-op update runs.
 */
import * as tf from '@tensorflow/tfjs';
import { emptyWasmTensor, wasmHeapView } from './buffers';
import { nativeKernels, type NativeKernels } from './native';

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

/** The parent classes' private state, which the native update reads and replaces as theirs does. */
interface RmsPropState {
  centered: boolean;
  accumulatedMeanSquares: Slot[];
  accumulatedMoments: Slot[];
}

interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
}

type RmsPropGradients = Parameters<tf.RMSPropOptimizer['applyGradients']>[0];
type AdamGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

type Update = (value: Float32Array, acc1: Float32Array, acc2: Float32Array, gradient: Float32Array, newValue: Float32Array, newAcc1: Float32Array, newAcc2: Float32Array) => void;

/** The kernels when this backend's tensors can be read and written in place (wasm heap, cpu arrays). */
function usableKernels(): NativeKernels | undefined {
  const backend = tf.getBackend();
  return backend === 'wasm' || backend === 'cpu' ? nativeKernels() : undefined;
}

function entries(variableGradients: RmsPropGradients | AdamGradients): { name: string; gradient: tf.Tensor | undefined }[] {
  return Array.isArray(variableGradients)
    ? variableGradients.map((item) => ({ name: item.name, gradient: item.tensor }))
    : Object.keys(variableGradients).map((name) => ({ name, gradient: variableGradients[name] }));
}

/** An optimizer slot as the parent creates it: zeros shaped like the variable, not trainable. */
function slot(slots: Slot[], i: number, name: string, suffix: string, value: tf.Variable): tf.Variable {
  slots[i] ??= { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
  return slots[i].variable;
}

/**
 * Runs `update` over a variable, its two slots and its gradient, then assigns the three results (new tensors,
 * as tfjs' `assign` does: a tensor sharing the old values, such as a clone kept to undo a step, keeps them).
 */
function applyNative(value: tf.Variable, acc1: tf.Variable, acc2: tf.Variable, gradient: tf.Tensor, update: Update): void {
  const shape = value.shape;
  const wasmOut = [emptyWasmTensor(shape), emptyWasmTensor(shape), emptyWasmTensor(shape)];
  const read = (t: tf.Tensor): Float32Array => {
    const view = wasmHeapView(t);
    return view instanceof Float32Array ? view : (t.dataSync() as Float32Array);
  };
  // Heap views only after every allocation (an allocation may grow the wasm heap and detach earlier views).
  const out = wasmOut.map((t) => (t === undefined ? new Float32Array(value.size) : (wasmHeapView(t) as Float32Array)));
  update(read(value), read(acc1), read(acc2), read(gradient), out[0]!, out[1]!, out[2]!);
  const tensors = wasmOut.map((t, k) => t ?? tf.tensor(out[k]!, shape));
  value.assign(tensors[0]!);
  acc1.assign(tensors[1]!);
  acc2.assign(tensors[2]!);
  tf.dispose(tensors);
}

function nativeApplies(gradient: tf.Tensor | undefined, value: tf.Variable): gradient is tf.Tensor {
  return gradient !== undefined && gradient.dtype === 'float32' && value.dtype === 'float32' && gradient.size === value.size;
}

/** Each variable with its gradient and the kernels to update them, or undefined when the parent's op-by-op update must run. */
function nativeUpdates(variableGradients: RmsPropGradients | AdamGradients): { kernels: NativeKernels; updates: { name: string; value: tf.Variable; gradient: tf.Tensor | undefined }[] } | undefined {
  const kernels = usableKernels();
  if (kernels === undefined) return undefined;
  const registered = tf.engine().registeredVariables;
  const updates = entries(variableGradients).map(({ name, gradient }) => ({ name, value: registered[name]!, gradient }));
  return updates.every(({ gradient, value }) => gradient === undefined || nativeApplies(gradient, value)) ? { kernels, updates } : undefined;
}

/** `tf.train.rmsprop` (not centered) with the native update; same results, same saved state. */
export class NativeRMSProp extends tf.RMSPropOptimizer {
  constructor(learningRate: number, decay = 0.9, momentum = 0, epsilon?: number) {
    super(learningRate, decay, momentum, epsilon);
  }

  override applyGradients(variableGradients: RmsPropGradients): void {
    const state = this as unknown as RmsPropState;
    const plan = state.centered ? undefined : nativeUpdates(variableGradients);
    if (plan === undefined) {
      super.applyGradients(variableGradients);
      return;
    }
    const { kernels, updates } = plan;
    updates.forEach(({ name, value, gradient }, i) => {
      const ms = slot(state.accumulatedMeanSquares, i, name, 'rms', value);
      const mom = slot(state.accumulatedMoments, i, name, 'momentum', value);
      if (gradient === undefined) return;
      applyNative(value, ms, mom, gradient, (v, a1, a2, g, nv, n1, n2) => kernels.rmsprop(v, a1, a2, g, nv, n1, n2, this.learningRate, this.decay, this.momentum, this.epsilon));
    });
    this.incrementIterations();
  }
}

/** `tf.train.adam` with the native update; same results, same saved state. */
export class NativeAdam extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1: number, beta2: number, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon);
  }

  override applyGradients(variableGradients: AdamGradients): void {
    const state = this as unknown as AdamState;
    const plan = nativeUpdates(variableGradients);
    if (plan === undefined) {
      super.applyGradients(variableGradients);
      return;
    }
    const { kernels, updates } = plan;
    // tfjs' `sub(1, accBeta)` in float32: the difference of 1 and a float32 is exact in a double, then rounded once.
    const oneMinusAccBeta1 = Math.fround(1 - state.accBeta1.dataSync()[0]!);
    const oneMinusAccBeta2 = Math.fround(1 - state.accBeta2.dataSync()[0]!);
    updates.forEach(({ name, value, gradient }, i) => {
      const m = slot(state.accumulatedFirstMoment, i, name, 'm', value);
      const v = slot(state.accumulatedSecondMoment, i, name, 'v', value);
      if (gradient === undefined) return;
      applyNative(value, m, v, gradient, (x, a1, a2, g, nx, n1, n2) =>
        kernels.adam(x, a1, a2, g, nx, n1, n2, this.learningRate, this.beta1, this.beta2, this.epsilon, oneMinusAccBeta1, oneMinusAccBeta2),
      );
    });
    tf.tidy(() => {
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
