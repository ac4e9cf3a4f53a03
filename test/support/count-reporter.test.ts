// The closing line CI reads must not hide a failure: a run whose setup failed says so.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './serve';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'count-reporter-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs vitest with only the count reporter on `specs` (file name → source) in a folder of their own; returns its stdout. */
function runVitest(specs: Record<string, string>): string {
  const root = mkdtempSync(path.join(dir, 'run-'));
  for (const [name, source] of Object.entries(specs)) writeFileSync(path.join(root, name), source);
  const reporter = path.join(repoRoot, 'test/support/count-reporter.ts');
  writeFileSync(path.join(root, 'vitest.config.mjs'), `export default { test: { include: ['*.test.ts'], reporters: [${JSON.stringify(reporter)}] } };\n`);
  // The outer run's VITEST_* variables would make the inner vitest think it runs inside a worker.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--root', root, '--config', path.join(root, 'vitest.config.mjs')], {
    cwd: root,
    encoding: 'utf8',
    env,
  });
  expect(result.status, result.stderr).not.toBe(0);
  return result.stdout;
}

describe('count reporter', () => {
  it('counts a suite and a file whose beforeAll threw as failed, and prints their errors', () => {
    const stdout = runVitest({
      'suite-setup.test.ts': `import { beforeAll, describe, expect, it } from 'vitest';
describe('a suite whose setup fails', () => {
  beforeAll(() => { throw new Error('the fixture could not be made'); });
  it('one', () => expect(1).toBe(1));
  it('two', () => expect(1).toBe(1));
});
it('outside the suite', () => expect(1).toBe(1));
`,
      'file-setup.test.ts': `import { beforeAll, expect, it } from 'vitest';
beforeAll(() => { throw new Error('the server did not start'); });
it('three', () => expect(1).toBe(1));
`,
    });
    const lines = stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('tests: 1 passed, 2 failed, 3 skipped');
    expect(stdout).toContain('failed outside a test: suite-setup.test.ts > a suite whose setup fails: Error: the fixture could not be made');
    expect(stdout).toContain('failed outside a test: file-setup.test.ts: Error: the server did not start');
  });

  it('counts a failing afterAll as failed beside the tests that passed', () => {
    const stdout = runVitest({
      'teardown.test.ts': `import { afterAll, expect, it } from 'vitest';
afterAll(() => { throw new Error('the temp folder could not be removed'); });
it('four', () => expect(1).toBe(1));
`,
    });
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('tests: 1 passed, 1 failed, 0 skipped');
    expect(stdout).toContain('failed outside a test: teardown.test.ts: Error: the temp folder could not be removed');
  });
});
