#!/usr/bin/env node
// Builds the fused recurrent kernels (native/) with node-gyp. Runs from `npm ci` / `npm install`
// (the root package's install script), so it must never fail the install: when the build fails the
// app runs tfjs-layers' recurrent layers instead, and `fusedStatus()` (shown by the CLI and the UI)
// says why. Set RNN_WORKBENCH_SKIP_NATIVE=1 to skip the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = path.join(root, 'native');

function nodeGypCommand() {
  // npm puts its bundled node-gyp on PATH for lifecycle scripts; outside npm, use the copy npm ships.
  if (process.env.npm_config_node_gyp) return [process.execPath, [process.env.npm_config_node_gyp]];
  const bundled = path.join(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  return existsSync(bundled) ? [process.execPath, [bundled]] : ['node-gyp', []];
}

// Headers of the running Node, when it was installed with them: builds offline, without a download.
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include/node/node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

if (process.env.RNN_WORKBENCH_SKIP_NATIVE === '1') {
  console.warn('rnn-workbench: skipping the native kernels (RNN_WORKBENCH_SKIP_NATIVE=1); recurrent layers will use tfjs-layers.');
  process.exit(0);
}

const [command, prefix] = nodeGypCommand();
const result = spawnSync(command, [...prefix, 'rebuild', ...nodedirArgs()], { cwd: nativeDir, stdio: 'inherit', shell: process.platform === 'win32' });
if (result.status !== 0) {
  const why = result.error ? result.error.message : `node-gyp exited with ${result.status}`;
  console.warn(`rnn-workbench: the native kernels did not build (${why}); recurrent layers will use tfjs-layers (slower).`);
}
