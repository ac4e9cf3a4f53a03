/**
 * Reading an export without TensorFlow.js: its metadata, every file checked against the SHA-256 in
 * `metadata.json`, its project and tokenizer. Light enough for the main process to import, e.g. for
 * `predict`/`evaluate --model-dir` to accept an export folder as well as a run folder.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { WorkbenchError } from '../../src-shared/errors';
import { MAX_FILE_BYTES } from '../../src-shared/limits';
import { parseProject, type Project } from '../../src-shared/project';
import type { RunRecord } from '../../src-shared/training';
import { readRunFolder, RUN_FILE, TOKENIZER_FILE, type RunTokenizer } from '../runs/run-store';
import { readRegularFile, readRegularText } from '../platform/bounded-file';
import { EXPORT_FORMAT, METADATA_FILE, sha256, type ExportMetadata } from './metadata';
import { parseTokenizerFile } from './tokenizer-file';

/** Reads one file of an export by name, or undefined when it does not exist. */
export type ReadExportFile = (name: string) => Promise<Uint8Array | undefined>;

/** `model.json`, as `engine/model-io` names it; spelled here so this module stays free of TensorFlow.js. */
const MODEL_FILE = 'model.json';

/** The Keras model of a python export. */
export const KERAS_FILE = 'model.h5';

/** The first bytes of every HDF5 file. */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** The most a `.zip` export may unpack to; a real one is a few megabytes. */
const ZIP_MAX_BYTES = 1 << 30;

/** The most bytes one file of an export may have, by its name: JSON files are small, weights are not. */
function exportFileBound(name: string): number {
  if (name === MODEL_FILE) return MAX_FILE_BYTES.modelJson;
  if (name === TOKENIZER_FILE) return MAX_FILE_BYTES.vocabulary;
  if (name === METADATA_FILE) return MAX_FILE_BYTES.record;
  return ZIP_MAX_BYTES;
}

/** An export's files, read from its folder or `.zip`. */
async function exportReader(location: string): Promise<ReadExportFile> {
  const info = await stat(location).catch((error: NodeJS.ErrnoException) => {
    throw new WorkbenchError('not_found', `${location}: expected an exported model folder or .zip. Received: ${error.code ?? error.message}`);
  });
  if (info.isDirectory()) {
    const names = new Set(await readdir(location));
    return async (name) =>
      names.has(name) ? new Uint8Array(await readRegularFile(path.join(location, name), { what: `an export's ${name}`, maxBytes: exportFileBound(name) })) : undefined;
  }
  const bytes = new Uint8Array(await readRegularFile(location, { what: 'an exported model folder or .zip', maxBytes: ZIP_MAX_BYTES }));
  if (HDF5_SIGNATURE.every((byte, i) => bytes[i] === byte)) {
    throw new WorkbenchError(
      'bad_input',
      `${location}: expected an export that carries its tokenizer (a tfjs folder, a .zip or a python folder). Received: a Keras .h5 file, which holds the model but not how to encode text`,
    );
  }
  let entries: Record<string, Uint8Array>;
  try {
    let total = 0;
    entries = unzipSync(bytes, {
      filter: (file) => {
        total += file.originalSize;
        if (total > ZIP_MAX_BYTES || file.originalSize > exportFileBound(file.name) || !/^[A-Za-z0-9_.-]+$/.test(file.name)) {
          throw new Error(`entry ${JSON.stringify(file.name)} is not a plain file of an export, or the entries exceed ${ZIP_MAX_BYTES} bytes`);
        }
        return true;
      },
    });
  } catch (error) {
    throw new WorkbenchError('bad_input', `${location}: expected a .zip made by RNN Workbench's export. Received: ${(error as Error).message}`);
  }
  return async (name) => (Object.hasOwn(entries, name) ? entries[name] : undefined);
}

/** A checked export: where it is, a reader for its files, its metadata, project and tokenizer. */
export interface CheckedExport {
  location: string;
  read: ReadExportFile;
  metadata: ExportMetadata;
  project: Project;
  tokenizer: RunTokenizer;
}

async function readText(read: ReadExportFile, location: string, name: string, expected: string): Promise<string> {
  const bytes = await read(name);
  if (bytes === undefined) throw new WorkbenchError('bad_input', `${location}: expected ${expected} (${name}). Received: no ${name}`);
  return new TextDecoder().decode(bytes);
}

/**
 * Reads and checks an export folder or `.zip` (format `tfjs` or `zip`): metadata, every file's
 * checksum, the project and the tokenizer. Nothing is written.
 */
export async function readCheckedExport(location: string): Promise<CheckedExport> {
  const read = await exportReader(location);
  const metadataText = await readText(read, location, METADATA_FILE, "an RNN Workbench export's metadata");
  let metadata: ExportMetadata;
  try {
    metadata = JSON.parse(metadataText) as ExportMetadata;
  } catch (error) {
    throw new WorkbenchError('bad_input', `${location}/${METADATA_FILE}: expected JSON. Received: ${(error as Error).message}`);
  }
  if (metadata?.format !== EXPORT_FORMAT || metadata.version !== 1 || typeof metadata.files !== 'object' || metadata.files === null) {
    throw new WorkbenchError(
      'bad_input',
      `${location}/${METADATA_FILE}: expected "format": "${EXPORT_FORMAT}", "version": 1 and "files". Received: format ${JSON.stringify(metadata?.format)}, version ${JSON.stringify(metadata?.version)}`,
    );
  }
  for (const [name, expected] of Object.entries(metadata.files)) {
    const bytes = await read(name);
    if (bytes === undefined) throw new WorkbenchError('bad_input', `${location}/${name}: the file ${METADATA_FILE} lists is missing. Expected ${expected.bytes} bytes`);
    const actual = sha256(bytes);
    if (bytes.byteLength !== expected.bytes || actual !== expected.sha256) {
      throw new WorkbenchError(
        'bad_input',
        `${location}/${name}: expected the file ${METADATA_FILE} describes (${expected.bytes} bytes, SHA-256 ${expected.sha256.slice(0, 12)}…). Received: ${bytes.byteLength} bytes, SHA-256 ${actual.slice(0, 12)}… (a corrupt or changed file)`,
      );
    }
  }
  if (metadata.files[MODEL_FILE] === undefined && metadata.files[KERAS_FILE] === undefined) {
    throw new WorkbenchError('bad_input', `${location}: expected an export with ${MODEL_FILE} (tfjs, zip) or ${KERAS_FILE} (python). Received: neither in ${METADATA_FILE}`);
  }
  const project = parseProject(metadata.run?.project, `${location}/${METADATA_FILE} (run.project)`);
  const tokenizer = parseTokenizerFile(await readText(read, location, TOKENIZER_FILE, 'the tokenizer'), `${location}/${TOKENIZER_FILE}`);
  return { location, read, metadata, project, tokenizer };
}


/**
 * The record and tokenizer of a model folder, whether a run folder (`run.json`) or a `tfjs` export
 * (`metadata.json`), for `predict`/`evaluate --model-dir`. An export's weights load with the same
 * `loadWeightsInto` as a run's.
 */
export async function readModelDir(dir: string): Promise<{ record: RunRecord; tokenizer: RunTokenizer }> {
  const isRun = await stat(path.join(dir, RUN_FILE)).then(
    () => true,
    () => false,
  );
  if (isRun) {
    const file = path.join(dir, TOKENIZER_FILE);
    const text = await readRegularText(file, { what: 'the tokenizer the model was trained with', maxBytes: MAX_FILE_BYTES.vocabulary });
    return { record: await readRunFolder(dir), tokenizer: parseTokenizerFile(text, file) };
  }
  const checked = await readCheckedExport(dir);
  return { record: { ...checked.metadata.run, project: checked.project }, tokenizer: checked.tokenizer };
}
