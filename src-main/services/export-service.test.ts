import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../src-shared/errors';
import { loadExport } from '../export';
import { lstmStack, makeRunFolder, sampleTokenizer } from '../export/test-fixtures';
import { createWorkbench, type Workbench } from './workbench';

let root: string;
let dataDir: string;
let workbench: Workbench;
let runId: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rnn-export-service-'));
  dataDir = path.join(root, 'data');
  // Big enough that writing it takes a few file syncs, small enough to export in well under a second.
  const { record } = await makeRunFolder(path.join(dataDir, 'runs', '20261128-060000-abcdef'), lstmStack(2000), sampleTokenizer(2000, 64), 5);
  runId = record.id;
  workbench = createWorkbench({ dataDir, host: 'web' });
});

afterAll(async () => {
  await workbench?.dispose();
  await rm(root, { recursive: true, force: true });
});

/** Names in `dir` that an export left besides its target: temps and set-aside old exports. */
async function strays(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('.tmp-export-') || name.startsWith('.old-export-'));
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Calls `cancelExport` as soon as an export's temp appears in `dir`: mid-write, before it is renamed into place. */
function cancelWhenTempAppears(dir: string): { cancelled: Promise<void> } {
  let resolve!: () => void;
  const cancelled = new Promise<void>((r) => (resolve = r));
  const watcher = watch(dir, (_event, name) => {
    if (name?.startsWith('.tmp-export-')) {
      watcher.close();
      void workbench.cancelExport({}).then(resolve);
    }
  });
  return { cancelled };
}

describe('exports and imports in the engine worker', () => {
  it('keeps the main thread answering while an export runs', async () => {
    const out = path.join(root, 'responsive');
    const order: string[] = [];
    const idle = performance.eventLoopUtilization();
    const exported = workbench.exportRun({ runId, out }).then((result) => {
      order.push('export');
      return result;
    });
    const listed = workbench.listRuns({}).then((runs) => {
      order.push('listRuns');
      return runs;
    });
    const fetched = workbench.getRun({ runId }).then((run) => {
      order.push('getRun');
      return run;
    });
    const [result, runs, run] = await Promise.all([exported, listed, fetched]);
    const busy = performance.eventLoopUtilization(idle);
    expect(order.indexOf('export')).toBe(2);
    expect(runs.map((r) => r.id)).toEqual([runId]);
    expect(run.id).toBe(runId);
    // The model is loaded and written by the worker: this thread spent most of the export waiting.
    expect(busy.utilization).toBeLessThan(0.5);
    expect(result.out).toBe(out);
    expect((await loadExport(out)).metadata.run.id).toBe(runId);
    expect(await strays(root)).toEqual([]);
  });

  it('imports an export off the main thread as a new run', async () => {
    const summary = await workbench.importModel({ path: path.join(root, 'responsive') });
    expect(summary.name).toMatch(/\(imported\)$/);
    expect((await workbench.listRuns({})).map((r) => r.id).sort()).toEqual([runId, summary.id].sort());
    expect(await strays(path.join(dataDir, 'runs'))).toEqual([]);
  });

  it('cancelled mid-write of a file: rejects with cancelled, leaves no temp and no target', async () => {
    const dir = path.join(root, 'cancel-zip');
    await mkdir(dir);
    const out = path.join(dir, 'model.zip');
    const cancel = cancelWhenTempAppears(dir);
    const error = await workbench.exportRun({ runId, out }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    await cancel.cancelled;
    expect(error).toBeInstanceOf(WorkbenchError);
    expect(error).toMatchObject({ code: 'cancelled', message: `The export was cancelled; nothing was written at ${out}.` });
    expect(await readdir(dir)).toEqual([]);
  });

  it('cancelled mid-write of a folder replacing an export (force): no temp, the old one stays whole', async () => {
    const dir = path.join(root, 'cancel-force');
    await mkdir(dir);
    const out = path.join(dir, 'model');
    await workbench.exportRun({ runId, out });
    const before = await readFile(path.join(out, 'metadata.json'), 'utf8');
    const cancel = cancelWhenTempAppears(dir);
    await expect(workbench.exportRun({ runId, out, force: true })).rejects.toMatchObject({ code: 'cancelled' });
    await cancel.cancelled;
    expect(await readdir(dir)).toEqual(['model']);
    expect(await readFile(path.join(out, 'metadata.json'), 'utf8')).toBe(before);
    await loadExport(out);
  });

  it('a worker ended mid-write (the app quitting) leaves no temp and no target', async () => {
    const dir = path.join(root, 'quit');
    await mkdir(dir);
    const other = createWorkbench({ dataDir, host: 'web' });
    const out = path.join(dir, 'model');
    let quitting: Promise<void> | undefined;
    const watcher = watch(dir, (_event, name) => {
      if (!name?.startsWith('.tmp-export-')) return;
      watcher.close();
      quitting = other.dispose();
    });
    await expect(other.exportRun({ runId, out })).rejects.toMatchObject({ code: 'cancelled', message: 'The engine worker was closed before the job finished.' });
    await quitting;
    expect(await readdir(dir)).toEqual([]);
  });

  it('cancelled before the worker starts it, or while it waits behind another job; the next export works', async () => {
    const first = path.join(root, 'queued-first');
    const second = path.join(root, 'queued-second');
    // Both outcomes are awaited from the start: the queued one rejects first, and an unhandled rejection ends the process.
    const running = expect(workbench.exportRun({ runId, out: first })).rejects.toMatchObject({ code: 'cancelled' });
    const waiting = expect(workbench.exportRun({ runId, out: second })).rejects.toMatchObject({ code: 'cancelled' });
    await workbench.cancelExport({});
    await running;
    await waiting;
    expect(await exists(first)).toBe(false);
    expect(await exists(second)).toBe(false);
    // A cancel with nothing running is a no-op, and the engine starts again for the next job.
    await workbench.cancelExport({});
    await workbench.exportRun({ runId, out: second });
    await loadExport(second);
    expect(await strays(root)).toEqual([]);
  });

  it('keeps the code and message of an export error from the worker', async () => {
    await expect(workbench.exportRun({ runId, out: path.join(root, 'responsive') })).rejects.toMatchObject({
      code: 'conflict',
      message: `${path.join(root, 'responsive')} already exists. Expected a new path, or confirm replacing it (CLI: --force). Received: an existing responsive`,
    });
    await expect(workbench.exportRun({ runId, out: path.join(root, 'nope', 'model') })).rejects.toMatchObject({
      code: 'bad_input',
      message: `Cannot export to ${path.join(root, 'nope', 'model')}: expected a writable folder to put it in. Received: ${path.join(root, 'nope')}, which does not exist`,
    });
    await expect(workbench.importModel({ path: path.join(root, 'nope') })).rejects.toMatchObject({ code: 'not_found' });
  });
});
