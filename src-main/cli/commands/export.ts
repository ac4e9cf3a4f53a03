import { stat } from 'node:fs/promises';
import path from 'node:path';
import { exportFormatInfo, exportFormats, formatForExtension, isExportFormat } from '../../../src-shared/export-formats';
import { exportRun, resolveFormat } from '../../export';
import { resolveDataDir } from '../../platform/paths';
import { parseFlags } from '../flags';
import { UsageError, type Command } from '../command';

/** The formats that write a folder, or a file, for the usage text. */
function writing(what: 'folder' | 'file'): string {
  return exportFormats.filter((format) => exportFormatInfo[format].writes === what).join(', ');
}

export const exportCommand: Command = {
  summary: 'Export a trained run for TensorFlow.js, as a .zip, as Keras HDF5, as a Python script or as a PyTorch training job',
  usage: [
    `Usage: rnn-workbench export --run <id|dir> --out <path> [--format ${exportFormats.join('|')}] [--force] [--json]`,
    '',
    '  --run ID|DIR       A run id in $RNN_WORKBENCH_HOME/runs, or a run folder (from train --out)',
    `  --out PATH         The folder (${writing('folder')}) or file (${writing('file')}) to create`,
    ...exportFormats.flatMap((format) =>
      exportFormatInfo[format].help.map((line, i) => `${i === 0 && format === exportFormats[0] ? '  --format F         ' : ' '.repeat(21)}${i === 0 ? `${format}: ` : ''}${line}`),
    ),
    `                     (default: from --out, ${exportFormats
      .filter((format) => exportFormatInfo[format].extensions.length > 0)
      .map((format) => `${exportFormatInfo[format].extensions[0]} → ${format}`)
      .join(', ')}, else ${formatForExtension('')})`,
    '  --force            Replace an existing --out',
    '  --json             Print {"out","format","files","bytes"}',
    '',
    'The export is written to a temp folder beside --out and renamed into place: it appears whole or not at all.',
    'An export folder works with predict --model-dir and with plain TensorFlow.js; see its README.md.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags({
      args: argv,
      options: {
        run: { type: 'string' },
        out: { type: 'string' },
        format: { type: 'string' },
        force: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (positionals.length > 0) throw new UsageError(`export takes no positional arguments. Received: ${positionals.join(' ')}`);
    if (values.run === undefined || values.run === '') throw new UsageError('--run is required: a run id or run folder. Received: nothing');
    if (values.out === undefined || values.out === '') throw new UsageError('--out is required: the folder or file to create. Received: nothing');
    if (values.format !== undefined && !isExportFormat(values.format)) {
      throw new UsageError(`--format must be one of ${exportFormats.join(', ')}. Received: ${values.format}`);
    }
    const format = resolveFormat(values.out, values.format);
    const isFolder = await stat(values.run).then(
      (info) => info.isDirectory(),
      () => false,
    );
    const result = await exportRun({
      // The runs store is named either way: an export must not land inside it.
      ...(isFolder ? { runDir: path.resolve(values.run), dataDir: resolveDataDir() } : { runId: values.run, dataDir: resolveDataDir() }),
      out: values.out,
      format,
      force: values.force,
    });
    process.stdout.write(
      values.json ? JSON.stringify(result) + '\n' : `Exported ${result.format} to ${result.out} (${result.files.length} file(s), ${(result.bytes / 1e6).toFixed(2)} MB)\n`,
    );
    return 0;
  },
};
