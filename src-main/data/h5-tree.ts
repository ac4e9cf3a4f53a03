/**
 * An HDF5 file as plain data: every group's attributes and every numeric dataset's shape and values,
 * read with h5wasm. This is the part of opening a Keras model that parses untrusted bytes, so it runs
 * in the parser process (see `keras-container.ts`); what it returns crosses as a structured clone.
 */
import type { Dataset, Group } from 'h5wasm';
import { WorkbenchError } from '../../src-shared/errors';

/** Attribute values as h5wasm decodes them: strings, numbers, arrays of either, or typed arrays. */
export type H5Attrs = Record<string, unknown>;

/** One numeric dataset. */
export interface H5Dataset {
  shape: number[];
  /** Float32 whatever the stored float type; Keras stores float32 weights. */
  values: Float32Array;
}

/** Groups and datasets by their path without the leading slash (`model_weights/lstm`). The root is ``. */
export interface H5Tree {
  groups: Record<string, H5Attrs>;
  datasets: Record<string, H5Dataset>;
}

/** The first bytes of every HDF5 file (at offset 0; HDF5 also allows 512, 1024, … which Keras never writes). */
export const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function isHdf5(bytes: Uint8Array): boolean {
  return HDF5_SIGNATURE.every((byte, i) => bytes[i] === byte);
}

/** Groups a Keras file holds that opening the model never reads: the optimizer's slots are large. */
const SKIPPED = new Set(['optimizer_weights', 'optimizer']);

let serial = 0;

function attrsOf(node: Group | Dataset): H5Attrs {
  const attrs: H5Attrs = {};
  for (const [name, attr] of Object.entries(node.attrs)) attrs[name] = attr.value;
  return attrs;
}

/**
 * Reads every group's attributes and every numeric dataset of an HDF5 file.
 *
 * Args:
 *   bytes: the whole file.
 *   what: the file's name, for messages.
 */
export async function readH5Tree(bytes: Uint8Array, what: string): Promise<H5Tree> {
  if (!isHdf5(bytes)) throw new WorkbenchError('bad_input', `${what}: expected an HDF5 file (it starts with \\x89HDF). Received: other bytes`);
  const { default: h5wasm } = await import('h5wasm');
  const { FS } = await h5wasm.ready;
  serial += 1;
  const name = `/rnn-workbench-read-${process.pid}-${serial}.h5`;
  FS!.writeFile(name, bytes);
  let file: InstanceType<typeof h5wasm.File> | undefined;
  try {
    file = new h5wasm.File(name, 'r');
    const tree: H5Tree = { groups: {}, datasets: {} };
    const visit = (group: Group, at: string): void => {
      tree.groups[at] = attrsOf(group);
      for (const key of group.keys()) {
        if (at === '' && SKIPPED.has(key)) continue;
        const child = group.get(key);
        const childPath = at === '' ? key : `${at}/${key}`;
        if (child instanceof h5wasm.Group) visit(child, childPath);
        else if (child instanceof h5wasm.Dataset) {
          const value = child.value;
          if (value instanceof Float32Array) tree.datasets[childPath] = { shape: child.shape ?? [], values: value };
          else if (value instanceof Float64Array || value instanceof Int32Array || value instanceof Uint8Array) {
            tree.datasets[childPath] = { shape: child.shape ?? [], values: Float32Array.from(value) };
          }
        }
      }
    };
    visit(file, '');
    return tree;
  } catch {
    // h5wasm's own message ("name not defined") says nothing useful; HDF5's diagnostics go to stderr.
    throw new WorkbenchError('bad_input', `${what}: expected a readable HDF5 file. Received: a file HDF5 cannot open (truncated or corrupt)`);
  } finally {
    try {
      file?.close();
    } finally {
      FS!.unlink(name);
    }
  }
}
