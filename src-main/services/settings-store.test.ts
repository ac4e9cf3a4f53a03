import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settingsChangeSchema } from '../../src-shared/settings';
import { SettingsStore } from './settings-store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rnn-workbench-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SettingsStore', () => {
  it('starts from the defaults and keeps each change, merged with the others', async () => {
    const store = new SettingsStore(dir);
    expect(await store.read()).toEqual({ theme: 'system', guideDismissed: false });
    await Promise.all([store.save({ theme: 'dark' }), store.save({ guideDismissed: true })]);
    expect(await new SettingsStore(dir).read()).toEqual({ theme: 'dark', guideDismissed: true });
    expect(JSON.parse(readFileSync(store.file, 'utf8'))).toEqual({ theme: 'dark', guideDismissed: true });
  });

  it('keeps what a change through the API leaves out', async () => {
    const store = new SettingsStore(dir);
    await store.save(settingsChangeSchema.parse({ theme: 'dark' }));
    expect(await store.save(settingsChangeSchema.parse({ guideDismissed: true }))).toEqual({ theme: 'dark', guideDismissed: true });
    expect(() => settingsChangeSchema.parse({ theme: 'purple' })).toThrow(/one of 'system', 'light', 'dark'/);
  });

  it('reads a damaged file as the defaults, and the next change replaces it', async () => {
    const store = new SettingsStore(dir);
    writeFileSync(store.file, '{"theme": "purple"');
    expect(await store.read()).toEqual({ theme: 'system', guideDismissed: false });
    expect(await store.save({ theme: 'light' })).toEqual({ theme: 'light', guideDismissed: false });
  });
});
