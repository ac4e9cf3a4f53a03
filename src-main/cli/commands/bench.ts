import path from 'node:path';
import { backendNames, parseBackendName } from '../../engine/backend-names';
import { benchCells, type BenchCell } from '../../engine/bench-cells';
import type { BenchResult } from '../../engine/benchmark';
import { packageRoot } from '../../platform/package-root';
import { parseFlags } from '../flags';
import { UsageError, type Command } from '../command';

/** The multiply-add rate of an app line, and its fraction of the peak when the peak was measured. */
function rate(r: BenchResult): string {
  if (r.macsPerSecond === undefined) return '';
  const achieved = ` ${(r.macsPerSecond / 1e9).toFixed(1).padStart(6)} GMAC/s`;
  if (r.peakMacsPerSecond === undefined || r.peakFraction === undefined) return achieved;
  return `${achieved} = ${(r.peakFraction * 100).toFixed(1)}% of the measured peak ${(r.peakMacsPerSecond / 1e9).toFixed(1)} GMAC/s`;
}

const phaseNames: Record<string, string> = {
  batchPreparation: 'batch prep',
  embeddingForward: 'embedding fwd',
  embeddingBackward: 'embedding bwd',
  recurrentForward: 'recurrent fwd',
  recurrentBackward: 'recurrent bwd',
  head: 'head+loss+autodiff',
  optimizer: 'optimizer',
  validation: 'validation',
};

/** The inference figures of an app line, beside the issue's budgets for them. */
function inferenceLine(r: BenchResult): string | undefined {
  if (r.predictMs === undefined || r.evaluateSeconds === undefined) return undefined;
  return `${''.padEnd(10)} inference: one typed review ${r.predictMs.toFixed(1)} ms (median of 100; budget 20 ms) · evaluating 25,000 reviews ${r.evaluateSeconds.toFixed(1)} s (budget 10 s)`;
}

/** The per-phase profile of an app line, in seconds of the projected epoch. */
function profileLine(r: BenchResult): string | undefined {
  if (r.profile === undefined) return undefined;
  const parts = Object.entries(r.profile).map(([phase, seconds]) => `${phaseNames[phase] ?? phase} ${seconds.toFixed(2)}`);
  return `${''.padEnd(10)} profile, s/epoch: ${parts.join(' · ')}`;
}

export const bench: Command = {
  summary: 'Time IMDb-sized training steps (batch 128, maxlen 500) and project an epoch',
  usage: [
    'Usage: rnn-workbench bench --cell lstm|gru|simplernn [--batches 5] [--json]',
    '       rnn-workbench bench --all [--batches 5] [--json]',
    '',
    'Times training steps of Embedding(10000, 32) -> <cell>(32) -> Dense(1) with RMSprop on synthetic',
    'IMDb-shaped data and projects one epoch of 20,000 training + 5,000 validation reviews.',
    '',
    '  --cell NAME      lstm, gru or simplernn',
    '  --all            Every cell, plus the PyTorch reference (bench/torch_rnn_bench.py) when a python3',
    '                   with torch is installed ($RNN_WORKBENCH_PYTHON picks one), and the ratios',
    '  --batches N      Timed training steps per cell, after one warm-up step (default 5)',
    '  --path NAME      fused (default; the native kernels, falling back when unavailable) or layers',
    `  --backend NAME   TensorFlow.js backend: ${backendNames.join(', ')} (default: the engine's choice)`,
    '  --json           One JSON object per line: {"cell","backend","path","msPerBatch","epochSeconds","cpuMsPerBatch",',
    '                   "macsPerSecond","peakMacsPerSecond","peakFraction","profile","predictMs","evaluateSeconds"}',
    '',
    'Each of the app\'s lines also gives the epoch\'s multiply-add rate and its fraction of the machine\'s peak,',
    'measured right after the cell by a tight multiply-add loop on the native kernels\' threads, and a profile:',
    'the seconds of the projected epoch spent in batch preparation, the Embedding and the recurrent layer',
    '(forward, backward), the head with the loss and the rest of the gradients, the optimizer, and validation;',
    'then inference with the same model: predicting one typed review (median of 100) and evaluating 25,000 reviews.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags({
      args: argv,
      options: {
        cell: { type: 'string' },
        all: { type: 'boolean', default: false },
        batches: { type: 'string', default: '5' },
        path: { type: 'string', default: 'fused' },
        backend: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    const batches = Number(values.batches);
    if (!Number.isInteger(batches) || batches < 1) throw new UsageError(`--batches must be a positive integer. Received: ${values.batches}`);
    if (values.path !== 'fused' && values.path !== 'layers') throw new UsageError(`--path must be fused or layers. Received: ${values.path}`);
    let backend;
    try {
      backend = parseBackendName(values.backend);
    } catch {
      throw new UsageError(`--backend must be one of ${backendNames.join(', ')}. Received: ${values.backend}`);
    }
    if (values.all === (values.cell !== undefined)) {
      throw new UsageError(`Give either --cell (${benchCells.join(', ')}) or --all. Received: ${values.all ? '--all and --cell' : 'neither'}`);
    }
    if (values.cell !== undefined && !(benchCells as readonly string[]).includes(values.cell)) {
      throw new UsageError(`--cell must be one of ${benchCells.join(', ')}. Received: ${values.cell}`);
    }
    const print = (line: string) => process.stdout.write(line + '\n');
    const show = (r: BenchResult) => {
      if (values.json) return print(JSON.stringify(r));
      print(`${r.cell.padEnd(10)} ${r.path.padEnd(12)} ${r.backend.padEnd(8)} ${r.msPerBatch.toFixed(1).padStart(8)} ms/batch ${r.epochSeconds.toFixed(1).padStart(8)} s/epoch ${r.cpuMsPerBatch.toFixed(1).padStart(8)} CPU ms/batch${rate(r)}`);
      for (const line of [profileLine(r), inferenceLine(r)]) if (line !== undefined) print(line);
    };
    // The engine, and TensorFlow.js with it, loads only once the flags are known to be good.
    const { fusedStatus } = await import('../../engine/fused');
    const { findTorchPython, runAppBench, runTorchBench } = await import('../../engine/benchmark');
    const status = fusedStatus();
    if (values.path === 'fused' && !status.available) process.stderr.write(`rnn-workbench bench: fused kernels unavailable (${status.reason}); timing tfjs-layers.\n`);
    else if (!values.json) print(`recurrent path: ${values.path === 'fused' ? `fused native kernels (${status.simd}, ${status.threads} threads)` : 'tfjs-layers'}`);

    const cells: BenchCell[] = values.all ? [...benchCells] : [values.cell as BenchCell];
    const python = values.all ? findTorchPython() : undefined;
    if (values.all && python === undefined) {
      process.stderr.write('rnn-workbench bench: no python3 with torch found (apt-get install -y python3-torch); skipping the PyTorch reference.\n');
    }
    for (const cell of cells) {
      const app = await runAppBench(cell, { batches, fused: values.path === 'fused', backend });
      show(app);
      if (python === undefined) continue;
      // The reference runs right after the app's bench, so both see the same machine load.
      const torch = runTorchBench(python, path.join(packageRoot(), 'bench/torch_rnn_bench.py'), cell, batches);
      show(torch);
      const ratio = Math.round((app.epochSeconds / torch.epochSeconds) * 100) / 100;
      // Under load the wall-time ratio flatters whichever side runs more threads; the CPU-time ratio does not.
      const cpuRatio = Math.round((app.cpuMsPerBatch / torch.cpuMsPerBatch) * 100) / 100;
      print(
        values.json
          ? JSON.stringify({ cell, ratio, cpuRatio, app: app.epochSeconds, torch: torch.epochSeconds })
          : `${cell.padEnd(10)} ratio app/pytorch = ${ratio.toFixed(2)} (${ratio <= 0.5 ? 'meets' : 'misses'} the 0.5 target); CPU-time ratio ${cpuRatio.toFixed(2)}`,
      );
    }
    return 0;
  },
};
