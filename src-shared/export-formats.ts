/**
 * The export formats, declared once: the API's enum, the CLI's --format parsing and usage text, the
 * renderer's select and the exporter's dispatch all read this list.
 */

export const exportFormats = ['tfjs', 'zip', 'keras-h5', 'keras', 'python', 'torch-job'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface ExportFormatInfo {
  /** What the renderer's select shows. */
  label: string;
  /** Whether `out` names a folder or a single file. */
  writes: 'folder' | 'file';
  /** File extensions that imply this format when none is asked for, first the usual one (`.h5`). */
  extensions: readonly string[];
  /** The CLI's --format help, one line or more. */
  help: readonly string[];
}

export const exportFormatInfo: Readonly<Record<ExportFormat, ExportFormatInfo>> = {
  tfjs: { label: 'TensorFlow.js folder', writes: 'folder', extensions: [], help: ['model.json + weight shards, tokenizer.json, metadata.json, README.md'] },
  zip: { label: 'TensorFlow.js .zip', writes: 'file', extensions: ['.zip'], help: ['the same in one .zip'] },
  'keras-h5': { label: 'Keras 2 .h5', writes: 'file', extensions: ['.h5', '.hdf5'], help: ['one Keras 2 .h5 file (keras.models.load_model reads it)'] },
  keras: { label: 'Keras 3 .keras', writes: 'file', extensions: ['.keras'], help: ['one Keras 3 .keras file (keras.saving.load_model reads it)'] },
  python: { label: 'Python script folder', writes: 'folder', extensions: [], help: ['predict.py rebuilding the model in Keras, model.h5, tokenizer.json'] },
  'torch-job': {
    label: 'PyTorch DDP training job (torchrun)',
    writes: 'folder',
    extensions: [],
    help: ['train.py for torchrun (PyTorch DistributedDataParallel) on one', '  machine, several GPUs or nodes; its RESULT folder imports back as a run'],
  },
};

/** The format without an explicit choice: the one `out`'s extension (lower case, with the dot) implies, else `tfjs`. */
export function formatForExtension(extension: string): ExportFormat {
  return exportFormats.find((format) => exportFormatInfo[format].extensions.includes(extension)) ?? 'tfjs';
}

/** Whether `value` names an export format. */
export function isExportFormat(value: unknown): value is ExportFormat {
  return (exportFormats as readonly unknown[]).includes(value);
}
