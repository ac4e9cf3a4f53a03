import { explainModelDir } from '../../services/inference';
import { UsageError, type Command } from '../command';
import { parseFlags } from '../flags';

export const explain: Command = {
  summary: 'Read a review along with a trained run: tokens, probability after each, recurrent state',
  usage: [
    'Usage: rnn-workbench explain --model-dir DIR "<review text>" [--json]',
    '',
    '  --model-dir DIR    A run folder (from train --out, or $RNN_WORKBENCH_HOME/runs/<id>) or an export folder',
    '  --json             {"tokens":[…],"ids":[…],"probabilities":[…],"state":[[…]…], …}: one probability and one',
    '                     state row per token; also words (with read/oov/dropped/truncated), padding, carry',
    '                     (LSTM), prediction, layer and note',
    '',
    'The probability after a token is the head applied to the recurrent state after that token; the last one',
    'is the prediction. Stacks without such a reading (pooling, Conv1D, Flatten) get null and a note why.',
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
    if (positionals.length !== 1) throw new UsageError(`explain takes one review text, quoted. Received: ${positionals.length} arguments`);
    const reading = await explainModelDir(modelDir, positionals[0]!);
    if (values.json) {
      const { tokens, ids, probabilities, state, ...rest } = reading;
      process.stdout.write(JSON.stringify({ tokens, ids, probabilities, state, ...rest }) + '\n');
      return 0;
    }
    const lines = [`${reading.layer ?? 'no reading layer'} · ${reading.tokens.length} tokens after ${reading.padding} padding steps · prediction ${reading.prediction.toFixed(4)}`];
    reading.tokens.forEach((token, i) => lines.push(`${String(i + 1).padStart(4)}  ${token.padEnd(16)} ${reading.probabilities === null ? '' : reading.probabilities[i]!.toFixed(4)}`));
    const unread = reading.words.filter((word) => word.fate === 'dropped' || word.fate === 'truncated');
    if (unread.length > 0) lines.push(`not read: ${unread.map((word) => `${word.text} (${word.fate})`).join(', ')}`);
    lines.push(reading.note);
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
