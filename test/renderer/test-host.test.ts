// Renderer logic over the test host: the main side's own workbench in this process, no server, no window.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkbench, type Workbench } from '../../src-main/services/workbench';
import { getPreset } from '../../src-shared/presets';
import { createTestHost } from '../../src-renderer/src/host/test-host';
import { DraftKeeper } from '../../src-renderer/src/lib/drafts.svelte';
import { Project } from '../../src-renderer/src/lib/project.svelte';
import { calibrate } from '../../src-renderer/src/lib/projection';
import { RunsStore } from '../../src-renderer/src/lib/runs.svelte';

let dataDir: string;
let workbench: Workbench;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'rnn-workbench-test-host-'));
  workbench = createWorkbench({ dataDir, host: 'web' });
});

afterEach(async () => {
  await workbench.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('renderer logic on the test host', () => {
  it('autosaves a changed project as the draft, offers it to the next launch and restores it', async () => {
    const errors: string[] = [];
    const host = createTestHost(workbench);
    const project = new Project();
    const drafts = new DraftKeeper(host, project, (text) => errors.push(text));
    expect(drafts.schedule()).toBeUndefined();
    project.editor.replace(getPreset('gru')!.layers);
    project.name = 'Mine';
    drafts.schedule();
    await expect.poll(async () => (await workbench.readDraft({})).draft?.name).toBe('Mine');

    const next = new Project();
    const offered = new DraftKeeper(host, next, (text) => errors.push(text));
    await offered.check();
    expect(offered.offered?.project.layers.map((layer) => layer.kind)).toEqual(['Embedding', 'GRU', 'Dense']);
    offered.restore();
    expect(next.name).toBe('Mine');
    expect(next.editor.layers.map((layer) => layer.kind)).toEqual(['Embedding', 'GRU', 'Dense']);
    // Restored, it is not saved anywhere yet.
    expect(next.dirty).toBe(true);
    expect(errors).toEqual([]);
  });

  it('finds no speed to project from and no runs in a fresh data folder', async () => {
    const host = createTestHost(workbench);
    expect(await calibrate(host.api)).toBeUndefined();
    const store = new RunsStore(host);
    await store.load();
    expect(store.runs).toEqual([]);
    expect(store.selectedId).toBeUndefined();
    expect(store.error).toBeUndefined();
  });

  it('reports a run that is not there under the list', async () => {
    const store = new RunsStore(createTestHost(workbench));
    expect(await store.record('no-such-run')).toBeUndefined();
    expect(store.error).toMatch(/no-such-run/);
  });
});
