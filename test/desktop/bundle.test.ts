// What ships is what is tested: every module of the built main bundle loads in Node from where it lies, and each
// entry that starts in a thread or process of its own starts in that kind (and refuses the others plainly).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src-main/data';
import { entryUrl, useBundledEntries } from '../../src-main/platform/entry-points';
import { repoRoot } from '../support/serve';
import { SAMPLE_DATA } from './flows';

const mainDir = path.join(repoRoot, 'out/main');
const chunks = readdirSync(path.join(mainDir, 'chunks')).filter((name) => name.endsWith('.js'));
const work = mkdtempSync(path.join(os.tmpdir(), 'rnn-workbench-bundle-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Imports a module in a fresh Node process, as a user's machine would; returns its exit status and stderr. */
function importInNode(file: string): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(file).href)})`], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stderr: result.stderr };
}

describe('the built main bundle (out/main)', () => {
  it('has shared chunks', () => {
    expect(chunks.length).toBeGreaterThan(0);
  });

  it.each(chunks)('chunks/%s loads in plain Node from where it lies', (chunk) => {
    const { status, stderr } = importInNode(path.join(mainDir, 'chunks', chunk));
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });

  it('control for the desktop tier\'s startup check: loading a chunk with TensorFlow.js sets its global engine', () => {
    const withTf = chunks.find((chunk) => readFileSync(path.join(mainDir, 'chunks', chunk), 'utf8').includes('from "@tensorflow/tfjs"'))!;
    const url = pathToFileURL(path.join(mainDir, 'chunks', withTf)).href;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(url)}); process.stdout.write(typeof globalThis._tfengine)`], { encoding: 'utf8' });
    expect(result.stdout).toBe('object');
  });

  it('engine-worker.js answers in a worker thread, and refuses to run as a process', async () => {
    const worker = new Worker(path.join(mainDir, 'engine-worker.js'));
    try {
      const reply = await new Promise<{ type: string; engine?: { backend: string } }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage({ type: 'probe' });
      });
      expect(reply).toMatchObject({ type: 'probed', engine: { backend: expect.stringMatching(/^(tensorflow|wasm|cpu)$/) } });
    } finally {
      await worker.terminate();
    }
    const asProcess = importInNode(path.join(mainDir, 'engine-worker.js'));
    expect(asProcess.status).not.toBe(0);
    expect(asProcess.stderr).toContain('must run in a worker thread');
  }, 120_000);

  it('data-worker.js parses in a child process it is forked as, and refuses to run without a parent channel', async () => {
    useBundledEntries(mainDir);
    expect(entryUrl('dataParser', new URL('file:///from-sources.mjs'))).toEqual(pathToFileURL(path.join(mainDir, 'data-worker.js')));
    const dataset = await loadDataset(SAMPLE_DATA, { maxFeatures: 1000, maxlen: 40 }, { dataDir: work });
    expect([dataset.train.count, dataset.test.count]).toEqual([1000, 500]);
    const alone = importInNode(path.join(mainDir, 'data-worker.js'));
    expect(alone.status).not.toBe(0);
    expect(alone.stderr).toContain('must run as a child process with an IPC channel');
  }, 120_000);
});
