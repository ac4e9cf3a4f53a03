#!/usr/bin/env node
// Starts the CLI from its compiled JavaScript in out/cli/ (scripts/build-cli.mjs, run at install and by
// `npm run build:cli`), which starts in a fraction of the time tsx takes to compile the sources on every start.
// It runs the TypeScript sources through tsx instead when the build is absent (it failed, or was skipped) or
// older than a source it was built from (a checkout being edited), so what runs is always the current code;
// RNN_WORKBENCH_FROM_SOURCES=1 asks for the sources regardless (the tests that record what the sources load).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// This file never moves, so the package's folder is found from here and named to the CLI.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundleDir = path.join(root, 'out/cli');

function bundleIsCurrent() {
  try {
    const built = statSync(path.join(bundleDir, 'main.js')).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(path.join(bundleDir, 'inputs.json'), 'utf8'));
    return inputs.every((file) => statSync(path.join(root, file)).mtimeMs <= built);
  } catch {
    // No bundle, no list, or a source it was built from is gone: the sources are what to run.
    return false;
  }
}

let cli;
if (process.env.RNN_WORKBENCH_FROM_SOURCES !== '1' && bundleIsCurrent()) {
  cli = await import(pathToFileURL(path.join(bundleDir, 'main.js')).href);
  cli.useBundledEntries(bundleDir);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src-main/cli/main.ts');
}
cli.usePackageRoot(root);
process.exitCode = await cli.main(process.argv.slice(2));
