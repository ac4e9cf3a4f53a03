#!/usr/bin/env node
// Compiles the CLI to JavaScript in out/cli/ with esbuild, so `rnn-workbench` starts without compiling TypeScript
// through tsx on every start. Runs from `npm ci` / `npm install` (the root package's install script) and as
// `npm run build:cli`; like the native build it must never fail the install: without out/cli/ the bin runs the
// sources through tsx. The engine worker and the data parser are entries of their own (named as in
// electron.vite.config.ts), since they start in a thread or process of their own; shared modules go to chunks.
// out/cli/inputs.json lists the sources the bundle was built from, so the bin can tell a stale bundle.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { register } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// An argument names another folder (the test builds into a package layout of its own, leaving out/cli/ alone).
const outdir = path.resolve(process.argv[2] ?? path.join(root, 'out/cli'));

try {
  // esbuild leaves the chunks of earlier builds behind, whose hashed names nothing imports any more.
  rmSync(outdir, { recursive: true, force: true });
  register();
  const { bundledEntryNames } = await import('../src-main/platform/entry-points.ts');
  const result = await build({
    absWorkingDir: root,
    entryPoints: {
      main: 'src-main/cli/main.ts',
      [bundledEntryNames.engineWorker]: 'src-main/jobs/worker.ts',
      [bundledEntryNames.dataParser]: 'src-main/data/worker.ts',
    },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Pure-ESM dependencies are bundled (tree-shaken, no module resolution at start: zod alone is a good part of
    // the start-up); TensorFlow.js and h5wasm load from node_modules, where they find their .wasm files, and
    // the CommonJS ones (ws, tar-stream) too, as an ESM bundle cannot `require` Node's built-ins for them.
    external: ['@tensorflow/*', 'h5wasm', 'ws', 'tar-stream', 'tsx', 'electron'],
    metafile: true,
    logLevel: 'warning',
  });
  writeFileSync(path.join(outdir, 'inputs.json'), JSON.stringify({ inputs: Object.keys(result.metafile.inputs) }, null, 1) + '\n');
} catch (error) {
  console.warn(`rnn-workbench: the CLI did not compile (${error instanceof Error ? error.message : String(error)}); it will run from the TypeScript sources through tsx (slower to start).`);
}
