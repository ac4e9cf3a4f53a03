import { predictModelDir } from '../../services/training-service';
import { parseFlags } from '../flags';
import { UsageError, type Command } from '../command';

export const predict: Command = {
  summary: 'Predict the sentiment of a review with a trained run',
  usage: [
    'Usage: rnn-workbench predict --model-dir DIR "<review text>" [--json]',
    '',
    '  --model-dir DIR    A run folder (from train --out, or $RNN_WORKBENCH_HOME/runs/<id>)',
    '  --json             {"label":"positive"|"negative","probability":P}, P the probability of positive',
    '',
    "The text is tokenized with the run's tokenizer.json exactly as the training data was.",
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags({
      args: argv,
      options: { 'model-dir': { type: 'string' }, json: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
    const modelDir = values['model-dir'];
    if (modelDir === undefined || modelDir === '') throw new UsageError('--model-dir is required: a run folder. Received: nothing');
    if (positionals.length !== 1) {
      throw new UsageError(`predict takes one review text, quoted. Received: ${positionals.length} arguments`);
    }
    const prediction = await predictModelDir(modelDir, positionals[0]!);
    process.stdout.write(
      values.json ? JSON.stringify(prediction) + '\n' : `${prediction.label} (probability of positive ${prediction.probability.toFixed(4)})\n`,
    );
    return 0;
  },
};
