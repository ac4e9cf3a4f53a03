// electron-builder burns electron-builder.yml's fuses into the packaged binary. Runs in plain Node: the
// Electron binary is replaced by a stand-in carrying only Electron's fuse wire, at stock Electron's defaults,
// which is all electron-builder and @electron/fuses read and write. The real binary's behaviour under the
// fuses is checked by the packaged-build describe in test/e2e/electron.test.ts.
// Slow (an electron-vite build, then ~25 s and ~350 MB of temp output), so it runs with RNN_WORKBENCH_PACKAGING=1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getCurrentFuseWire } from '@electron/fuses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packApp, RELEASE_FUSES, writeStandInElectron } from './support/package-app';
import { repoRoot } from './support/serve';

const skipReason =
  process.env.RNN_WORKBENCH_PACKAGING !== '1'
    ? 'packaging test skipped: set RNN_WORKBENCH_PACKAGING=1 (slow: builds and packs the app)'
    : process.platform !== 'linux'
      ? `packaging test skipped: the stand-in Electron has Linux's layout. Received platform: ${process.platform}`
      : undefined;

describe.skipIf(skipReason !== undefined)(`electron-builder --dir${skipReason ? ` — ${skipReason}` : ''}`, () => {
  let workDir: string;
  let executable: string;

  beforeAll(() => {
    const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: repoRoot, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    workDir = mkdtempSync(path.join(os.tmpdir(), 'rnn-workbench-packaging-'));
    writeStandInElectron(path.join(workDir, 'electron-dist'));
    executable = packApp(path.join(workDir, 'electron-dist'), path.join(workDir, 'out'));
  }, 300_000);

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("flips every release fuse away from stock Electron's default", async () => {
    expect(path.basename(executable)).toBe('rnn-workbench');
    expect(await getCurrentFuseWire(executable)).toMatchObject(RELEASE_FUSES);
  });
});
