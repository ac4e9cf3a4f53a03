import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/serve';

describe('npm start', () => {
  it('exits non-zero without the Electron binary and names npm run serve, with no stack trace', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'no-electron-'));
    const result = spawnSync(process.execPath, ['scripts/start.mjs'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty },
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('npm run serve');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
