import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProject } from '../../src-shared/project';
import { TEMP_MARKER } from '../platform/atomic-file';
import { DAMAGED_DRAFT_FILE, DRAFT_FILE, DraftStore } from './draft-store';

const DEAD_PID = 2 ** 22 + 12345;
let dataDir: string;
beforeEach(async () => {
  dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'draft-store-')), 'home');
});
afterEach(async () => {
  await rm(path.dirname(dataDir), { recursive: true, force: true });
});

const withUnits = (units: number) => createProject([{ id: 'dense', kind: 'Dense', options: { units } }]);

describe('draft store', () => {
  it('writes the draft into a new data folder and reads it back, with no temp left', async () => {
    const store = new DraftStore(dataDir);
    expect(await store.read()).toEqual({ draft: null });
    await store.save('My model', withUnits(3));
    const reading = await store.read();
    expect(reading.problem).toBeUndefined();
    expect(reading.draft).toMatchObject({ name: 'My model', project: withUnits(3) });
    expect(Date.parse(reading.draft!.savedAt)).not.toBeNaN();
    expect(await readdir(dataDir)).toEqual([DRAFT_FILE]);
    await store.discard();
    expect(await store.read()).toEqual({ draft: null });
    await expect(store.discard()).resolves.toBeUndefined();
  });

  it('keeps the order calls were made in: a later write or discard always wins', async () => {
    const store = new DraftStore(dataDir);
    const calls = [store.save('a', withUnits(1)), store.save('b', withUnits(2)), store.discard(), store.save('c', withUnits(3))];
    await Promise.all(calls);
    expect((await store.read()).draft?.name).toBe('c');
    await Promise.all([store.save('d', withUnits(4)), store.discard()]);
    expect(await store.read()).toEqual({ draft: null });
  });

  it('refuses a draft that is not a project, keeping the previous one', async () => {
    const store = new DraftStore(dataDir);
    await store.save('good', withUnits(1));
    await expect(store.save('bad', { version: 1, layers: 3 })).rejects.toThrow('draft: layers must be a list of layers. Received: 3');
    expect((await store.read()).draft?.name).toBe('good');
  });

  it.each([
    ['invalid JSON', '{"savedAt": ', 'draft.json must be a JSON draft. Received: invalid JSON'],
    ['a list', '[1, 2]', 'draft.json must be a draft object {savedAt, name, project}. Received: a list'],
    ['no date', '{"name": "x", "project": {"version": 1, "layers": []}}', 'draft.json: savedAt must be an ISO date. Received: nothing'],
    ['a broken project', '{"savedAt": "2026-01-01T00:00:00Z", "name": "x", "project": {"version": 1, "layers": 3}}', 'draft.json: project: layers must be a list of layers. Received: 3'],
  ])('reports a damaged draft (%s), sets it aside and offers nothing after', async (_case, text, message) => {
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, DRAFT_FILE), text);
    const store = new DraftStore(dataDir);
    const reading = await store.read();
    expect(reading.draft).toBeNull();
    expect(reading.problem).toContain(`The autosaved draft could not be restored: ${path.join(dataDir, message)}`);
    expect(reading.problem).toMatch(new RegExp(`It was set aside as ${path.join(dataDir, DAMAGED_DRAFT_FILE).replace(/[.\\/]/g, '\\$&')}\\.$`));
    expect(await readFile(path.join(dataDir, DAMAGED_DRAFT_FILE), 'utf8')).toBe(text);
    expect(await store.read()).toEqual({ draft: null });
  });

  it('sweeps the temp of a draft write that was killed, on the next start', async () => {
    await mkdir(dataDir, { recursive: true });
    const stray = `${TEMP_MARKER}${DRAFT_FILE}-${DEAD_PID}-abcdef12`;
    await writeFile(path.join(dataDir, stray), '{"savedAt": "2026');
    await writeFile(path.join(dataDir, 'keep.json'), '{}');
    expect(await new DraftStore(dataDir).read()).toEqual({ draft: null });
    expect(await readdir(dataDir)).toEqual(['keep.json']);
  });
});
