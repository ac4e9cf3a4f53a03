/**
 * A Keras 2 HDF5 model file (`model.save('model.h5')`'s layout), written with h5wasm in memory:
 *
 *   /                      attrs: keras_version, backend, model_config (JSON)
 *   /model_weights         attrs: layer_names, backend, keras_version
 *   /model_weights/<layer> attrs: weight_names (e.g. `lstm/lstm_cell/kernel:0`), one dataset per name
 *
 * Keras' HDF5 loader (`keras.models.load_model`, `model.load_weights`) matches layers by
 * `layer_names` order and weights by `weight_names` order; the tests read the file back as it does.
 */
import type { Dataset, Group } from 'h5wasm';
import { appVersion } from '../platform/app-version';
import { KERAS_VERSION, type KerasModel } from './keras-model';

/** Keras 2's backend tag; `tensorflow` also tells Keras not to convert kernels from another backend. */
export const KERAS_BACKEND = 'tensorflow';

let serial = 0;

/** Lines of HDF5's error stack, which the library prints for every failed call; the app's own message says what failed. */
const HDF5_DIAGNOSTIC = /^(HDF5-DIAG|\s+#\d{3}:|\s+(major|minor):)/;

/** h5wasm (4 MB with its wasm inlined) loads on the first export or read, not at app start. */
async function loadH5wasm(): Promise<{ File: typeof import('h5wasm').File; FS: NonNullable<typeof import('h5wasm').FS> }> {
  // h5wasm binds its stderr to console.error once, as it loads: bound to this filter, HDF5's diagnostics
  // (dozens of lines per failed open) stay off the app's and the server's stderr; anything else passes.
  const original = console.error;
  console.error = (...args: unknown[]) => {
    if (!(typeof args[0] === 'string' && HDF5_DIAGNOSTIC.test(args[0]))) original.apply(console, args);
  };
  try {
    const { default: h5wasm } = await import('h5wasm');
    const { FS } = await h5wasm.ready;
    return { File: h5wasm.File, FS: FS! };
  } finally {
    console.error = original;
  }
}

/** The HDF5 signature, at offset 0 or a power of two from 512 (a file may begin with a user block). */
const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Whether bytes are an HDF5 file, judged by its signature, before h5wasm is given them. */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let offset = 0; offset + HDF5_SIGNATURE.length <= bytes.length; offset = offset === 0 ? 512 : offset * 2) {
    if (HDF5_SIGNATURE.every((byte, i) => bytes[offset + i] === byte)) return true;
  }
  return false;
}

/** h5wasm needs a name in its in-memory file system; each call gets its own. */
function memoryPath(): string {
  serial += 1;
  return `/rnn-workbench-export-${process.pid}-${serial}.h5`;
}

/**
 * Fixed-length ASCII strings, as Keras stores names (numpy `S` arrays); one byte of room for the
 * terminator HDF5's C strings carry.
 */
function asciiDtype(values: readonly string[]): string {
  return `A${Math.max(1, ...values.map((v) => v.length)) + 1}`;
}

/** Keras escapes non-ASCII characters in its JSON (`json.dumps` default), so the attribute stays ASCII. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function setStrings(target: Group, name: string, values: readonly string[]): void {
  // Keras writes an empty list as an empty float array (`np.asarray([])`).
  if (values.length === 0) target.create_attribute(name, new Float64Array(0), [0]);
  else target.create_attribute(name, [...values], [values.length], asciiDtype(values));
}

function setString(target: Group, name: string, value: string): void {
  target.create_attribute(name, value, null, asciiDtype([value]));
}

/** Writes `model` as the bytes of a Keras 2 `.h5` file. */
export async function kerasH5Bytes(model: KerasModel): Promise<Uint8Array> {
  const { File, FS } = await loadH5wasm();
  const file = memoryPath();
  const h5 = new File(file, 'w');
  try {
    setString(h5, 'keras_version', KERAS_VERSION);
    setString(h5, 'backend', KERAS_BACKEND);
    setString(h5, 'model_config', asciiJson(model.modelConfig));
    setString(h5, 'rnn_workbench_version', appVersion);
    const weights = h5.create_group('model_weights');
    setStrings(
      weights,
      'layer_names',
      model.layers.map((layer) => layer.name),
    );
    setString(weights, 'backend', KERAS_BACKEND);
    setString(weights, 'keras_version', KERAS_VERSION);
    for (const layer of model.layers) {
      const group = weights.create_group(layer.name);
      setStrings(
        group,
        'weight_names',
        layer.weights.map((w) => w.name),
      );
      for (const weight of layer.weights) {
        // `a/b/kernel:0` is a dataset `kernel:0` in group `a/b`, as h5py creates it.
        const parts = weight.name.split('/');
        let parent: Group = group;
        for (const part of parts.slice(0, -1)) parent = (parent.get(part) as Group | null) ?? parent.create_group(part);
        parent.create_dataset({ name: parts[parts.length - 1]!, data: weight.values, shape: weight.shape, dtype: '<f4' });
      }
    }
  } finally {
    h5.close();
  }
  try {
    return FS.readFile(file);
  } finally {
    FS.unlink(file);
  }
}

/** What a Keras 2 `.h5` file holds, read back with h5wasm (for tests and for checking an export). */
export interface H5Contents {
  attrs: Record<string, unknown>;
  layerNames: string[];
  layers: { name: string; weightNames: string[]; weights: { name: string; shape: number[]; values: Float32Array }[] }[];
}

/** Reads the parts of a Keras 2 `.h5` file that Keras' loader reads. */
export async function readKerasH5(bytes: Uint8Array): Promise<H5Contents> {
  // h5wasm's own answer to a non-HDF5 file is "error - name not defined!".
  if (!isHdf5(bytes)) throw new Error(`not an HDF5 file (it does not start with the HDF5 signature; ${bytes.length} bytes)`);
  const { File, FS } = await loadH5wasm();
  const file = memoryPath();
  FS.writeFile(file, bytes);
  const h5 = new File(file, 'r');
  try {
    const attrs = Object.fromEntries(Object.entries(h5.attrs).map(([name, attr]) => [name, attr.value]));
    const group = h5.get('model_weights') as Group;
    const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
    const layerNames = strings(group.attrs['layer_names']?.value);
    const layers = layerNames.map((name) => {
      const layerGroup = group.get(name) as Group;
      const weightNames = strings(layerGroup.attrs['weight_names']?.value);
      return {
        name,
        weightNames,
        weights: weightNames.map((weightName) => {
          const dataset = layerGroup.get(weightName) as Dataset;
          return { name: weightName, shape: dataset.shape ?? [], values: dataset.value as Float32Array };
        }),
      };
    });
    return { attrs, layerNames, layers };
  } finally {
    h5.close();
    FS.unlink(file);
  }
}
