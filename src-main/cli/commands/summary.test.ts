import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describeKernels } from '../../../src-shared/model/recurrent-path';
import { createProject, serializeProject } from '../../../src-shared/project';
import { fusedStatus } from '../../engine/fused/native';
import { UsageError } from '../command';
import { summary } from './summary';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'summary-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the command, capturing what it writes. */
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const code = await summary.run(argv);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe('rnn-workbench summary', () => {
  it.each([
    ['simplernn', 322_113],
    ['simplernn-stack', 328_353],
    ['lstm', 328_353],
    ['gru', 326_369],
  ])('--model %s --json gives totalParams %i', async (id, total) => {
    const { code, stdout } = await run('--model', id, '--json');
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as { totalParams: number; trainableParams: number; nonTrainableParams: number; layers: unknown[] };
    expect(json.totalParams).toBe(total);
    expect(json.trainableParams).toBe(total);
    expect(json.nonTrainableParams).toBe(0);
    expect(Object.keys(json)).toEqual(['layers', 'totalParams', 'trainableParams', 'nonTrainableParams', 'kernels', 'recurrent']);
  });

  it('says per recurrent layer whether the fused kernels or tfjs-layers compute it, and why', async () => {
    const file = path.join(dir, 'mixed.json');
    const project = createProject([
      { id: 'e', kind: 'Embedding', options: { input_dim: 10000 } },
      { id: 'a', kind: 'LSTM', options: { return_sequences: true } },
      { id: 'b', kind: 'GRU', options: { recurrent_activation: 'hard_sigmoid' } },
      { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
    ]);
    await writeFile(file, serializeProject(project));
    const kernels = fusedStatus();
    const lstm = kernels.available ? 'lstm (LSTM): fused native kernels' : `lstm (LSTM): tfjs-layers (fused kernels unavailable: ${kernels.reason})`;
    const gru = kernels.available ? 'gru (GRU): tfjs-layers (hard_sigmoid recurrent activation)' : `gru (GRU): tfjs-layers (fused kernels unavailable: ${kernels.reason})`;
    const text = await run('--model', file);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Recurrent path here, ${describeKernels(kernels)}:\n  ${lstm}\n  ${gru}\n`);
    const json = JSON.parse((await run('--model', file, '--json')).stdout) as { kernels: unknown; recurrent: unknown };
    expect(json.kernels).toEqual(kernels);
    expect(json.recurrent).toEqual(
      kernels.available
        ? [
            { layer: 'lstm', kind: 'LSTM', path: 'fused' },
            { layer: 'gru', kind: 'GRU', path: 'tfjs-layers', reason: 'hard_sigmoid recurrent activation' },
          ]
        : [
            { layer: 'lstm', kind: 'LSTM', path: 'tfjs-layers', reason: `fused kernels unavailable: ${kernels.reason}` },
            { layer: 'gru', kind: 'GRU', path: 'tfjs-layers', reason: `fused kernels unavailable: ${kernels.reason}` },
          ],
    );
  });

  it('puts every recurrent layer on tfjs-layers when the fused kernels are switched off', { timeout: 60_000 }, async () => {
    const bin = fileURLToPath(new URL('../../../bin/rnn-workbench.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'summary', '--model', 'lstm', '--json'], { env: { ...process.env, RNN_WORKBENCH_FUSED: '0' } });
    expect((JSON.parse(stdout) as { recurrent: unknown }).recurrent).toEqual([
      { layer: 'lstm', kind: 'LSTM', path: 'tfjs-layers', reason: 'fused kernels unavailable: disabled by RNN_WORKBENCH_FUSED=0' },
    ]);
  });

  it('prints the Keras table with the time dimension from --maxlen', async () => {
    const { code, stdout } = await run('--model', 'gru', '--maxlen', '500');
    expect(code).toBe(0);
    expect(stdout).toContain('embedding (Embedding)        (None, 500, 32)           320000\n');
    expect(stdout).toContain('gru (GRU)                    (None, 32)                6336\n');
    expect(stdout).toContain('Total params: 326,369\n');
  });

  it("reads a project file and takes its maxlen", async () => {
    const file = path.join(dir, 'ok.json');
    const project = createProject();
    project.data.options.maxlen = 200;
    await writeFile(file, serializeProject(project));
    const { code, stdout } = await run('--model', file, '--json');
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { layers: { outputShape: string }[] }).layers[0]!.outputShape).toBe('(None, 200, 32)');
  });

  it('exits 1 with the validation messages for an invalid model', async () => {
    const file = path.join(dir, 'bad.json');
    const project = createProject([
      { id: 'e', kind: 'Embedding', options: { input_dim: 5000 } },
      { id: 'a', kind: 'LSTM', options: {} },
      { id: 'b', kind: 'LSTM', options: {} },
      { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
    ]);
    await writeFile(file, serializeProject(project));
    const { code, stdout, stderr } = await run('--model', file);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      [
        'rnn-workbench summary: the model is not valid:',
        "  embedding: input_dim must be at least the dataset's vocabulary size 10,000 (max features), or word ids above 4,999 have no vector. Received: 5000",
        '  lstm_1: LSTM needs a sequence: turn on return_sequences on lstm above',
        '',
      ].join('\n'),
    );
  });

  it.each([
    [[], /^--model is required: a preset \(simplernn, simplernn-stack, lstm, gru\) or a project \.json\. Received: nothing$/],
    [['--model', 'rnn'], /^--model must be a preset .* or a project \.json\. Received: rnn$/],
    [['--model', 'lstm', '--maxlen', '0'], /^--maxlen must be a positive integer\. Received: 0$/],
  ])('refuses %j with a usage error', async (argv, message) => {
    await expect(summary.run(argv)).rejects.toThrow(UsageError);
    await expect(summary.run(argv)).rejects.toThrow(message);
  });

  it('names a missing or oversized project file', async () => {
    await expect(summary.run(['--model', '/nowhere/x.json'])).rejects.toThrow('/nowhere/x.json: expected a project file to open. Received: no such file or folder');
    const huge = path.join(dir, 'huge.json');
    await writeFile(huge, Buffer.alloc(11_000_000, 32));
    await expect(summary.run(['--model', huge])).rejects.toThrow(`${huge} is not a project file: expected at most 10485760 bytes of JSON. Received: 11000000 bytes`);
  });

  it('names the project file when it is not a project', async () => {
    const file = path.join(dir, 'newer.json');
    await writeFile(file, JSON.stringify({ version: 9, layers: [] }));
    await expect(summary.run(['--model', file])).rejects.toThrow(`${file} was saved by a newer RNN Workbench (project version 9)`);
  });
});
