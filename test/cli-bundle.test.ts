// The CLI as `npm ci` leaves it: compiled to JavaScript in out/cli/ by scripts/build-cli.mjs, started by the bin,
// with the engine worker and the data parser as bundled entries of their own. The build goes into a package
// layout of its own (the bin copied, the rest linked), so out/cli/ of this checkout, which other tests' CLI
// processes may be running from, is left alone.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/serve';

const sample = path.resolve(repoRoot, '../shared/data/aclImdb-sample.tar.gz');
const recorder = path.join(repoRoot, 'test/support/record-imports.mjs');
let dir: string;
let pkg: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cli-bundle-'));
  pkg = path.join(dir, 'pkg');
  mkdirSync(path.join(pkg, 'bin'), { recursive: true });
  // Copied, not linked: Node runs a linked main module from its real path, which would be this checkout's bin.
  copyFileSync(path.join(repoRoot, 'bin/rnn-workbench.mjs'), path.join(pkg, 'bin/rnn-workbench.mjs'));
  for (const entry of ['node_modules', 'native', 'src-main', 'src-shared', 'package.json']) symlinkSync(path.join(repoRoot, entry), path.join(pkg, entry));
  const build = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/build-cli.mjs'), path.join(pkg, 'out/cli')], { encoding: 'utf8' });
  expect(build.status, build.stderr).toBe(0);
  // The build script warns instead of failing an install; here a warning is a failed build.
  expect(build.stderr).toBe('');
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the copied bin, recording every module URL it (and the parser process it forks) resolves. */
function cli(args: string[], record: string) {
  const env = {
    ...process.env,
    RNN_WORKBENCH_HOME: path.join(dir, 'home'),
    RNN_WORKBENCH_RECORD_IMPORTS: record,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import "${recorder}"`.trim(),
  };
  return spawnSync(process.execPath, [path.join(pkg, 'bin/rnn-workbench.mjs'), ...args], { encoding: 'utf8', env, maxBuffer: 1 << 24 });
}

const resolved = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
const bundled = (name: string): string => pathToFileURL(path.join(pkg, 'out/cli', name)).href;
const typescript = (urls: string[]): string[] => urls.filter((url) => url.startsWith('file:') && url.endsWith('.ts'));

describe('the compiled CLI', () => {
  it('answers summary and --version from out/cli/, compiling no TypeScript and loading no TensorFlow.js', () => {
    const record = path.join(dir, 'summary.txt');
    const summary = cli(['summary', '--model', 'lstm'], record);
    expect(summary.status, summary.stderr).toBe(0);
    expect(summary.stdout).toContain('Total params: 328,353');
    const urls = resolved(record);
    expect(urls).toContain(bundled('main.js'));
    expect(typescript(urls)).toEqual([]);
    expect(urls.filter((url) => url.includes('/@tensorflow/'))).toEqual([]);

    const version = cli(['--version'], path.join(dir, 'version.txt'));
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
  });

  it('trains a tiny model: the data parser and the engine worker start from their bundled entries', { timeout: 180_000 }, () => {
    const record = path.join(dir, 'train.txt');
    const args = ['train', '--data', sample, '--model', 'lstm', '--epochs', '1', '--maxlen', '20', '--limit', '100', '--batch-size', '50', '--json'];
    const train = cli(args, record);
    expect(train.status, train.stderr).toBe(0);
    const events = train.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { event: string }).event);
    expect(events).toEqual(['epoch', 'done']);
    const urls = resolved(record);
    // The forked parser process records too (it inherits the environment); the engine worker, a thread, is
    // started from the URL the bundle named, so the run above finishing is what shows it was found.
    expect(urls).toContain(bundled('data-worker.js'));
    expect(typescript(urls)).toEqual([]);
  });

  it('runs the sources through tsx when one of them is newer than the build', () => {
    const record = path.join(dir, 'stale.txt');
    const built = path.join(pkg, 'out/cli/main.js');
    // Ages the build instead of touching a source, which is this checkout's (linked).
    const past = new Date(Date.now() - 365 * 24 * 3600 * 1000);
    utimesSync(built, past, past);
    const summary = cli(['summary', '--model', 'lstm'], record);
    expect(summary.status, summary.stderr).toBe(0);
    expect(summary.stdout).toContain('Total params: 328,353');
    const urls = resolved(record);
    expect(urls).not.toContain(bundled('main.js'));
    // Node resolves the linked folder to this checkout's real path.
    expect(urls).toContain(pathToFileURL(path.join(repoRoot, 'src-main/cli/main.ts')).href);
  });
});
