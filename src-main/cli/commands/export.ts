import { stat } from 'node:fs/promises';
import path from 'node:path';
import { exportFormats, exportRun, resolveFormat } from '../../export';
import { resolveDataDir } from '../../platform/paths';
import { parseFlags } from '../flags';
import { UsageError, type Command } from '../command';

export const exportCommand: Command = {
  summary: 'Export a trained run for TensorFlow.js, as a .zip, as Keras HDF5, as a Python script or as a PyTorch training job',
  usage: [
    'Usage: rnn-workbench export --run <id|dir> --out <path> [--format tfjs|zip|keras-h5|keras|python|torch-job] [--force] [--json]',
    '',
    '  --run ID|DIR       A run id in $RNN_WORKBENCH_HOME/runs, or a run folder (from train --out)',
    '  --out PATH         The folder (tfjs, python, torch-job) or file (zip, keras-h5, keras) to create',
    '  --format F         tfjs: model.json + weight shards, tokenizer.json, metadata.json, README.md',
    '                     zip: the same in one .zip',
    '                     keras-h5: one Keras 2 .h5 file (keras.models.load_model reads it)',
    '                     keras: one Keras 3 .keras file (keras.saving.load_model reads it)',
    '                     python: predict.py rebuilding the model in Keras, model.h5, tokenizer.json',
    '                     torch-job: train.py for torchrun (PyTorch DistributedDataParallel) on one',
    '                       machine, several GPUs or nodes; its RESULT folder imports back as a run',
    '                     (default: from --out, .zip → zip, .h5 → keras-h5, .keras → keras, else tfjs)',
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
    if (values.format !== undefined && !(exportFormats as readonly string[]).includes(values.format)) {
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
