import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { WorkbenchError } from '../../../src-shared/errors';
import { predictKerasFile } from '../../export';
import { predictIdsModelDir, predictModelDir } from '../../services/inference';
import { parseFlags } from '../flags';
import { UsageError, type Command } from '../command';

/** The most an ids file may hold: 10,000 reviews of 500 ids as JSON is about 30 MB. */
const IDS_MAX_BYTES = 256 << 20;

/** Reads `[[id, …], …]`: equal-length rows of non-negative integers. */
async function readIdRows(file: string): Promise<number[][]> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`--ids-file must be a JSON file of id rows. Received: ${file} (${error.code ?? error.message})`);
  });
  let text: string;
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > IDS_MAX_BYTES) throw new UsageError(`--ids-file must be a JSON file of at most ${IDS_MAX_BYTES} bytes. Received: ${file}`);
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--ids-file must be JSON [[id, …], …]. Received: invalid JSON (${(error as Error).message})`);
  }
  const isRow = (row: unknown): row is number[] => Array.isArray(row) && row.every((id) => Number.isInteger(id) && (id as number) >= 0);
  if (!Array.isArray(rows) || rows.length === 0 || !rows.every(isRow) || rows.some((row) => row.length !== rows[0].length || row.length === 0)) {
    throw new UsageError(`--ids-file must be JSON [[id, …], …]: one or more equal-length rows of non-negative integer ids. Received: ${text.slice(0, 60)}`);
  }
  return rows as number[][];
}

export const predict: Command = {
  summary: 'Predict the sentiment of a review, or the outputs for id rows, with a trained run or a Keras file',
  usage: [
    'Usage: rnn-workbench predict --model-dir PATH "<review text>" [--json]',
    '       rnn-workbench predict --model-dir PATH --ids-file IDS.json [--arch ARCH.json] --json',
    '',
    '  --model-dir PATH   A run folder (from train --out, or $RNN_WORKBENCH_HOME/runs/<id>), an export,',
    '                     or a Keras model file (.h5, .keras; predicts --ids-file rows)',
    '  --ids-file FILE    [[id, …], …]: rows of word ids, already padded to the model\'s input length',
    '  --arch FILE        The architecture JSON (model.to_json()) for a weights-only Keras .h5',
    '  --json             {"label":"positive"|"negative","probability":P} for a review;',
    '                     {"outputs":[[…],…]} for --ids-file: the last layer\'s output per row, full precision',
    '',
    "Review text is tokenized with the run's tokenizer.json exactly as the training data was.",
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags({
      args: argv,
      options: { 'model-dir': { type: 'string' }, 'ids-file': { type: 'string' }, arch: { type: 'string' }, json: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
    const modelDir = values['model-dir'];
    if (modelDir === undefined || modelDir === '') throw new UsageError('--model-dir is required: a run folder, an export or a Keras file. Received: nothing');
    const isFile = await stat(modelDir).then(
      (info) => info.isFile() && !modelDir.endsWith('.zip'),
      () => false,
    );
    const idsFile = values['ids-file'];
    if (idsFile !== undefined) {
      if (positionals.length > 0) throw new UsageError(`predict takes --ids-file or one review text, not both. Received: ${positionals.length} arguments`);
      const rows = await readIdRows(idsFile);
      const outputs = isFile ? await predictKerasFile(path.resolve(modelDir), rows, { arch: values.arch }) : await predictIdsModelDir(modelDir, rows);
      process.stdout.write(values.json ? JSON.stringify({ outputs }) + '\n' : outputs.map((row) => row.join(' ')).join('\n') + '\n');
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(`predict takes one review text, quoted, or --ids-file. Received: ${positionals.length} arguments`);
    }
    if (isFile) {
      throw new WorkbenchError(
        'bad_input',
        `${modelDir} is a Keras file without a tokenizer, so it cannot read typed text: import it with rnn-workbench import ${modelDir} --tokenizer imdb_word_index.json, then predict with the run, or give --ids-file. Received: review text`,
      );
    }
    const prediction = await predictModelDir(modelDir, positionals[0]!);
    process.stdout.write(
      values.json ? JSON.stringify(prediction) + '\n' : `${prediction.label} (probability of positive ${prediction.probability.toFixed(4)})\n`,
    );
    return 0;
  },
};
