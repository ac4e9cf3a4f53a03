import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../data';
import { buildTfModel } from '../../engine/tfjs-model';
import { buildKerasModel, predictRows } from '../../export/keras-import';
import { toTokenizerFile } from '../../export/tokenizer-file';
import { runCli } from '../../../test/support/cli';

const lstm = '/work/shared/data/keras/keras-3.13.2-lstm-imdb.h5';
const sample = path.resolve('../shared/data/aclImdb-sample.tar.gz');
const MAXLEN = 40;
let root: string;
let home: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rnn-fine-tune-cli-'));
  home = path.join(root, 'home');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(home, args);

async function importRun(args: string[]): Promise<string> {
  const imported = await cli(['import', lstm, ...args, '--json']);
  expect(imported.stderr).toBe('');
  return (JSON.parse(imported.stdout.trim().split('\n').at(-1)!) as { run: string }).run;
}

const trainFlags = ['--data', sample, '--max-features', '10000', '--maxlen', String(MAXLEN), '--epochs', '1', '--limit', '64', '--batch-size', '32', '--json'];

describe('rnn-workbench train --from-run', () => {
  it("fine-tunes a Keras model opened with its data's tokenizer, starting from the file's weights", { timeout: 300_000 }, async () => {
    // The tokenizer the sample builds, as the app writes it: the model's ids then mean the data's words.
    const dataset = await loadDataset(sample, { maxFeatures: 10_000, maxlen: MAXLEN }, { dataDir: home });
    const tokenizerFile = path.join(root, 'tokenizer.json');
    await writeFile(tokenizerFile, JSON.stringify(toTokenizerFile(dataset.tokenizer, MAXLEN)));
    const source = await importRun(['--tokenizer', tokenizerFile]);

    // A learning rate far below float32's resolution of these weights: after the epoch they are still
    // the ones it started from, so the run's outputs are the Keras file's exactly when it started from them.
    const trained = await cli(['train', '--from-run', source, ...trainFlags, '--optimizer', 'sgd', '--lr', '1e-30']);
    expect(trained.stderr).not.toMatch(/rnn-workbench train:/);
    expect(trained.code).toBe(0);
    const lines = trained.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line['event'])).toEqual(['epoch', 'done']);
    const done = lines[1]!;
    expect(done).toMatchObject({ reason: 'done' });

    const rows = [0, 1, 2].map((row) => Array.from({ length: MAXLEN }, (_, t) => (t < row * 10 ? 0 : (row * 7919 + t * 104729) % 9999)));
    const idsFile = path.join(root, 'ids.json');
    await writeFile(idsFile, JSON.stringify(rows));
    // The file's model fixes 500 ids; its weights do not depend on the length, so it reads 40 as well.
    const built = await buildKerasModel(lstm);
    const [embedding, ...rest] = built.file.layers;
    const short = buildTfModel([{ ...embedding!, options: { ...embedding!.options, input_length: null } }, ...rest], { maxlen: MAXLEN });
    short.setWeights(built.model.getWeights());
    const fromFile = await predictRows(short, rows);
    built.model.dispose();
    short.dispose();
    const predicted = await cli(['predict', '--model-dir', done['out'] as string, '--ids-file', idsFile, '--json']);
    expect(predicted.stderr).toBe('');
    const fineTuned = (JSON.parse(predicted.stdout) as { outputs: number[][] }).outputs;
    fineTuned.forEach((row, i) => expect(Math.abs(row[0]! - fromFile[i]![0]!)).toBeLessThan(1e-6));
    // The file's model is sure of these rows; freshly initialised weights would give about 0.5.
    expect(fromFile.some((row) => Math.abs(row[0]! - 0.5) > 0.05)).toBe(true);
  });

  it('refuses a model opened without a tokenizer, and --model with --from-run, in one line', { timeout: 180_000 }, async () => {
    const source = await importRun([]);
    const refused = await cli(['train', '--from-run', source, ...trainFlags]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `rnn-workbench train: keras-3.13.2-lstm-imdb.h5 cannot be fine-tuned on ${sample}: which word each of its ids stands for is unknown, so expected its word index (imdb_word_index.json or a Tokenizer.to_json() file) attached when opening it. Received: no tokenizer`,
    );
    const both = await cli(['train', '--from-run', source, '--model', 'lstm', ...trainFlags]);
    expect(both.stderr.trim()).toBe(`rnn-workbench train: --model and --from-run cannot be combined: --from-run trains the run's own stack. Received: --model lstm --from-run ${source}`);
  });
});
