/**
 * `node --import tsx bench/summary.bench.ts`: how long `summarize` takes on a 20-layer stack, the
 * size the builder re-summarizes on every keystroke. Prints the median and the 99th percentile of
 * single calls against the 50 ms budget of one keystroke.
 */
import { summarize } from '../src-shared/model/summary';
import type { LayerSpec } from '../src-shared/model/types';

const kinds = ['LSTM', 'GRU', 'Bidirectional', 'SimpleRNN', 'SpatialDropout1D', 'Conv1D'];
const body: LayerSpec[] = Array.from({ length: 18 }, (_, i) => {
  const last = i === 17;
  const kind = last ? 'LSTM' : kinds[i % kinds.length]!;
  if (kind === 'Bidirectional') return { id: `l${i}`, kind, options: { layer: { kind: 'LSTM', options: { return_sequences: !last } } } };
  if (kind === 'SpatialDropout1D') return { id: `l${i}`, kind, options: { rate: 0.2 } };
  if (kind === 'Conv1D') return { id: `l${i}`, kind, options: { filters: 32, kernel_size: 3, padding: 'same' } };
  return { id: `l${i}`, kind, options: { units: 32, return_sequences: !last } };
});
const stack: LayerSpec[] = [{ id: 'e', kind: 'Embedding', options: {} }, ...body, { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } }];

const check = summarize(stack, { maxlen: 500, maxFeatures: 10000 });
if (!check.valid || check.rows.length !== 20) throw new Error(`bench stack is not a valid 20-layer model: ${JSON.stringify(check.issues)}`);

for (let i = 0; i < 200; i += 1) summarize(stack, { maxlen: 500 });
const runs = 2000;
const times: number[] = [];
let cpuMicros = 0;
for (let i = 0; i < runs; i += 1) {
  // A fresh copy per call, as the editor hands over a new stack after each edit.
  const copy = structuredClone(stack);
  const cpu = process.cpuUsage();
  const start = performance.now();
  summarize(copy, { maxlen: 500, maxFeatures: 10000 });
  times.push(performance.now() - start);
  const used = process.cpuUsage(cpu);
  cpuMicros += used.user + used.system;
}
times.sort((a, b) => a - b);
const median = times[Math.floor(runs / 2)]!;
const p99 = times[Math.floor(runs * 0.99)]!;
// On a shared machine the wall-clock tail includes time the process was not scheduled; CPU time does not.
console.log(
  `summarize, 20 layers: median ${median.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms wall; ` +
    `${(cpuMicros / runs / 1000).toFixed(3)} ms CPU per call on average (budget: 50 ms per keystroke)`,
);
