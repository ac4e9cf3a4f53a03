/**
 * Reads a Keras model file's container in the parser process: an HDF5 `.h5` as a tree, or a `.keras`
 * zip's `config.json`, `metadata.json` and `model.weights.h5`. Only bytes are parsed here; what they
 * mean is `src-main/keras/keras-model-file.ts`'s job on the main side.
 */
import { open } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import { WorkbenchError } from '../../src-shared/errors';
import { MAX_KERAS_FILE_BYTES } from '../../src-shared/limits';
import { isHdf5, readH5Tree, type H5Tree } from './h5-tree';

/** A file's parts: the HDF5 tree and, for a `.keras` zip or a weights-only `.h5`, the config JSON. */
export interface KerasFileParts {
  tree: H5Tree;
  /** `config.json` of a `.keras` zip, or the architecture JSON given with a weights-only `.h5`. */
  configJson?: string;
  /** `metadata.json` of a `.keras` zip. */
  metadataJson?: string;
  /** True for a `.keras` zip. */
  zip: boolean;
}

/** The largest Keras file opened. */
export const KERAS_MAX_BYTES = MAX_KERAS_FILE_BYTES;

const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];
/** The entries of a `.keras` zip the app reads; `assets/` and others are skipped unread. */
const ZIP_ENTRIES = new Set(['config.json', 'metadata.json', 'model.weights.h5']);

/** Reads a regular file of at most `KERAS_MAX_BYTES`, with a message naming it otherwise. */
async function readBounded(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new WorkbenchError(error.code === 'ENOENT' ? 'not_found' : 'bad_input', `${file}: expected a Keras model file (.h5 or .keras). Received: ${error.code ?? error.message}`);
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new WorkbenchError('bad_input', `${file}: expected a Keras model file (.h5 or .keras). Received: not a regular file`);
    if (info.size > KERAS_MAX_BYTES) throw new WorkbenchError('bad_input', `${file}: expected a Keras model file of at most ${KERAS_MAX_BYTES} bytes. Received: ${info.size} bytes`);
    const bytes = new Uint8Array(info.size);
    let offset = 0;
    while (offset < info.size) {
      const { bytesRead } = await handle.read(bytes, offset, info.size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return bytes.subarray(0, offset);
  } finally {
    await handle.close();
  }
}

/** Reads `file` (a `.h5` or `.keras`) into the parts `interpretKerasFile` reads. */
export async function readKerasContainer(file: string): Promise<KerasFileParts> {
  const bytes = await readBounded(file);
  if (isHdf5(bytes)) return { tree: await readH5Tree(bytes, file), zip: false };
  if (!ZIP_SIGNATURE.every((byte, i) => bytes[i] === byte)) {
    throw new WorkbenchError('bad_input', `${file}: expected a Keras model file (an HDF5 .h5 or a .keras zip). Received: neither (${bytes.length} bytes starting ${JSON.stringify(new TextDecoder().decode(bytes.subarray(0, 8)).replace(/[^\x20-\x7e]/g, '.'))})`);
  }
  let entries: Record<string, Uint8Array>;
  try {
    let total = 0;
    entries = unzipSync(bytes, {
      filter: (entry) => {
        if (!ZIP_ENTRIES.has(entry.name)) return false;
        total += entry.originalSize;
        if (total > KERAS_MAX_BYTES) throw new RangeError(`its entries unpack to more than ${KERAS_MAX_BYTES} bytes`);
        return true;
      },
    });
  } catch (error) {
    throw new WorkbenchError('bad_input', `${file}: expected a .keras zip. Received: a zip that cannot be read (${(error as Error).message})`);
  }
  const missing = ['config.json', 'model.weights.h5'].filter((name) => entries[name] === undefined);
  if (missing.length > 0) throw new WorkbenchError('bad_input', `${file}: expected a Keras 3 .keras zip with config.json and model.weights.h5. Received: no ${missing.join(' and no ')}`);
  const text = (name: string): string | undefined => (entries[name] === undefined ? undefined : new TextDecoder().decode(entries[name]));
  return { tree: await readH5Tree(entries['model.weights.h5']!, `${file} (model.weights.h5)`), configJson: text('config.json'), metadataJson: text('metadata.json'), zip: true };
}
