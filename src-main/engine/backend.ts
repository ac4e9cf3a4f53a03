/**
 * Picks the fastest TensorFlow.js backend that loads here: `tensorflow` (tfjs-node, native) when the
 * optional `@tensorflow/tfjs-node` package loads, else `wasm`, else `cpu`.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { backendNames, parseBackendName, type BackendName } from './backend-names';
import { registerFastKernels } from './kernels';

let ready: Promise<BackendName> | undefined;

async function tryTfjsNode(): Promise<boolean> {
  // A variable specifier keeps bundlers and the type checker from requiring the optional package.
  const specifier = '@tensorflow/tfjs-node';
  try {
    await import(specifier);
    return tf.findBackend('tensorflow') !== null || tf.engine().registryFactory['tensorflow'] !== undefined;
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    // Packaged, the package sits in app.asar, but its .wasm files are unpacked (electron-builder.yml's asarUnpack):
    // Emscripten reads them with plain fs calls, which must see a real file.
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')).replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
    // Node's fetch cannot read file: URLs, so Emscripten must be given plain paths; a trailing
    // separator makes setWasmPaths treat it as a folder prefix.
    wasm.setWasmPaths(dist + path.sep);
    return true;
  } catch {
    return false;
  }
}

/**
 * Initialises the backend once per thread and registers the engine's fast kernels on it.
 *
 * Args:
 *   preferred: a backend to use instead of the automatic choice (the `RNN_WORKBENCH_BACKEND`
 *     environment variable sets it too). Falls back down the list when it does not load.
 */
export function initBackend(preferred?: BackendName): Promise<BackendName> {
  ready ??= (async () => {
    const wanted = preferred ?? parseBackendName(process.env['RNN_WORKBENCH_BACKEND']);
    const order = wanted === undefined ? backendNames : [wanted, ...backendNames.filter((name) => name !== wanted)];
    for (const name of order) {
      const loaded = name === 'tensorflow' ? await tryTfjsNode() : name === 'wasm' ? await tryWasm() : true;
      if (!loaded) continue;
      try {
        if (await tf.setBackend(name)) {
          await tf.ready();
          registerFastKernels(name);
          return name;
        }
      } catch {
        // The backend registered but failed to initialise (e.g. its binary is missing); try the next.
      }
    }
    throw new Error('No TensorFlow.js backend could be initialised.');
  })();
  return ready;
}
