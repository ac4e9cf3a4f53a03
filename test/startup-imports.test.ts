// What starting the app loads: TensorFlow.js takes a second or more and much memory to load, so the
// CLI and the web server start without it and only the engine worker loads it, when a job needs it
// (`.dependency-cruiser-startup.js` checks the same statically). The Electron main module's case runs in the
// desktop tier (test/desktop/desktop.test.ts), on the built bundle.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startServe } from './support/serve';

const recorder = path.join(repoRoot, 'test/support/record-imports.mjs');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'startup-imports-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Environment that makes a node process, and any node process it starts, record what it resolves into `file`. */
function recording(file: string): Record<string, string> {
  // The sources, not the compiled CLI in out/cli/ (test/cli-bundle.test.ts checks that): their import graph is what
  // names each module, and what the static check (.dependency-cruiser-startup.js) reads.
  return { RNN_WORKBENCH_FROM_SOURCES: '1', RNN_WORKBENCH_RECORD_IMPORTS: file, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import "${recorder}"`.trim() };
}

function resolved(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

const tensorflow = (urls: string[]): string[] => [...new Set(urls.filter((url) => url.includes('/node_modules/@tensorflow/')))];

describe('starting without TensorFlow.js', () => {
  it('the recorder sees TensorFlow.js where a module loads it, through tsx as the CLI runs', () => {
    const file = path.join(dir, 'engine.txt');
    const result = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "import { register } from 'tsx/esm/api'; register(); await import('./src-main/engine/backend.ts');"],
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...recording(file) } },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(tensorflow(resolved(file))).toContain(`file://${path.join(repoRoot, 'node_modules/@tensorflow/tfjs/dist/tf.node.js')}`);
  });

  it('rnn-workbench summary loads no @tensorflow/* module', () => {
    const file = path.join(dir, 'summary.txt');
    const result = spawnSync(process.execPath, [path.join(repoRoot, 'bin/rnn-workbench.mjs'), 'summary', '--model', 'lstm'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, ...recording(file) },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('Total params');
    const urls = resolved(file);
    // Every command module is loaded at start, so this covers the CLI's whole static import graph.
    expect(urls).toContain(`file://${path.join(repoRoot, 'src-main/cli/commands/train.ts')}`);
    expect(tensorflow(urls)).toEqual([]);
  });

  it('rnn-workbench serve loads no @tensorflow/* module at start', async () => {
    const file = path.join(dir, 'serve.txt');
    const served = await startServe(recording(file));
    try {
      // The page, as a browser opening the printed URL asks for it.
      const page = await fetch(served.url);
      expect(page.status).toBe(200);
    } finally {
      await served.stop();
    }
    const urls = resolved(file);
    expect(urls).toContain(`file://${path.join(repoRoot, 'src-main/server/web-server.ts')}`);
    expect(tensorflow(urls)).toEqual([]);
  });
});
