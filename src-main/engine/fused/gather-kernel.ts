/**
 * A row-copy GatherV2 for the Embedding lookup (`axis` 0, no batch dims) on the `cpu` and `wasm`
 * backends. The stock kernels compute every output element's source through generic index
 * arithmetic (cpu) or assert each id through a fresh closure (wasm): 150–350 ms for one IMDb batch
 * of 128 × 500 ids, more than the fused LSTM itself. Other gathers go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { wasmHeapView } from './buffers';
import { timed } from '../phase-profile';
import { nativeKernels } from './native';

type Values = Float32Array | Int32Array;

interface BackendLike {
  readSync(dataId: object): unknown;
  makeTensorInfo?: (shape: number[], dtype: tf.DataType, values: Values) => tf.TensorInfo;
  makeOutput?: (shape: number[], dtype: tf.DataType, offset: undefined, values?: Values) => tf.TensorInfo;
  disposeData(dataId: object): void;
}

function outOfRange(id: number, rows: number): Error {
  return new Error(`GatherV2: the index value ${id} is not in [0, ${rows - 1}]`);
}

/**
 * `out[i] = x[ids[i]]` row by row (in the native kernels, on every core, when they are available);
 * throws on an id outside `[0, rows)` as the stock kernels do.
 */
export function gatherRows(x: Values, rows: number, ids: ArrayLike<number>, out?: Values): Values {
  const inner = rows === 0 ? 0 : x.length / rows;
  const result = out ?? (x instanceof Int32Array ? new Int32Array(ids.length * inner) : new Float32Array(ids.length * inner));
  const kernels = nativeKernels();
  if (kernels !== undefined && x instanceof Float32Array && result instanceof Float32Array && ids instanceof Int32Array && rows > 0) {
    const bad = kernels.gather(x, rows, ids, result);
    if (bad >= 0) throw outOfRange(ids[bad]!, rows);
    return result;
  }
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!(id >= 0 && id < rows)) throw outOfRange(id, rows);
    result.set(x.subarray(id * inner, (id + 1) * inner), i * inner);
  }
  return result;
}

/**
 * The Embedding's gradient in the native kernels: `out` (`[rows, inner]`, zeroed first) gets row `i` of `x`
 * added into row `ids[i]`; ids outside `[0, rows)` are dropped, as TensorFlow's UnsortedSegmentSum does.
 * Each row's sum runs in the order of the ids, as one sequential pass would. Returns false when the
 * kernels are unavailable (the caller sums in JavaScript).
 */
export function scatterAddRows(x: Float32Array, ids: Int32Array, rows: number, out: Float32Array): boolean {
  const kernels = nativeKernels();
  if (kernels === undefined || rows <= 0) return false;
  kernels.scatterAdd(x, ids, rows, out);
  return true;
}

const stock = new Map<string, tf.KernelFunc>();

function makeKernel(backendName: string): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = attrs as unknown as { axis: number; batchDims?: number };
    const rank = x.shape.length;
    const parsedAxis = axis < 0 ? axis + rank : axis;
    if (parsedAxis !== 0 || (batchDims ?? 0) !== 0 || (x.dtype !== 'float32' && x.dtype !== 'int32')) return stock.get(backendName)!(args);
    const b = backend as unknown as BackendLike;
    const shape = [...indices.shape, ...x.shape.slice(1)];
    // The cpu backend names it makeTensorInfo and keeps the array.
    if (b.makeTensorInfo !== undefined) {
      return b.makeTensorInfo(shape, x.dtype, gatherRows(b.readSync(x.dataId) as Values, x.shape[0]!, b.readSync(indices.dataId) as ArrayLike<number>));
    }
    // On wasm the rows are copied straight into the output's heap memory, allocated before the heap views
    // are taken (an allocation may grow the heap and detach them).
    const info = b.makeOutput!(shape, x.dtype, undefined);
    try {
      gatherRows(wasmHeapView(x) ?? (b.readSync(x.dataId) as Values), x.shape[0]!, wasmHeapView(indices) ?? (b.readSync(indices.dataId) as ArrayLike<number>), wasmHeapView(info));
    } catch (error) {
      b.disposeData(info.dataId);
      throw error;
    }
    return info;
  };
}

/** Registers the row-copy GatherV2 over the stock one on `cpu` and `wasm`. Idempotent. */
export function registerFastGather(backendName: string): void {
  if (backendName !== 'cpu' && backendName !== 'wasm') return;
  if (!stock.has(backendName)) {
    const original = tf.getKernel(tf.GatherV2, backendName);
    if (original === undefined) return;
    stock.set(backendName, original.kernelFunc as tf.KernelFunc);
  }
  tf.unregisterKernel(tf.GatherV2, backendName);
  const kernel = makeKernel(backendName);
  // The Embedding's lookup: the one GatherV2 of a training step's forward pass.
  tf.registerKernel({ kernelName: tf.GatherV2, backendName, kernelFunc: (args) => timed('embeddingForward', () => kernel(args)) });
}
