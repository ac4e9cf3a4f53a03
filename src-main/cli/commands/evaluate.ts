import { resolveDataDir } from '../../platform/paths';
import { evaluateModelDir } from '../../services/inference';
import { UsageError, type Command } from '../command';
import { parseFlags, parsePositiveInt } from '../flags';
import { formatEvaluation } from './training-format';

export const evaluate: Command = {
  summary: 'Evaluate a trained run on the test split of its dataset: loss, accuracy, confusion matrix',
  usage: [
    'Usage: rnn-workbench evaluate --model-dir DIR --data <path> [--batch-size N] [--json]',
    '',
    '  --model-dir DIR    A run folder (from train --out, or $RNN_WORKBENCH_HOME/runs/<id>)',
    '  --data PATH        The IMDb data the model was trained on; its test split is evaluated',
    '  --batch-size N     Reviews per forward pass (default: the run\'s batch size)',
    '  --json             {"loss","acc","count","confusion":[[tn,fp],[fn,tp]],"backend"}',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags({
      args: argv,
      options: { 'model-dir': { type: 'string' }, data: { type: 'string' }, 'batch-size': { type: 'string' }, json: { type: 'boolean', default: false } },
      strict: true,
    });
    const modelDir = values['model-dir'];
    if (modelDir === undefined || modelDir === '') throw new UsageError('--model-dir is required: a run folder. Received: nothing');
    if (values.data === undefined || values.data === '') throw new UsageError('--data is required: the IMDb data the model was trained on. Received: nothing');
    const batchSize = values['batch-size'] === undefined ? undefined : parsePositiveInt('--batch-size', values['batch-size']);
    const { evaluation, engine } = await evaluateModelDir(modelDir, values.data, { dataDir: resolveDataDir(), batchSize });
    if (values.json) {
      process.stdout.write(JSON.stringify({ ...evaluation, backend: engine.backend, recurrent: engine.recurrent }) + '\n');
    } else {
      process.stdout.write(`${formatEvaluation(evaluation)}\nbackend ${engine.backend}, recurrent ${engine.recurrent}\n`);
    }
    return 0;
  },
};
