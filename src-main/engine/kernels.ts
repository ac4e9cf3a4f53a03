/**
 * Kernels the stock TensorFlow.js backends lack or run pathologically slowly, registered over them.
 *
 * The Embedding layer's gradient is `UnsortedSegmentSum(dy, ids, vocab)`. The stock `cpu` kernel
 * builds a mask per segment (one pass over every row for each of the 10,000 ids, ~145 s for one
 * IMDb batch) and the `wasm` backend has no kernel at all. A scatter-add is one pass over the rows.
 */
import * as tf from '@tensorflow/tfjs';
import { wasmHeapView } from './fused/buffers';
import { registerFastGather, scatterAddRows } from './fused/gather-kernel';
import { timed } from './phase-profile';

type TypedArray = Float32Array | Int32Array | Uint8Array;

/** The two backend methods the kernel needs; both the cpu and the wasm backend have them under these names. */
interface ReadableBackend {
  readSync(dataId: object): unknown;
}

/**
 * Scatter-add: `out[ids[i]] += x[i]` over the leading dimension, dropping ids outside
 * `[0, numSegments)` as TensorFlow does.
 */
export function unsortedSegmentSumValues(
  x: TypedArray,
  xShape: readonly number[],
  ids: TypedArray,
  numSegments: number,
): Float32Array | Int32Array {
  const rows = ids.length;
  const inner = rows === 0 ? 0 : x.length / rows;
  const out = x instanceof Int32Array ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  if (xShape.length === 0) return out;
  for (let row = 0; row < rows; row++) {
    const id = ids[row]!;
    if (id < 0 || id >= numSegments) continue;
    const from = row * inner;
    const to = id * inner;
    for (let k = 0; k < inner; k++) out[to + k]! += x[from + k]!;
  }
  return out;
}

function makeOutput(backend: unknown, shape: number[], dtype: tf.DataType, values: Float32Array | Int32Array | undefined): tf.TensorInfo {
  const withInfo = backend as {
    makeTensorInfo?: (shape: number[], dtype: tf.DataType, values?: Float32Array | Int32Array) => tf.TensorInfo;
    makeOutput?: (shape: number[], dtype: tf.DataType, offset: undefined, values?: Float32Array | Int32Array) => tf.TensorInfo;
  };
  // The cpu backend names it makeTensorInfo (its makeOutput has another signature); the wasm
  // backend has only makeOutput, which copies the values onto its heap.
  if (withInfo.makeTensorInfo !== undefined) return withInfo.makeTensorInfo(shape, dtype, values);
  if (withInfo.makeOutput !== undefined) return withInfo.makeOutput(shape, dtype, undefined, values);
  throw new Error('This TensorFlow.js backend cannot create tensors from values.');
}

const unsortedSegmentSumKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  const b = backend as unknown as ReadableBackend;
  // Segment ids cover the leading dimensions of x; the rest is the row that gets summed.
  const rows = segmentIds.shape.reduce((a, c) => a * c, 1);
  const innerShape = x.shape.slice(segmentIds.shape.length);
  const outShape = [numSegments, ...innerShape];
  if (x.dtype === 'float32' && segmentIds.dtype === 'int32' && numSegments > 0) {
    const nativeOut = nativeSegmentSum(backend, x, segmentIds, outShape);
    if (nativeOut !== undefined) return nativeOut;
  }
  const xValues = b.readSync(x.dataId) as TypedArray;
  const idValues = b.readSync(segmentIds.dataId) as TypedArray;
  const values = unsortedSegmentSumValues(xValues, [rows, ...innerShape], idValues, numSegments);
  const dtype = x.dtype === 'int32' ? 'int32' : 'float32';
  return makeOutput(backend, outShape, dtype, values);
};

/**
 * The float32 scatter-add in the native kernels, reading and writing the wasm heap in place (no copies of
 * the `[batch × maxlen, dim]` gradient); undefined when the kernels are unavailable.
 */
function nativeSegmentSum(backend: unknown, x: tf.TensorInfo, segmentIds: tf.TensorInfo, outShape: number[]): tf.TensorInfo | undefined {
  const size = outShape.reduce((a, c) => a * c, 1);
  if (tf.getBackend() === 'wasm') {
    // The output is allocated first: an allocation may grow the heap, which would detach earlier views.
    const out = makeOutput(backend, outShape, 'float32', undefined);
    const outView = wasmHeapView(out) as Float32Array | undefined;
    const xView = wasmHeapView(x) as Float32Array | undefined;
    const idView = wasmHeapView(segmentIds) as Int32Array | undefined;
    if (outView !== undefined && xView !== undefined && idView !== undefined && scatterAddRows(xView, idView, outShape[0]!, outView)) return out;
    (backend as { disposeData(dataId: object): void }).disposeData(out.dataId);
    return undefined;
  }
  const b = backend as unknown as ReadableBackend;
  const values = new Float32Array(size);
  if (!scatterAddRows(b.readSync(x.dataId) as Float32Array, b.readSync(segmentIds.dataId) as Int32Array, outShape[0]!, values)) return undefined;
  return makeOutput(backend, outShape, 'float32', values);
}

/** Marks a kernel function as the engine's, so registering twice does not wrap it twice. */
const ours = new WeakSet<tf.KernelFunc>();

/**
 * Wraps `Transpose` so an identity permutation shares its input instead of copying it: the Embedding
 * gradient transposes its `[batch × maxlen, dim]` rows by `[0, 1]` twice per step (~200 ms each at IMDb
 * size on cpu, which copies element by element with index arithmetic; a fresh 8 MB heap copy on wasm).
 */
function identityShortcutTranspose(stock: tf.KernelFunc): tf.KernelFunc {
  const kernel: tf.KernelFunc = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { perm } = args.attrs as unknown as { perm: number[] };
    if (!perm.every((axis, i) => axis === i)) return stock(args);
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  ours.add(kernel);
  return kernel;
}

/**
 * Wraps wasm's `Identity` so it shares its input as the cpu backend's does, instead of copying it into a fresh
 * heap allocation: tfjs clones every input an op saves for its gradient, which for the Embedding's lookup is
 * the whole table (and the batch's ids) on every training step. Sharing is safe as no wasm kernel writes into
 * its inputs (wasm's Reshape shares its input the same way).
 */
function sharingIdentity(stock: tf.KernelFunc): tf.KernelFunc {
  const kernel: tf.KernelFunc = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return stock(args);
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  ours.add(kernel);
  return kernel;
}

function replaceKernel(kernelName: string, backendName: string, make: (stock: tf.KernelFunc) => tf.KernelFunc): void {
  const stock = tf.getKernel(kernelName, backendName);
  if (stock !== undefined && ours.has(stock.kernelFunc)) return;
  if (stock !== undefined) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ kernelName, backendName, kernelFunc: make(stock?.kernelFunc ?? missingKernel(kernelName)) });
}

function missingKernel(kernelName: string): tf.KernelFunc {
  return () => {
    throw new Error(`The ${kernelName} kernel is missing from this TensorFlow.js backend.`);
  };
}

/** Registers the fast kernels for `backendName`, replacing stock ones. Idempotent. */
export function registerFastKernels(backendName: string): void {
  if (backendName !== 'cpu' && backendName !== 'wasm') return;
  if (tf.getKernel(tf.UnsortedSegmentSum, backendName) !== undefined) {
    tf.unregisterKernel(tf.UnsortedSegmentSum, backendName);
  }
  // The Embedding's gradient: the one UnsortedSegmentSum of a training step.
  tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName, kernelFunc: (args) => timed('embeddingBackward', () => unsortedSegmentSumKernel(args)) });
  // Both backends copy the identity: cpu element by element, wasm with a fresh heap allocation (two 8 MB copies a step).
  replaceKernel(tf.Transpose, backendName, identityShortcutTranspose);
  if (backendName === 'wasm') replaceKernel(tf.Identity, backendName, sharingIdentity);
  registerFastGather(backendName);
}
