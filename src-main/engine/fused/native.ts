/**
 * Loads the fused recurrent kernels (`native/`, an N-API addon built by `npm ci` through node-gyp).
 * When the addon is missing or fails to load, the fused path is unavailable and the model builder
 * falls back to tfjs-layers' own recurrent layers; `fusedStatus()` says why.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Cell codes shared with `native/src/kernels.h`. */
export const CellCode = { simple: 0, lstm: 1, gru: 2, gruResetAfter: 3 } as const;
export type CellCode = (typeof CellCode)[keyof typeof CellCode];

type F32 = Float32Array;

/** The addon's functions; every array is row-major float32, outputs are overwritten. */
export interface NativeKernels {
  forward(
    cell: CellCode, batch: number, timesteps: number, inputDim: number, units: number,
    x: F32, kernel: F32, recurrentKernel: F32, bias: F32, mask: F32 | null, recurrentDropoutMask: F32 | null,
    hs: F32, cs: F32 | null, act: F32, inner: F32 | null,
  ): void;
  /** The forward pass for inference: writes only the state after the last step, `hLast` (`[batch, units]`). */
  forwardLast(
    cell: CellCode, batch: number, timesteps: number, inputDim: number, units: number,
    x: F32, kernel: F32, recurrentKernel: F32, bias: F32, mask: F32 | null, recurrentDropoutMask: F32 | null, hLast: F32,
  ): void;
  backward(
    cell: CellCode, batch: number, timesteps: number, inputDim: number, units: number,
    x: F32, kernel: F32, recurrentKernel: F32, bias: F32, mask: F32 | null, recurrentDropoutMask: F32 | null,
    hs: F32, cs: F32 | null, act: F32, inner: F32 | null,
    dhs: F32, dx: F32, dKernel: F32, dRecurrentKernel: F32, dBias: F32,
  ): void;
  /** Copies `table` rows `ids[i]` into `out`; returns the position of the first id outside `[0, rows)`, else -1. */
  gather(table: F32, rows: number, ids: Int32Array, out: F32): number;
  /** Zeroes `out` (`[rows, inner]`), then adds row `i` of `x` into row `ids[i]`, dropping ids outside `[0, rows)`. */
  scatterAdd(x: F32, ids: Int32Array, rows: number, out: F32): void;
  /**
   * tfjs' RMSprop update of one variable (not centered): reads `value`, `meanSquare`, `moment`, `gradient`, writes
   * the new three (the outputs may be the inputs), with tfjs' float32 operations in tfjs' order.
   */
  rmsprop(
    value: F32, meanSquare: F32, moment: F32, gradient: F32, newValue: F32, newMeanSquare: F32, newMoment: F32,
    learningRate: number, decay: number, momentum: number, epsilon: number,
  ): void;
  /** tfjs' Adam update of one variable; `oneMinusAccBeta1/2` are `1 - beta^t` in float32, as tfjs computes them. */
  adam(
    value: F32, firstMoment: F32, secondMoment: F32, gradient: F32, newValue: F32, newFirstMoment: F32, newSecondMoment: F32,
    learningRate: number, beta1: number, beta2: number, epsilon: number, oneMinusAccBeta1: number, oneMinusAccBeta2: number,
  ): void;
  info(): { threads: number; simd: string };
  /**
   * Runs `iterations` of a tight multiply-add loop on each of the kernels' threads, in their instruction set;
   * `seconds` is the wall time of all of them (`checksum` only keeps the compiler from dropping the loop).
   */
  peak(iterations: number): { macs: number; seconds: number; checksum: number };
}

/** Which recurrent path runs, for the UI and the CLI. */
export interface FusedStatus {
  /** True when the native kernels loaded and fused layers are built. */
  available: boolean;
  /** Why the fused path is unavailable (absent when available). */
  reason?: string;
  /** Threads the kernels split a batch across (0 when unavailable). */
  threads: number;
  /** Instruction set the kernels dispatched to: `avx2+fma`, `baseline`, or `none`. */
  simd: string;
}

const addonName = 'rnn_kernels.node';

function candidates(): string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const fromEnv = process.env['RNN_WORKBENCH_NATIVE'];
  // The source tree (tsx, tests), then the electron-vite bundle in out/main/ (N-API is ABI-stable,
  // so the binary node-gyp built for Node loads in Electron too), then beside the bundle.
  const list = [
    path.resolve(here, '../../../native/build/Release', addonName),
    path.resolve(here, '../../native/build/Release', addonName),
    path.resolve(here, addonName),
  ];
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources !== undefined) list.push(path.join(resources, 'native', addonName));
  return fromEnv !== undefined && fromEnv !== '' ? [fromEnv] : list;
}

let loaded: { kernels?: NativeKernels; status: FusedStatus } | undefined;

function load(): { kernels?: NativeKernels; status: FusedStatus } {
  if (process.env['RNN_WORKBENCH_FUSED'] === '0') {
    return { status: { available: false, reason: 'disabled by RNN_WORKBENCH_FUSED=0', threads: 0, simd: 'none' } };
  }
  const require = createRequire(import.meta.url);
  const tried = candidates();
  const found = tried.find((file) => existsSync(file));
  if (found === undefined) {
    return {
      status: {
        available: false,
        reason: `native kernels not built (run \`npm run build:native\`); looked for ${tried.join(', ')}`,
        threads: 0,
        simd: 'none',
      },
    };
  }
  try {
    const kernels = require(found) as NativeKernels;
    const info = kernels.info();
    return { kernels, status: { available: true, threads: info.threads, simd: info.simd } };
  } catch (error) {
    return { status: { available: false, reason: `native kernels failed to load from ${found}: ${(error as Error).message}`, threads: 0, simd: 'none' } };
  }
}

/** The loaded kernels, or undefined when the fused path is unavailable. */
export function nativeKernels(): NativeKernels | undefined {
  loaded ??= load();
  return loaded.kernels;
}

/** Reports whether the fused recurrent path runs here, and if not, why. */
export function fusedStatus(): FusedStatus {
  loaded ??= load();
  return { ...loaded.status };
}
