import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../main';
import { exportCommand } from './export';
import { lstmStack, makeRunFolder, mixedStack, runPlainTfjs, sampleTexts, sampleTokenizer } from '../../export/test-fixtures';
import { runCli } from '../../../test/support/cli';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rnn-export-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const cli = (args: string[], env: Record<string, string> = {}) => runCli(path.join(root, 'home'), args, env);

/** Runs the CLI's entry point in this process, capturing what it prints. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe('rnn-workbench export', () => {
  it('exports a run folder; predict --model-dir on the export gives what plain TensorFlow.js gives', async () => {
    const run = path.join(root, 'run');
    await makeRunFolder(run, mixedStack(30), sampleTokenizer(30, 16), 21);
    const out = path.join(root, 'exported');
    const exported = await inProcess(['export', '--run', run, '--out', out, '--json']);
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(exported.stdout)).toMatchObject({ out, format: 'tfjs', files: expect.arrayContaining(['model.json', 'tokenizer.json', 'metadata.json']) });

    const text = sampleTexts[0]!;
    const predicted = await cli(['predict', '--model-dir', out, text, '--json']);
    expect(predicted.stderr).toBe('');
    const { probability } = JSON.parse(predicted.stdout) as { probability: number };
    const plain = await runPlainTfjs(root, [out], [text]);
    expect(Math.abs(probability - plain[out]!.probabilities[0]!)).toBeLessThan(1e-5);

    const again = await inProcess(['export', '--run', run, '--out', out]);
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toBe(`rnn-workbench export: ${out} already exists. Expected a new path, or confirm replacing it (CLI: --force). Received: an existing exported\n`);
    const forced = await inProcess(['export', '--run', run, '--out', path.join(root, 'model.h5'), '--force']);
    expect(forced.stdout).toMatch(/^Exported keras-h5 to .*model\.h5 \(1 file\(s\), [\d.]+ MB\)\n$/);
  });

  it('exports a PyTorch training job with --format torch-job', async () => {
    const run = path.join(root, 'run-torch');
    await makeRunFolder(run, lstmStack(40), sampleTokenizer(40, 24));
    const out = path.join(root, 'torch-job');
    const exported = await inProcess(['export', '--run', run, '--out', out, '--format', 'torch-job', '--json']);
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(exported.stdout)).toMatchObject({ out, format: 'torch-job', files: ['train.py', 'model.py', 'rnnwb.py', 'job.json', 'tokenizer.json', 'weights.h5', 'README.md'] });
    expect((await readdir(out)).sort()).toEqual(['README.md', 'job.json', 'model.py', 'rnnwb.py', 'tokenizer.json', 'train.py', 'weights.h5']);
  });

  it('finds a run by id in the data folder and checks its flags', async () => {
    const id = '20261128-070000-a1b2c3';
    const home = path.join(root, 'home');
    await makeRunFolder(path.join(home, 'runs', id), lstmStack(40), sampleTokenizer(40, 24));
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
    vi.stubEnv('RNN_WORKBENCH_HOME', home);
    try {
      expect(await exportCommand.run(['--run', id, '--out', path.join(root, 'by-id.zip'), '--format', 'zip', '--json'])).toBe(0);
      await expect(exportCommand.run(['--out', 'x'])).rejects.toThrow('--run is required: a run id or run folder. Received: nothing');
      await expect(exportCommand.run(['--run', id])).rejects.toThrow('--out is required: the folder or file to create. Received: nothing');
      await expect(exportCommand.run(['--run', id, '--out', 'x', '--format', 'onnx'])).rejects.toThrow('--format must be one of tfjs, zip, keras-h5, keras, python, torch-job. Received: onnx');
      await expect(exportCommand.run(['--run', '20261128-070000-ffffff', '--out', path.join(root, 'nothing')])).rejects.toThrow(
        /runs\/20261128-070000-ffffff\/run\.json: expected a run folder with run\.json\. Received: no such file$/,
      );
      await expect(exportCommand.run(['--run', '../escape', '--out', path.join(root, 'nothing')])).rejects.toThrow('runId must look like 20260101-120000-a1b2c3');
    } finally {
      write.mockRestore();
      vi.unstubAllEnvs();
    }
    expect(JSON.parse(written.join(''))).toMatchObject({ format: 'zip', files: ['by-id.zip'] });
    expect(await readdir(root)).toContain('by-id.zip');
    expect(await readdir(root)).not.toContain('nothing');
  });
});
