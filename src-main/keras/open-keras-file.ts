/**
 * Opening a Keras model file: its bytes are parsed in the parser process (a crash or a memory blow-up
 * on a hostile file costs that process), the result is interpreted here. No TensorFlow.js.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { WorkbenchError, fromErrorPayload } from '../../src-shared/errors';
import { parserUrl } from '../data';
import type { WorkerReply, WorkerRequest } from '../data/worker-protocol';
import { isOutOfMemory, launchNodeProcess, type ProcessLauncher } from '../platform/isolated-process';
import { interpretKerasFile, type KerasFileParts, type KerasModelFile } from './keras-model-file';

export interface OpenKerasOptions {
  /** The architecture JSON (`model.to_json()`) for a weights-only `.h5`. */
  arch?: string;
  /** Starts the parser process: Electron passes its utilityProcess launcher; plain Node forks. */
  launchProcess?: ProcessLauncher;
  /** The parser process's heap cap in MB. Default 2048. */
  heapMb?: number;
}

/** The most an architecture JSON may hold; a real one is a few KB. */
const ARCH_MAX_BYTES = 16 << 20;

async function readArch(file: string): Promise<string> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new WorkbenchError(error.code === 'ENOENT' ? 'not_found' : 'bad_input', `--arch must be the JSON file model.to_json() wrote. Received: ${file} (${error.code ?? error.message})`);
  });
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > ARCH_MAX_BYTES) {
      throw new WorkbenchError('bad_input', `--arch must be a JSON file of at most ${ARCH_MAX_BYTES} bytes. Received: ${file} (${info.isFile() ? `${info.size} bytes` : 'not a regular file'})`);
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Reads a Keras file's container in the parser process. */
function readInParser(file: string, options: OpenKerasOptions): Promise<KerasFileParts> {
  const heapMb = options.heapMb ?? 2048;
  const child = (options.launchProcess ?? launchNodeProcess)(parserUrl(), { heapMb, name: 'RNN Workbench data parser' });
  let settled = false;
  return new Promise<KerasFileParts>((resolve, reject) => {
    child.onMessage((message) => {
      const reply = message as WorkerReply;
      settled = true;
      if (reply.type === 'keras') resolve(reply.parts);
      else if (reply.type === 'error') reject(fromErrorPayload(reply.error));
      else reject(new WorkbenchError('internal', `The parser answered a Keras file with ${reply.type}.`));
    });
    child.onExit((exit) => {
      if (settled) return;
      settled = true;
      reject(
        isOutOfMemory(exit)
          ? new WorkbenchError('bad_input', `${file}: reading it needed more than ${heapMb} MB of memory. Expected a Keras model file.`)
          : new WorkbenchError('internal', `The parser process stopped unexpectedly (${exit.signal ?? `exit code ${exit.code}`}) while reading ${file}. The app is unaffected; check the file.`),
      );
    });
    child.postMessage({ type: 'keras', path: file } satisfies WorkerRequest);
  }).finally(() => void child.kill());
}

/**
 * Opens a Keras model file (Keras 2 `.h5`, Keras 2 weights `.h5` with `arch`, Keras 3 `.h5` or `.keras`)
 * as the app's stack with the file's weights; throws a `bad_input` WorkbenchError naming the file, the
 * layer and what was expected.
 */
export async function openKerasFile(file: string, options: OpenKerasOptions = {}): Promise<KerasModelFile> {
  const resolved = path.resolve(file);
  const parts = await readInParser(resolved, options);
  if (options.arch !== undefined) {
    if (parts.zip) throw new WorkbenchError('bad_input', `--arch is for a weights-only .h5; ${resolved} is a .keras file that holds its own config.`);
    parts.configJson = await readArch(path.resolve(options.arch));
  }
  return interpretKerasFile(resolved, parts);
}
