import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs helper shared with `npm start`; it has no type declarations.
import { findElectronBinary } from '../scripts/electron-binary.mjs';
import { repoRoot } from './support/serve';

const installed = (findElectronBinary() as { binary?: string }).binary !== undefined;

describe('npm start', () => {
  it('exits non-zero when ELECTRON_OVERRIDE_DIST_PATH names no binary and names npm run serve, with no stack trace', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'no-electron-'));
    const result = spawnSync(process.execPath, ['scripts/start.mjs'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty },
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('npm run serve');
    expect(result.stderr).not.toContain('downloading it once');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  // Electron's installer, pointed at a mirror that refuses connections, fails as it would offline.
  it.skipIf(installed)('runs Electron\'s installer once where the binary is missing, and names npm run serve with the installer\'s reason when it fails', () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'electron-cache-'));
    const { ELECTRON_OVERRIDE_DIST_PATH: _unset, ...env } = process.env;
    const result = spawnSync(process.execPath, ['scripts/start.mjs'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: cache },
      timeout: 120_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('downloading it once (npx install-electron)');
    expect(result.stderr).toMatch(/Electron's installer could not install it: .*fetch failed/);
    expect(result.stderr).toContain('npm run serve');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
