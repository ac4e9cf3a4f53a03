import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fusedStatus } from '../../engine/fused/native';
import { NodeTrainingService } from '../../services/training-service';
import { runCli } from '../../../test/support/cli';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const sample = path.resolve(repoRoot, '../shared/data/aclImdb-sample.tar.gz');
const bin = path.join(repoRoot, 'bin/rnn-workbench.mjs');
let home: string;

const cli = (args: string[]) => runCli(home, args);

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'rnn-cli-train-'));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('rnn-workbench train / evaluate / predict', () => {
  // Several CLI processes each: slow on a busy machine.
  it('prints one JSON line per epoch and a done line, saves the run with --out, and the run predicts and evaluates', { timeout: 180_000 }, async () => {
    const out = path.join(home, 'out');
    const train = await cli(['train', '--data', sample, '--model', 'lstm', '--epochs', '2', '--maxlen', '100', '--limit', '200', '--batch-size', '50', '--seed', '4', '--out', out, '--json']);
    expect(train.stderr).not.toMatch(/rnn-workbench train:/);
    expect(train.code).toBe(0);
    const lines = train.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line['event'])).toEqual(['epoch', 'epoch', 'done']);
    expect(lines[0]).toMatchObject({ event: 'epoch', epoch: 1 });
    for (const key of ['loss', 'acc', 'val_loss', 'val_acc', 'seconds']) expect(typeof lines[1]![key]).toBe('number');
    const done = lines[2]!;
    expect(done).toMatchObject({ event: 'done', reason: 'done', out });
    expect(typeof done['test_loss']).toBe('number');
    expect(typeof done['test_acc']).toBe('number');
    expect(['wasm', 'cpu', 'tensorflow']).toContain(done['backend']);
    // The preset's one LSTM, on the path this machine's kernels give it.
    const kernels = fusedStatus();
    expect(done['recurrent_layers']).toEqual([
      kernels.available ? { layer: 'lstm', kind: 'LSTM', path: 'fused' } : { layer: 'lstm', kind: 'LSTM', path: 'tfjs-layers', reason: `fused kernels unavailable: ${kernels.reason}` },
    ]);
    expect(done['recurrent']).toBe(kernels.available ? 'lstm fused' : `lstm tfjs-layers (fused kernels unavailable: ${kernels.reason})`);
    expect(await readdir(out)).toEqual(expect.arrayContaining(['run.json', 'model.json', 'weights.bin', 'tokenizer.json']));
    expect(await readdir(path.join(home, 'runs'))).toContain(done['run']);

    const predict = await cli(['predict', '--model-dir', out, 'A wonderful film, I loved every minute.', '--json']);
    expect(predict.code).toBe(0);
    const prediction = JSON.parse(predict.stdout) as { label: string; probability: number };
    expect(['positive', 'negative']).toContain(prediction.label);
    expect(prediction.label).toBe(prediction.probability > 0.5 ? 'positive' : 'negative');

    const evaluate = await cli(['evaluate', '--model-dir', out, '--data', sample, '--json']);
    expect(evaluate.code).toBe(0);
    const evaluation = JSON.parse(evaluate.stdout) as { loss: number; acc: number; count: number; confusion: number[][] };
    // The same weights on the same test split as the done line's test metrics.
    expect(evaluation.acc).toBeCloseTo(done['test_acc'] as number, 6);
    expect(evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(evaluation.count);
  });

  it('leaves a run killed mid-training listed as interrupted, resumable from its last epoch checkpoint', { timeout: 180_000 }, async () => {
    const crashHome = path.join(home, 'crash');
    const child = spawn(process.execPath, [bin, 'train', '--data', sample, '--model', 'simplernn', '--epochs', '4', '--maxlen', '50', '--limit', '300', '--batch-size', '8', '--seed', '3', '--json'], {
      env: { ...process.env, RNN_WORKBENCH_HOME: crashHome },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    await new Promise<void>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        // SIGKILL right after the first epoch line: no handler runs, as in a crash or power loss.
        if (text.includes('"event":"epoch"')) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`train exited before its first epoch: ${text}`)));
    });
    await new Promise((resolve) => child.once('exit', resolve));

    const service = new NodeTrainingService({ dataDir: crashHome });
    const [run] = await service.listRuns();
    expect(run).toMatchObject({ status: 'interrupted' });
    const record = await service.getRun(run!.id);
    expect(record.checkpointEpoch).toBeGreaterThanOrEqual(1);
    expect(record.checkpointEpoch).toBeLessThan(4);
    await service.resume(run!.id);
    const resumed = await service.whenDone(run!.id);
    expect(resumed).toMatchObject({ status: 'done', epochsDone: 4 });
    expect((await service.getRun(run!.id)).history.map((row) => row.epoch)).toEqual([1, 2, 3, 4]);
  });

  it('refuses bad flags with one line in the house style', { timeout: 180_000 }, async () => {
    const badMaxlen = await cli(['train', '--data', sample, '--model', 'lstm', '--maxlen=-3']);
    expect(badMaxlen.code).toBe(1);
    expect(badMaxlen.stderr.trim()).toBe('rnn-workbench train: --maxlen must be a positive integer. Received: -3');
    const badModel = await cli(['train', '--data', sample, '--model', 'transformer']);
    expect(badModel.stderr.trim()).toBe('rnn-workbench train: --model must be a preset (simplernn, simplernn-stack, lstm, gru) or a project .json. Received: transformer');
    const missing = await cli(['train', '--data', path.join(home, 'nowhere.tar.gz'), '--model', 'gru', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`rnn-workbench train: data.path must name an existing dataset file or folder. Received: ${path.join(home, 'nowhere.tar.gz')} (ENOENT)`);
    const noText = await cli(['predict', '--model-dir', home]);
    expect(noText.stderr.trim()).toBe('rnn-workbench predict: predict takes one review text, quoted, or --ids-file. Received: 0 arguments');
  });
});
