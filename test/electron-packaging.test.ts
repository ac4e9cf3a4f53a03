// electron-builder burns electron-builder.yml's fuses into the packaged binary. Runs in plain Node: the
// Electron binary is replaced by a stand-in carrying only Electron's fuse wire, at stock Electron's defaults,
// which is all electron-builder and @electron/fuses read and write. The real binary's behaviour under the
// fuses is checked by the packaged-build describe in test/e2e/electron.test.ts.
// Slow (an electron-vite build, then ~25 s and ~350 MB of temp output), so it runs with RNN_WORKBENCH_PACKAGING=1.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
// @electron/fuses 1.x exports the fuse states only from this module.
import { FuseState, SENTINEL } from '@electron/fuses/dist/constants';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packApp, RELEASE_FUSES } from './support/package-app';
import { repoRoot } from './support/serve';

const skipReason =
  process.env.RNN_WORKBENCH_PACKAGING !== '1'
    ? 'packaging test skipped: set RNN_WORKBENCH_PACKAGING=1 (slow: builds and packs the app)'
    : process.platform !== 'linux'
      ? `packaging test skipped: the stand-in Electron has Linux's layout. Received platform: ${process.platform}`
      : undefined;

/** Stock Electron's fuse wire: Node mode, NODE_OPTIONS, --inspect and file:// privileges on; asar checks off. */
const STOCK_WIRE: Record<FuseV1Options, FuseState> = {
  [FuseV1Options.RunAsNode]: FuseState.ENABLE,
  [FuseV1Options.EnableCookieEncryption]: FuseState.DISABLE,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: FuseState.ENABLE,
  [FuseV1Options.EnableNodeCliInspectArguments]: FuseState.ENABLE,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: FuseState.DISABLE,
  [FuseV1Options.OnlyLoadAppFromAsar]: FuseState.DISABLE,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: FuseState.DISABLE,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: FuseState.ENABLE,
};

/** Writes a stand-in `electron` whose only content Electron tooling reads is the fuse wire (version 1). */
function writeStandInElectron(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const wire = Object.values(FuseV1Options)
    .filter((option): option is FuseV1Options => typeof option === 'number')
    .map((option) => STOCK_WIRE[option]);
  writeFileSync(path.join(dir, 'electron'), Buffer.concat([Buffer.from(SENTINEL), Buffer.from([1, wire.length, ...wire])]), { mode: 0o755 });
}

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
