import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src-shared/training';
import { TEMP_MARKER, writeFileAtomic } from '../platform/atomic-file';
import { RunStore, newRunId } from './run-store';

let root: string;

function record(id: string, status: RunRecord['status'], pid?: number): RunRecord {
  const now = new Date().toISOString();
  return {
    version: 1,
    id,
    name: 'LSTM(32)',
    status,
    createdAt: now,
    updatedAt: now,
    epochs: 2,
    epochsDone: 1,
    project: {},
    training: { epochs: 2, batchSize: 8, validationSplit: 0.2, optimizer: { name: 'rmsprop', learningRate: 0.001, rho: 0.9, epsilon: 1e-7 } },
    dataset: { path: '/data', fingerprint: 'f', options: { maxFeatures: 10, maxlen: 5 }, trainCount: 8, validationCount: 2, testCount: 4 },
    history: [],
    pid,
    warnings: [],
  };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rnn-runs-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('RunStore', () => {
  it('lists runs newest first, marks dead running runs interrupted, and sweeps dead writers\u2019 temp files only', async () => {
    const store = new RunStore(root);
    const older = newRunId(new Date('2026-01-01T10:00:00Z'));
    const newer = newRunId(new Date('2026-01-02T10:00:00Z'));
    await store.create(record(older, 'done'));
    await store.create(record(newer, 'running', 2 ** 22 + 12345));
    const deadTemp = path.join(store.dir(older), `${TEMP_MARKER}run.json-${2 ** 22 + 12345}-abcdef12`);
    const liveTemp = path.join(store.dir(older), `${TEMP_MARKER}weights.bin-${process.pid}-abcdef12`);
    await writeFile(deadTemp, 'half');
    await writeFile(liveTemp, 'in progress');
    await mkdir(path.join(root, 'runs', 'not-a-run'));

    const runs = await store.list();
    expect(runs.map((run) => [run.id, run.status])).toEqual([
      [newer, 'interrupted'],
      [older, 'done'],
    ]);
    expect(await readdir(store.dir(older))).toEqual(expect.arrayContaining([path.basename(liveTemp)]));
    expect(await readdir(store.dir(older))).not.toContain(path.basename(deadTemp));
  });

  it('refuses ids that could leave the store and reports missing runs', async () => {
    const store = new RunStore(root);
    expect(() => store.dir('../x')).toThrow('runId must look like 20260101-120000-a1b2c3. Received: "../x"');
    await expect(store.get('20990101-000000-abcdef')).rejects.toThrow(/No run with id 20990101-000000-abcdef/);
  });

  it('deletes a run whole and copies one to a new folder, refusing a non-empty target', async () => {
    const store = new RunStore(root);
    const id = newRunId();
    const dir = await store.create(record(id, 'done'));
    await writeFileAtomic(path.join(dir, 'weights.bin'), new Uint8Array([1, 2, 3]));
    const target = path.join(root, 'copy');
    await RunStore.copyTo(dir, target);
    expect((await readdir(target)).sort()).toEqual(['run.json', 'weights.bin']);
    await expect(RunStore.copyTo(dir, target)).rejects.toThrow(`--out must be a new or empty folder. Received: ${target} (not empty)`);
    await store.delete(id);
    expect((await store.list()).map((run) => run.id)).not.toContain(id);
    expect((await readdir(path.join(root, 'runs'))).filter((name) => name.startsWith(TEMP_MARKER))).toEqual([]);
  });
});
