/**
 * `node --import tsx bench/export.bench.ts [--vocab N] [--dim N] [--units N] [--maxlen N]`: exporting a
 * run on the calling thread (as the CLI does) against through the app's API (the engine worker), on the
 * same run, in the same process, one format after another. Prints each export's wall time and the
 * longest the calling thread went without a turn of its event loop: how long the web server or the
 * Electron main process could answer nothing else. Default model: the Keras book's Embedding(10000, 32)
 * → LSTM(32) → Dense(1) at maxlen 500.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { exportRun, exportFormats, type ExportFormat } from '../src-main/export';
import { makeRunFolder, sampleTokenizer } from '../src-main/export/test-fixtures';
import { createWorkbench } from '../src-main/services/workbench';

const { values } = parseArgs({
  options: { vocab: { type: 'string', default: '10000' }, dim: { type: 'string', default: '32' }, units: { type: 'string', default: '32' }, maxlen: { type: 'string', default: '500' } },
});
const [vocab, dim, units, maxlen] = [values.vocab, values.dim, values.units, values.maxlen].map(Number) as [number, number, number, number];

/** Runs `job` while a 1 ms timer watches this thread; returns the wall time and the longest gap between ticks. */
async function timed(job: () => Promise<unknown>): Promise<{ ms: number; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 1);
  const started = performance.now();
  last = started;
  try {
    await job();
    return { ms: performance.now() - started, stallMs };
  } finally {
    clearInterval(tick);
  }
}

const root = await mkdtemp(path.join(tmpdir(), 'rnn-export-bench-'));
try {
  const dataDir = path.join(root, 'data');
  const runId = '20261128-060000-abcdef';
  const layers = [
    { id: 'e', kind: 'Embedding', options: { input_dim: vocab, output_dim: dim } },
    { id: 'l', kind: 'LSTM', options: { units } },
    { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
  ];
  await makeRunFolder(path.join(dataDir, 'runs', runId), layers, sampleTokenizer(vocab, maxlen));
  const workbench = createWorkbench({ dataDir, host: 'web' });
  console.log(`Embedding(${vocab}, ${dim}) → LSTM(${units}) → Dense(1), maxlen ${maxlen}`);
  console.log('format    | calling thread: ms, longest stall | engine worker: ms, longest stall');
  // The first of each includes loading the exporter (this thread) or starting the worker.
  for (const format of ['tfjs', ...exportFormats] as ExportFormat[]) {
    const here = await timed(() => exportRun({ runDir: path.join(dataDir, 'runs', runId), out: path.join(root, `${format}-${Math.random()}`), format }));
    const worker = await timed(() => workbench.exportRun({ runId, out: path.join(root, `${format}-${Math.random()}`), format }));
    console.log(`${format.padEnd(9)} | ${here.ms.toFixed(0).padStart(6)} ms, ${here.stallMs.toFixed(0).padStart(5)} ms | ${worker.ms.toFixed(0).padStart(6)} ms, ${worker.stallMs.toFixed(0).padStart(5)} ms`);
  }
  await workbench.dispose();
} finally {
  await rm(root, { recursive: true, force: true });
}
