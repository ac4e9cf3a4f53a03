import { stat } from 'node:fs/promises';
import path from 'node:path';
import { formatSummary, summarize } from '../../../src-shared/model/summary';
import type { Project } from '../../../src-shared/project';
import type { RunRecord } from '../../../src-shared/training';
import { importKerasModel, importModel } from '../../export';
import { resolveDataDir } from '../../platform/paths';
import { UsageError, type Command } from '../command';
import { parseFlags, parsePositiveInt } from '../flags';

export const importCommand: Command = {
  summary: 'Store a Keras model file (.h5, .keras) or an export as a run',
  usage: [
    'Usage: rnn-workbench import PATH [--arch ARCH.json] [--tokenizer FILE] [--maxlen N] [--name NAME] [--json]',
    '',
    '  PATH               A Keras 2 .h5 (model.save), a Keras 2 weights .h5 (model.save_weights, with --arch),',
    '                     a Keras 3 .h5 or .keras; or an export folder or .zip of this app',
    '  --arch FILE        The architecture JSON from model.to_json(), for a weights-only .h5',
    "  --tokenizer FILE   Keras' imdb_word_index.json (imdb.load_data ids: start 1, OOV 2, index_from 3)",
    '                     or a Tokenizer.to_json() file, so the run can read typed text',
    '  --maxlen N         The input length for a model that takes any length (default 500)',
    '  --name NAME        The run name (default the file name)',
    '  --json             Print {"run","layers","totalParams"} as the last line',
    '',
    "The run appears in $RNN_WORKBENCH_HOME/runs whole or not at all; the summary shows Keras' parameter counts.",
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags({
      args: argv,
      options: {
        arch: { type: 'string' },
        tokenizer: { type: 'string' },
        maxlen: { type: 'string' },
        name: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new UsageError(`import takes one PATH, a Keras file or an export. Received: ${positionals.length} arguments`);
    const file = path.resolve(positionals[0]!);
    const dataDir = resolveDataDir();
    const isFolder = await stat(file).then(
      (info) => info.isDirectory(),
      () => false,
    );
    let record: RunRecord;
    if (isFolder || file.endsWith('.zip')) {
      if (values.arch !== undefined || values.tokenizer !== undefined || values.maxlen !== undefined) {
        throw new UsageError(`--arch, --tokenizer and --maxlen are for Keras files; ${file} is an export, which carries its own. Received: an export`);
      }
      record = await importModel(file, dataDir);
    } else {
      record = (await importKerasModel(file, { dataDir, arch: values.arch, tokenizer: values.tokenizer, maxlen: values.maxlen === undefined ? undefined : parsePositiveInt('--maxlen', values.maxlen), name: values.name })).record;
    }
    const project = record.project as Project;
    const summary = summarize(project.layers, { maxlen: project.data.options.maxlen });
    const layers = summary.rows.map((row) => ({ name: row.name, type: row.type, outputShape: row.outputShape, params: row.params }));
    if (values.json) {
      process.stdout.write(JSON.stringify({ run: record.id, layers, totalParams: summary.totalParams }) + '\n');
      return 0;
    }
    const lines = [`Imported ${file} as run ${record.id} (${record.name})`, formatSummary(summary)];
    // The head a binary IMDb label needs: another head predicts, but cannot be trained here.
    for (const issue of summary.issues) lines.push(`  Cannot train on binary labels here: ${issue.message}`);
    for (const line of [...(record.imported?.paths ?? []), ...(record.imported?.notes ?? [])]) lines.push(`  ${line}`);
    if (record.imported !== undefined && !record.imported.hasTokenizer) lines.push('  No tokenizer: it predicts id rows (predict --ids-file); import again with --tokenizer to read typed text.');
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
