import type { DatasetOptions, DatasetPreview } from '../../../src-shared/data';
import { loadDataset } from '../../data/index';
import { resolveDataDir } from '../../platform/paths';
import { UsageError, type Command } from '../command';
import { parseFlags, parsePositiveInt } from '../flags';

export const data: Command = {
  summary: 'Open IMDb data (archive, folder, npz or CSV), tokenize and cache it, print a preview',
  usage: [
    'Usage: rnn-workbench data --data <path> [--max-features 10000] [--maxlen 500] [--json]',
    '',
    'Opens local IMDb data the Keras way (Tokenizer, pad_sequences) and caches the tensors.',
    '',
    '  --data PATH            aclImdb_v1.tar.gz, an aclImdb folder (or its parent), a Keras imdb.npz, or a CSV',
    '  --max-features N       Vocabulary size, Keras num_words (default 10000)',
    '  --maxlen N             Ids per review after padding/truncating (default 500)',
    '  --word-index PATH      npz only: imdb_word_index.json (default: the one beside the npz)',
    '  --text-column NAME     CSV only: the review column (default: guessed)',
    '  --label-column NAME    CSV only: the label column (default: guessed)',
    '  --test-split F         CSV only: test share when the file has no split column (default 0.5)',
    '  --json                 Print one JSON object instead of the text preview',
    '',
    'The cache lives in $RNN_WORKBENCH_HOME/cache (default ~/.rnn-workbench/cache).',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags({
      args: argv,
      options: {
        data: { type: 'string' },
        'max-features': { type: 'string' },
        maxlen: { type: 'string' },
        'word-index': { type: 'string' },
        'text-column': { type: 'string' },
        'label-column': { type: 'string' },
        'test-split': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (values.data === undefined || values.data === '') throw new UsageError('--data is required: a path to IMDb data. Received: nothing');
    const csv: NonNullable<DatasetOptions['csv']> = {};
    if (values['text-column'] !== undefined) csv.textColumn = values['text-column'];
    if (values['label-column'] !== undefined) csv.labelColumn = values['label-column'];
    if (values['test-split'] !== undefined) csv.testSplit = parseFraction('--test-split', values['test-split']);
    const options: DatasetOptions = {
      maxFeatures: parsePositiveInt('--max-features', values['max-features'] ?? '10000'),
      maxlen: parsePositiveInt('--maxlen', values.maxlen ?? '500'),
      ...(values['word-index'] !== undefined ? { wordIndexPath: values['word-index'] } : {}),
      ...(Object.keys(csv).length > 0 ? { csv } : {}),
    };
    const showProgress = !values.json && process.stderr.isTTY;
    const dataset = await loadDataset(values.data, options, {
      dataDir: resolveDataDir(),
      onProgress: showProgress ? (p) => process.stderr.write(`\r${p.phase} ${p.files} files ${(p.bytes / 1e6).toFixed(1)} MB   `) : undefined,
    });
    if (showProgress) process.stderr.write('\r\x1b[K');
    const p = dataset.preview;
    process.stdout.write((values.json ? JSON.stringify(toJson(p)) : describe(p)) + '\n');
    return 0;
  },
};

/** The `--json` shape promised by the CLI. */
function toJson(p: DatasetPreview): object {
  return {
    format: p.format,
    train: p.train,
    test: p.test,
    vocabSize: p.vocabSize,
    oovRate: p.oovRate,
    lengths: { median: p.lengths.median, p90: p.lengths.p90, max: p.lengths.max },
    seconds: p.seconds,
    cached: p.cached,
  };
}

function describe(p: DatasetPreview): string {
  const split = (name: string, s: DatasetPreview['train']): string => `  ${name.padEnd(6)}${String(s.count).padStart(7)} reviews  (${s.pos} pos, ${s.neg} neg)`;
  const widest = Math.max(1, ...p.lengths.histogram.map((b) => b.count));
  return [
    `${p.path}`,
    `  format ${p.format}${p.cached ? ' (cached)' : ''}, ${p.seconds.toFixed(2)} s`,
    ...(p.csvColumns === undefined
      ? []
      : [`  columns: text ${p.csvColumns.text}, label ${p.csvColumns.label}, split ${p.csvColumns.split ?? `none (${p.options.csv?.testSplit ?? 0.5} held out)`}; all: ${p.csvColumns.names.join(', ')}`]),
    split('train', p.train),
    split('test', p.test),
    `  vocabulary ${p.vocabSize} words; ${(p.oovRate * 100).toFixed(1)}% of training tokens fall outside max-features ${p.options.maxFeatures}`,
    `  review length (tokens): median ${p.lengths.median}, 90th percentile ${p.lengths.p90}, max ${p.lengths.max}; maxlen ${p.options.maxlen}`,
    ...p.lengths.histogram.map((b) => `    ${`${b.from}–${b.to}`.padStart(11)} ${'#'.repeat(Math.round((40 * b.count) / widest))} ${b.count}`),
    `  top words: ${p.topWords.slice(0, 12).map((w) => w.word).join(' ')}`,
    ...p.samples.map((s) => `  [${s.label === 1 ? 'pos' : 'neg'}] ${s.text.slice(0, 160)}${s.text.length > 160 ? '…' : ''}`),
  ].join('\n');
}

function parseFraction(flag: string, text: string): number {
  const n = Number(text);
  if (!(n > 0 && n < 1)) throw new UsageError(`${flag} must be a number between 0 and 1 (exclusive). Received: ${text}`);
  return n;
}
