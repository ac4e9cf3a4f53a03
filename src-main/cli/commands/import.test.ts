import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli';

const sarcasm = '/work/shared/data/keras/keras-2.4.0-bidirectional-gru-sarcasm.h5';
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rnn-import-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(path.join(root, 'home'), args);

describe('rnn-workbench import and predict --ids-file', () => {
  it('stores a Keras file as a run and predicts id rows from the file and from the run as the reference does', { timeout: 180_000 }, async () => {
    const imported = await cli(['import', sarcasm, '--json']);
    expect(imported.code).toBe(0);
    const result = JSON.parse(imported.stdout.trim().split('\n').at(-1)!) as { run: string; layers: { name: string; type: string; params: number }[]; totalParams: number };
    expect(result.totalParams).toBe(169_997);
    expect(result.layers.map((l) => [l.name, l.type, l.params])).toEqual([
      ['embedding_6', 'Embedding', 160_000],
      ['bidirectional_5', 'Bidirectional', 9_600],
      ['dense_12', 'Dense', 390],
      ['dense_13', 'Dense', 7],
    ]);
    expect(await readdir(path.join(root, 'home', 'runs'))).toEqual([result.run]);

    const rows = [Array.from({ length: 20 }, (_, t) => (t < 5 ? 0 : (t * 37) % 9999)), Array.from({ length: 20 }, (_, t) => (t * 101) % 9999)];
    const idsFile = path.join(root, 'ids.json');
    await writeFile(idsFile, JSON.stringify(rows));
    const reference = JSON.parse(execFileSync('/usr/bin/python3', [path.resolve('test/support/keras_reference.py'), sarcasm, idsFile], { encoding: 'utf8' })) as { outputs: number[][] };
    for (const modelDir of [sarcasm, path.join(root, 'home', 'runs', result.run)]) {
      const predicted = await cli(['predict', '--model-dir', modelDir, '--ids-file', idsFile, '--json']);
      expect(predicted.code).toBe(0);
      const { outputs } = JSON.parse(predicted.stdout.trim().split('\n').at(-1)!) as { outputs: number[][] };
      expect(outputs).toHaveLength(2);
      outputs.forEach((row, i) => expect(Math.abs(row[0]! - reference.outputs[i]![0]!)).toBeLessThan(1e-5));
    }

    const text = await cli(['predict', '--model-dir', path.join(root, 'home', 'runs', result.run), 'A wonderful film']);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/was imported from .* without a tokenizer, so it cannot read typed text/);
  });

  it('attaches an IMDb word index so the run reads typed text with imdb.load_data ids', { timeout: 180_000 }, async () => {
    const words = path.join(root, 'imdb_word_index.json');
    await writeFile(words, JSON.stringify({ the: 1, film: 2, wonderful: 3 }));
    const imported = await cli(['import', sarcasm, '--tokenizer', words, '--json']);
    expect(imported.code).toBe(0);
    const { run } = JSON.parse(imported.stdout.trim().split('\n').at(-1)!) as { run: string };
    const runDir = path.join(root, 'home', 'runs', run);
    const text = await cli(['predict', '--model-dir', runDir, 'A wonderful film', '--json']);
    expect(text.code).toBe(0);
    const { probability } = JSON.parse(text.stdout) as { probability: number };
    // start 1, then "a" (unknown: 2), wonderful 3 + 3, film 2 + 3, pre-padded to the file's 20 ids.
    const idsFile = path.join(root, 'encoded.json');
    await writeFile(idsFile, JSON.stringify([[...Array<number>(16).fill(0), 1, 2, 6, 5]]));
    const ids = await cli(['predict', '--model-dir', sarcasm, '--ids-file', idsFile, '--json']);
    expect((JSON.parse(ids.stdout) as { outputs: number[][] }).outputs[0]![0]).toBeCloseTo(probability, 6);
  });

  it('stores nothing and says why when the file is not a Keras model', async () => {
    const bad = path.join(root, 'bad.h5');
    await writeFile(bad, 'hello');
    const result = await cli(['import', bad, '--json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${bad}: expected a Keras model file (an HDF5 .h5 or a .keras zip). Received: neither`);
    expect(await readdir(path.join(root, 'home', 'runs')).catch(() => [])).not.toContain('bad');
  });
});
