import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const SAMPLE = path.resolve(repoRoot, '../shared/data/aclImdb-sample.tar.gz');
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rnn-option-messages-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(path.join(root, 'home'), args);

describe('the CLI refuses bad training and data options with the shared message', () => {
  it('a training option beyond the schema bound, before any data is read', async () => {
    const result = await cli(['train', '--data', SAMPLE, '--model', 'lstm', '--epochs', '20000']);
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'rnn-workbench train: lstm: training.epochs must be a positive integer of at most 10,000. Received: 20000\n' });
  });

  it('a negative number after a flag reaches that flag\'s own check, in train and tune alike', async () => {
    for (const [command, ...extra] of [['train'], ['tune', '--grid', 'units=8']]) {
      const result = await cli([command!, ...extra, '--data', SAMPLE, '--model', 'lstm', '--maxlen', '-5']);
      expect(result).toEqual({ code: 1, stdout: '', stderr: `rnn-workbench ${command}: --maxlen must be a positive integer. Received: -5\n` });
    }
  });

  it('a data option beyond the schema bound', async () => {
    const result = await cli(['data', '--data', SAMPLE, '--max-features', '2000000']);
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'rnn-workbench data: maxFeatures must be a positive integer of at most 1,000,000. Received: 2000000\n' });
  });
});
