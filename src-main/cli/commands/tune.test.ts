import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sweep } from '../../../src-shared/tune';
import { runCli } from '../../../test/support/cli';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const sample = path.resolve(repoRoot, '../shared/data/aclImdb-sample.tar.gz');
const bin = path.join(repoRoot, 'bin/rnn-workbench.mjs');
let home: string;

const cli = (args: string[]) => runCli(home, args);

const lines = (stdout: string) => stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'rnn-cli-tune-'));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('rnn-workbench tune', () => {
  // Tiny trials (100 reviews of 30 words, one epoch), but five processes each loading TensorFlow.js: slow on a busy machine.
  it('runs a 4-trial sweep, survives being killed mid-trial, resumes, and picks the best val_acc', { timeout: 400_000 }, async () => {
    const args = ['tune', '--data', sample, '--model', 'lstm', '--grid', 'units=4,8;dropout=0,0.2', '--epochs', '1', '--limit', '100', '--maxlen', '30', '--max-features', '1000', '--batch-size', '25', '--seed', '1', '--json'];
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, RNN_WORKBENCH_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Kill it, as a crash would, once trial 1 has finished and trial 2 is training.
    let sweepFile = '';
    await expect
      .poll(
        async () => {
          const started = /"sweep":"([^"]+)"/.exec(stdout);
          if (started === null) return 'not started';
          sweepFile = path.join(home, 'sweeps', `${started[1]}.json`);
          const stored = JSON.parse(await readFile(sweepFile, 'utf8').catch(() => '{"trials":[]}')) as Sweep;
          return stored.trials[1]?.status;
        },
        { timeout: 300_000, interval: 200 },
      )
      .toBe('running');
    child.kill('SIGKILL');
    await exited;
    const before = lines(stdout);
    expect(before[0]).toMatchObject({ event: 'started', trials: 4, pending: 4 });
    expect(before.filter((line) => line['event'] === 'trial').map((line) => line['trial'])).toEqual([1]);
    const sweepId = before[0]!['sweep'] as string;
    const firstRun = (before[1] as { run: string }).run;

    const listed = JSON.parse(await readFile(sweepFile, 'utf8')) as Sweep;
    expect(listed.status).toBe('running');

    const resumed = await cli(['tune', '--resume', sweepId, '--json']);
    expect(resumed.stderr).not.toMatch(/rnn-workbench tune:/);
    expect(resumed.code).toBe(0);
    const after = lines(resumed.stdout);
    expect(after[0]).toMatchObject({ event: 'started', sweep: sweepId, trials: 4, pending: 3 });
    expect(after.slice(1, -1).map((line) => [line['event'], line['trial']])).toEqual([
      ['trial', 2],
      ['trial', 3],
      ['trial', 4],
    ]);
    const done = after.at(-1) as { event: string; status: string; trials: { trial: number; options: object; status: string; run: string; best_val_acc: number; epochs: number }[]; best: { trial: number; best_val_acc: number } };
    expect(done).toMatchObject({ event: 'done', status: 'done' });
    expect(done.trials.map((t) => t.options)).toEqual([
      { units: 4, dropout: 0 },
      { units: 4, dropout: 0.2 },
      { units: 8, dropout: 0 },
      { units: 8, dropout: 0.2 },
    ]);
    for (const trial of done.trials) {
      expect(trial).toMatchObject({ status: 'done', epochs: 1 });
      expect(trial.best_val_acc).toBeGreaterThanOrEqual(0);
    }
    // Trial 1 was not trained again; the best is the highest best val_acc, the first of equals.
    expect(done.trials[0]!.run).toBe(firstRun);
    const top = Math.max(...done.trials.map((t) => t.best_val_acc));
    expect(done.best).toMatchObject({ trial: done.trials.find((t) => t.best_val_acc === top)!.trial, best_val_acc: top });
    expect((JSON.parse(await readFile(sweepFile, 'utf8')) as Sweep).status).toBe('done');
  });

  it('explains its arguments in one line', async () => {
    const noGrid = await cli(['tune', '--data', sample, '--model', 'lstm']);
    expect(noGrid.code).toBe(1);
    expect(noGrid.stderr).toBe("rnn-workbench tune: --grid is required: name=values;… such as 'units=16,32;dropout=0,0.2'. Received: nothing\n");
    const badGrid = await cli(['tune', '--data', sample, '--model', 'lstm', '--grid', 'units=0']);
    expect(badGrid.stderr).toBe('rnn-workbench tune: grid: units values must each be a positive integer. Received: "0"\n');
    const unknown = await cli(['tune', '--resume', '20260101-120000-abcdef']);
    expect(unknown.stderr).toMatch(/^rnn-workbench tune: No sweep with id 20260101-120000-abcdef in /);
  });
});
