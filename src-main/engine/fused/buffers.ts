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
