/**
 * Reuse of the large float buffers the fused path fills every training step (8–32 MB each at IMDb
 * size): fresh ones every step keep V8's garbage collector busy with major collections.
 */
import * as tf from '@tensorflow/tfjs';

const pool = new Map<number, Float32Array[]>();
const poolLimitBytes = 256 * 1024 * 1024;
let pooledBytes = 0;

/** A buffer of `length` floats with unspecified contents: the caller overwrites every element. */
export function take(length: number): Float32Array {
  const reused = pool.get(length)?.pop();
  if (reused === undefined) return new Float32Array(length);
  pooledBytes -= reused.byteLength;
  return reused;
}

/** Returns buffers nothing reads any more (null entries are skipped). */
export function give(...buffers: (Float32Array | null)[]): void {
  for (const buffer of buffers) {
    if (buffer === null || pooledBytes + buffer.byteLength > poolLimitBytes) continue;
    const free = pool.get(buffer.length) ?? [];
    free.push(buffer);
    pool.set(buffer.length, free);
    pooledBytes += buffer.byteLength;
  }
}

/**
 * Whether the active backend copies the values a tensor is created from (wasm copies them onto its
 * heap; cpu keeps the array itself as the tensor's storage, so that array must never be reused).
 */
export function backendCopiesValues(): boolean {
  return tf.getBackend() === 'wasm';
}

interface WasmBackendInternals {
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  wasm: { HEAPF32: Float32Array; HEAP32: Int32Array };
}

/**
 * A view of a float32 or int32 tensor's values on the wasm heap, without the copy `dataSync()`
 * makes; undefined on other backends. Valid only until tfjs next runs (a heap allocation may move
 * or reuse the memory), so it must not outlive the synchronous call it is made for.
 */
export function wasmHeapView(info: { dataId: object; dtype: tf.DataType; shape: number[] }): Float32Array | Int32Array | undefined {
  if (tf.getBackend() !== 'wasm' || (info.dtype !== 'float32' && info.dtype !== 'int32')) return undefined;
  const backend = tf.backend() as unknown as Partial<WasmBackendInternals>;
  const entry = backend.dataIdMap?.get(info.dataId);
  const heap = info.dtype === 'float32' ? backend.wasm?.HEAPF32 : backend.wasm?.HEAP32;
  if (entry === undefined || heap === undefined) return undefined;
  const size = info.shape.reduce((a, c) => a * c, 1);
  return info.dtype === 'float32' ? new Float32Array(heap.buffer, entry.memoryOffset, size) : new Int32Array(heap.buffer, entry.memoryOffset, size);
}

/**
 * A new float32 tensor on the wasm heap with unspecified values, for a native call to fill through
 * `wasmHeapView` (no copy of the values onto the heap afterwards); undefined on other backends. Allocate it
 * before taking any other heap view: an allocation may grow the heap, which detaches earlier views.
 */
export function emptyWasmTensor(shape: number[]): tf.Tensor | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as unknown as { makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo };
  return tf.engine().makeTensorFromTensorInfo(backend.makeOutput(shape, 'float32'));
}
