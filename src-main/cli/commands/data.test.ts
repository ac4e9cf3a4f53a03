import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const SAMPLE = path.resolve(repoRoot, '../shared/data/aclImdb-sample.tar.gz');
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rnn-data-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(path.join(root, 'home'), args);

describe('rnn-workbench data', () => {
  it('--json on the sample archive: 1,000 train and 500 test reviews, balanced, cached in RNN_WORKBENCH_HOME', async () => {
    const { code, stdout, stderr } = await cli(['data', '--data', SAMPLE, '--max-features', '5000', '--maxlen', '200', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(['format', 'train', 'test', 'vocabSize', 'oovRate', 'lengths', 'seconds', 'cached']);
    expect(result).toMatchObject({
      format: 'aclImdb-tar',
      train: { count: 1000, pos: 500, neg: 500 },
      test: { count: 500, pos: 250, neg: 250 },
      cached: false,
    });
    expect(result.oovRate).toBeGreaterThan(0);
    expect(Object.keys(result.lengths as object)).toEqual(['median', 'p90', 'max']);
    expect(await readdir(path.join(root, 'home', 'cache'))).toHaveLength(1);
  });

  it('a bad file or flag exits 1 with one line on stderr and no stack trace', async () => {
    const missing = path.join(root, 'missing.tar.gz');
    const bad = await cli(['data', '--data', missing]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`rnn-workbench data: ${missing}: no such file or folder. Expected an aclImdb archive (.tar.gz) or folder, a Keras imdb.npz, or a CSV of reviews and labels.\n`);
    const flag = await cli(['data', '--data', SAMPLE, '--maxlen=-3']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toBe('rnn-workbench data: --maxlen must be a positive integer. Received: -3\n');
  });
});
