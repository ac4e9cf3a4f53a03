/**
 * `node --import tsx bench/summary.bench.ts`: how long `summarize` takes on a 20-layer stack, the
 * size the builder re-summarizes on every keystroke. Prints the median and the 99th percentile of
 * single calls against the 50 ms budget of one keystroke.
 */
import { summarize } from '../src-shared/model/summary';
import type { LayerSpec } from '../src-shared/model/types';

const kinds = ['LSTM', 'GRU', 'Bidirectional', 'SimpleRNN', 'SpatialDropout1D', 'Conv1D'];
const body: LayerSpec[] = Array.from({ length: 18 }, (_, i) => {
  const kind = kinds[i % kinds.length]!;
  const last = i === 17;
  if (kind === 'Bidirectional') return { id: `l${i}`, kind, options: { layer: { kind: 'LSTM', options: { return_sequences: !last } } } };
  if (kind === 'SpatialDropout1D') return { id: `l${i}`, kind, options: { rate: 0.2 } };
  if (kind === 'Conv1D') return { id: `l${i}`, kind, options: { filters: 32, kernel_size: 3, padding: 'same' } };
  return { id: `l${i}`, kind, options: { units: 32, return_sequences: !last } };
});
const stack: LayerSpec[] = [{ id: 'e', kind: 'Embedding', options: {} }, ...body, { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } }];

const check = summarize(stack, { maxlen: 500, maxFeatures: 10000 });
if (!check.valid || check.rows.length !== 20) throw new Error(`bench stack is not a valid 20-layer model: ${JSON.stringify(check.issues)}`);

for (let i = 0; i < 200; i += 1) summarize(stack, { maxlen: 500 });
const times: number[] = [];
for (let i = 0; i < 2000; i += 1) {
  // A fresh copy per call, as the editor hands over a new stack after each edit.
  const copy = structuredClone(stack);
  const start = performance.now();
  summarize(copy, { maxlen: 500, maxFeatures: 10000 });
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
const p99 = times[Math.floor(times.length * 0.99)]!;
console.log(`summarize, 20 layers: median ${median.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms (${(50 / p99).toFixed(0)}× under the 50 ms keystroke budget)`);
