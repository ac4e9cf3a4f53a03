/**
 * Exporting a trained run and opening an export again: the one entry point for the CLI, the API
 * and the app. Plain Node.
 *
 * Formats:
 * - `tfjs`: a folder with `model.json` + weight shards, `tokenizer.json`, `tokenizer.mjs`,
 *   `metadata.json` and a README (plus `reset-after-gru.mjs` for a GRU model).
 * - `zip`: the same files in one `.zip`.
 * - `keras-h5`: one Keras 2 `.h5` file (config and weights).
 * - `keras`: one Keras 3 `.keras` file (config.json, model.weights.h5, metadata.json).
 * - `python`: a folder with `predict.py`, `model.h5`, `tokenizer.json`, `metadata.json` and a README.
 * - `torch-job`: a PyTorch DistributedDataParallel job (`train.py`, `model.py`, `rnnwb.py`, `job.json`,
 *   `tokenizer.json`, `weights.h5`, README); its result folder imports back like a `python` export.
 */
import type { RunRecord } from '../../src-shared/training';
import type { ExportRequest, ExportResult } from './formats';
import type * as exporter from './exporter';

export { recoverExports, type WriteFileFn } from './atomic-output';
export { readCheckedExport, readModelDir, type CheckedExport } from './export-reader';
export { exportFormats, resolveFormat, type ExportFormat, type ExportRequest, type ExportResult } from './formats';
export type { ExportMetadata } from './metadata';
export type { ExportContents, ExportSource, LoadedExport } from './exporter';
export type { ImportKerasOptions, KerasImport } from './keras-import';

/** TensorFlow.js and h5wasm load with the first export or import, not with the app. */
function implementation(): Promise<typeof exporter> {
  return import('./exporter');
}

/**
 * Exports a stored run, all or nothing.
 *
 * Args:
 *   request: the run (`runDir`, or `runId` + `dataDir`), `out`, `format` (default from `out`'s
 *     extension), `force` to replace an existing `out`.
 */
export async function exportRun(request: ExportRequest): Promise<ExportResult> {
  return (await implementation()).exportRun(request);
}

/** Opens a run folder for export: its record, project, tokenizer and the standard tfjs model with the trained weights. */
export async function openRunForExport(runDir: string): Promise<exporter.ExportSource> {
  return (await implementation()).openRunForExport(runDir);
}

/** Opens an export folder or `.zip` (or python folder), checks every file and loads its model. */
export async function loadExport(location: string): Promise<exporter.LoadedExport> {
  return (await implementation()).loadExport(location);
}

/**
 * Imports an export (tfjs folder, `.zip` or python folder) as a new run in `<dataDir>/runs/`: listed,
 * predicting, evaluating like a run trained here. Returns the new run's record.
 */
export async function importModel(location: string, dataDir: string): Promise<RunRecord> {
  return (await implementation()).importModel(location, dataDir);
}

/**
 * Imports a Keras model file (Keras 2 `.h5`, weights `.h5` with `arch`, Keras 3 `.h5` or `.keras`) as a
 * new run in `<dataDir>/runs/`, with its weights and, when given, a tokenizer. Nothing is stored on failure.
 */
export async function importKerasModel(file: string, options: import('./keras-import').ImportKerasOptions): Promise<import('./keras-import').KerasImport> {
  return (await import('./keras-import')).importKerasModel(file, options);
}

/** The last-layer output of a Keras model file for each row of (padded) ids. */
export async function predictKerasFile(file: string, rows: number[][], options: { arch?: string } = {}): Promise<number[][]> {
  return (await import('./keras-import')).predictKerasFile(file, rows, options);
}
