/**
 * The hostile-input classes of issue P, each through the real CLI in a child process: a one-line refusal
 * within seconds, with the peak memory of the whole process tree (the CLI, its engine worker and its data
 * parser) under a bound, so a refusal that came after the allocation would fail here.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../src-shared/model/types';
import { createProject, serializeProject } from '../../src-shared/project';
import { exportRun } from '../export';
import { lstmStack, makeRunFolder, sampleTokenizer } from '../export/test-fixtures';

const bin = path.resolve('bin/rnn-workbench.mjs');
const sample = '/work/shared/data/aclImdb-sample.tar.gz';
/** A refusal must come before the memory: the CLI with tsx and tfjs loaded peaks near 250 MB. */
const PEAK_BOUND_KB = 500 * 1024;

let root: string;
let run: string;
let exported: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rnn-hostile-'));
  run = path.join(root, 'run');
  await makeRunFolder(run, lstmStack(30), sampleTokenizer(30, 16), 3);
  exported = path.join(root, 'exported');
  await exportRun({ runDir: run, out: exported });
}, 120_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * Runs the CLI under a Python parent that reports RUSAGE_CHILDREN's ru_maxrss: Linux keeps there the
 * largest peak of any reaped descendant, so the CLI's own children (the data parser) count too.
 */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string; peakKb: number }> {
  const wrapper = 'import resource, subprocess, sys\nr = subprocess.run(sys.argv[1:])\nprint(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\nsys.exit(r.returncode)';
  const child = spawn('/usr/bin/python3', ['-c', wrapper, process.execPath, bin, ...args], {
    env: { ...process.env, RNN_WORKBENCH_HOME: path.join(root, 'home'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number>((resolve) => child.once('exit', (exitCode) => resolve(exitCode ?? -1)));
  const lines = stderr.trimEnd().split('\n');
  const peakKb = Number(lines.pop());
  return { code, stdout, stderr: lines.join('\n'), peakKb };
}

/** Asserts the class's contract: exit 1, exactly one line on stderr matching `pattern`, peak memory bounded. */
async function expectRefusal(args: string[], pattern: RegExp, env: Record<string, string> = {}): Promise<string> {
  const result = await cli(args, env);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr.split('\n')).toHaveLength(1);
  expect(result.code).toBe(1);
  expect(result.peakKb).toBeGreaterThan(0);
  expect(result.peakKb).toBeLessThan(PEAK_BOUND_KB);
  return result.stderr;
}

async function runFolderWith(name: string, change: (dir: string) => Promise<void>): Promise<string> {
  const dir = path.join(root, name);
  await cp(run, dir, { recursive: true });
  await change(dir);
  return dir;
}

async function declareLayers(dir: string, layers: LayerSpec[]): Promise<void> {
  const file = path.join(dir, 'run.json');
  const record = JSON.parse(await readFile(file, 'utf8')) as { project: { layers: LayerSpec[] } };
  record.project.layers = layers;
  await writeFile(file, JSON.stringify(record));
}

describe('hostile inputs through the CLI: refused in one line, before the memory is used', () => {
  it('class 1: maxlen beyond the bound, a declared-huge model in a project and in a run, a tokenizer with maxlen 10⁹', async () => {
    await expectRefusal(['data', '--data', sample, '--maxlen', '300000'], /^rnn-workbench data: maxlen must be a positive integer of at most 20,000\. Received: 300000$/);

    const project = path.join(root, 'huge.json');
    const huge = createProject([
      { id: 'e', kind: 'Embedding', options: { input_dim: 10000, output_dim: 32 } },
      { id: 'l', kind: 'LSTM', options: { units: 20000 } },
      { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
    ]);
    await writeFile(project, serializeProject(huge));
    await expectRefusal(['train', '--data', sample, '--model', project], /^rnn-workbench train: The model cannot be built: layer 2 \(LSTM\): units must be a positive integer of at most 4,096\. Received: 20000$/);

    // Within the bounds but not within a (here, small) memory limit: the estimate names the sizes and the limit.
    const big = createProject([
      { id: 'e', kind: 'Embedding', options: { input_dim: 10000, output_dim: 512 } },
      { id: 'l', kind: 'LSTM', options: { units: 4000 } },
      { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
    ]);
    await writeFile(project, serializeProject(big));
    await expectRefusal(
      ['train', '--data', sample, '--model', project],
      /^rnn-workbench train: Training this model must fit in the memory limit of 200 MB \(RNN_WORKBENCH_MEMORY_LIMIT_MB\)\. Received: 77,332,001 parameters × 4 bytes × 4 \(weights, gradients, 2 optimizer slots\) \+ .* = \d+\.\d GB$/,
      { RNN_WORKBENCH_MEMORY_LIMIT_MB: '200' },
    );

    const simple = await runFolderWith('huge-run', (dir) =>
      declareLayers(dir, [
        { id: 'e', kind: 'Embedding', options: { input_dim: 30, output_dim: 8 } },
        { id: 's', kind: 'SimpleRNN', options: { units: 20000 } },
        { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
      ]),
    );
    const declared = /layer 2 \(SimpleRNN\): units must be a positive integer of at most 4,096\. Received: 20000$/;
    await expectRefusal(['predict', '--model-dir', simple, 'a fine film'], declared);
    await expectRefusal(['evaluate', '--model-dir', simple, '--data', sample], declared);
    await expectRefusal(['export', '--run', simple, '--out', path.join(root, 'huge-export')], /units must be a positive integer of at most 4,096\. Received: 20000$/);

    const longTokenizer = await runFolderWith('long-tokenizer', async (dir) => {
      const file = path.join(dir, 'tokenizer.json');
      await writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')), maxlen: 1e9 }));
    });
    await expectRefusal(['predict', '--model-dir', longTokenizer, 'a fine film'], /tokenizer\.json: expected "maxlen" to be an integer from 1 to 20,000\. Received: 1000000000$/);
  }, 120_000);

  it('class 1: files sized from stat before reading: a 2.1 GB sparse review in an aclImdb folder, a 198 MB model.json', async () => {
    const folder = path.join(root, 'aclImdb');
    for (const split of ['train', 'test']) {
      for (const label of ['pos', 'neg']) {
        await mkdir(path.join(folder, split, label), { recursive: true });
        await writeFile(path.join(folder, split, label, `1_${label === 'pos' ? 9 : 2}.txt`), 'a review');
      }
    }
    const sparse = path.join(folder, 'train', 'pos', '2_8.txt');
    await writeFile(sparse, '');
    await truncate(sparse, 2.1e9);
    await expectRefusal(['data', '--data', folder], new RegExp(`^rnn-workbench data: ${sparse}: expected an aclImdb review file of at most 4\\.0 MB\\. Received: 2\\.0 GB$`));

    const bigModel = await runFolderWith('big-model-json', (dir) => truncate(path.join(dir, 'model.json'), 198e6));
    await expectRefusal(['predict', '--model-dir', bigModel, 'a fine film'], /model\.json: expected a model's model\.json of at most 16 MB\. Received: 189 MB$/);
  }, 120_000);

  it('class 2: a FIFO or /dev/zero as tokenizer, weight shard (through a symlink), word index or evaluation data', async () => {
    const fifoTokenizer = await runFolderWith('fifo-tokenizer', async (dir) => {
      await rm(path.join(dir, 'tokenizer.json'));
      execFileSync('mkfifo', [path.join(dir, 'tokenizer.json')]);
    });
    await expectRefusal(['predict', '--model-dir', fifoTokenizer, 'a fine film'], /tokenizer\.json: expected the tokenizer the model was trained with, a regular file\. Received: a named pipe \(FIFO\)$/);

    const zeroShard = await runFolderWith('zero-shard', async (dir) => {
      await rm(path.join(dir, 'weights.bin'));
      await symlink('/dev/zero', path.join(dir, 'weights.bin'));
    });
    await expectRefusal(['predict', '--model-dir', zeroShard, 'a fine film'], /weights\.bin: expected the model's weights, a regular file\. Received: a character device$/);

    const fifoData = path.join(root, 'data.fifo');
    execFileSync('mkfifo', [fifoData]);
    await expectRefusal(['evaluate', '--model-dir', run, '--data', fifoData], /data\.fifo: expected an aclImdb archive .*\. Received: a named pipe \(FIFO\)\.$/);

    const npzDir = path.join(root, 'npz');
    await mkdir(npzDir);
    const { kerasNpz } = await import('../data/test-fixtures');
    await writeFile(path.join(npzDir, 'imdb.npz'), kerasNpz({ x: [[1, 2]], y: [1] }, { x: [[3]], y: [0] }));
    await symlink('/dev/zero', path.join(npzDir, 'imdb_word_index.json'));
    await expectRefusal(['data', '--data', path.join(npzDir, 'imdb.npz')], /imdb_word_index\.json: expected a Keras word index \(imdb_word_index\.json\), a regular file\. Received: a character device$/);
  }, 120_000);

  it('class 3: flags, foreign library messages and file contents', async () => {
    await expectRefusal(['train', '--data', sample, '--model', 'lstm', '--maxlen', '-5'], /^rnn-workbench train: --maxlen must be a positive integer\. Received: -5$/);

    const lambda = path.join(root, 'lambda-export');
    await cp(exported, lambda, { recursive: true });
    const modelFile = path.join(lambda, 'model.json');
    const model = JSON.parse(await readFile(modelFile, 'utf8')) as { modelTopology: { config: { layers: { class_name: string }[] } } };
    model.modelTopology.config.layers[1]!.class_name = 'Lambda';
    await writeFile(modelFile, JSON.stringify(model));
    await rm(path.join(lambda, 'metadata.json'));
    await expectRefusal(['predict', '--model-dir', lambda, 'a fine film'], /model\.json: expected a model TensorFlow\.js can build from its layers\. Received: a layer class TensorFlow\.js does not have \(Lambda\); custom and Lambda layers cannot be loaded$/);

    const shadow = path.join(root, 'shadow');
    await writeFile(shadow, 'root:$6$secretsalt$secrethash:20228:0:99999:7:::\ndaemon:*:20228:0:99999:7:::\n');
    const message = await expectRefusal(['data', '--data', shadow], /expected a label column/);
    expect(message).not.toMatch(/root|secret|20228/);
  }, 120_000);

  it('class 4: export refuses a target inside the run it exports, even with --force', async () => {
    const source = await runFolderWith('export-source', async () => {});
    const checkpoint = path.join(source, 'checkpoint');
    await mkdir(checkpoint);
    await writeFile(path.join(checkpoint, 'optimizer.bin'), 'state');
    await expectRefusal(['export', '--run', source, '--out', checkpoint, '--force'], /^rnn-workbench export: out must be a path outside the run it exports/);
    expect(await readFile(path.join(checkpoint, 'optimizer.bin'), 'utf8')).toBe('state');
  }, 120_000);
});
