import { presetIds } from '../../../src-shared/presets';
import { bestTrial, tuneParams, type Sweep, type SweepEvent, type Trial } from '../../../src-shared/tune';
import { resolveDataDir } from '../../platform/paths';
import { NodeTrainingService } from '../../services/training-service';
import { NodeTuneService } from '../../services/tune-service';
import { UsageError, type Command } from '../command';
import { parseFlags, parseNonNegativeInt, parsePositiveInt } from '../flags';
import { projectFromFlags, trainingFlags } from './train';

/** A trial as one JSON object: its number, options, run and results. */
function trialJson(trial: Trial): Record<string, unknown> {
  return {
    trial: trial.index,
    options: trial.options,
    status: trial.status,
    run: trial.runId ?? null,
    best_val_acc: trial.bestValAcc ?? null,
    epochs: trial.epochs ?? 0,
    seconds: trial.seconds ?? 0,
    ...(trial.message !== undefined ? { message: trial.message } : {}),
  };
}

function trialLine(trial: Trial): string {
  const acc = trial.bestValAcc === undefined ? '—' : trial.bestValAcc.toFixed(4);
  return `Trial ${trial.index} ${JSON.stringify(trial.options)}: ${trial.status}, best val_acc ${acc}, ${trial.epochs ?? 0} epochs, ${(trial.seconds ?? 0).toFixed(1)}s${trial.message ? ` (${trial.message})` : ''}`;
}

export const tune: Command = {
  summary: 'Sweep hyperparameters: one run per trial with early stopping, one after another',
  usage: [
    "Usage: rnn-workbench tune --data PATH --model ID|FILE --grid 'units=16,32;dropout=0,0.2' [options]",
    '       rnn-workbench tune --resume SWEEP_ID [--json]',
    '',
    'Each trial is a normal run (listed with the others) with early stopping on val_acc (patience 2,',
    "best weights restored) unless the project sets its own. The sweep is kept in $RNN_WORKBENCH_HOME/sweeps;",
    'Ctrl-C stops it after the current batch, and --resume continues it, a cut-short trial from its checkpoint.',
    '',
    `  --grid SPEC              name=v1,v2;… over ${Object.keys(tuneParams).join(', ')}`,
    ...Object.entries(tuneParams).map(([name, what]) => `                             ${name.padEnd(18)} ${what}`),
    '  --random N               Sample N of the combinations instead of all (seeded by --seed, default 0)',
    `  --model ID|FILE          A preset (${presetIds.join(', ')}) or a project .json: the base of every trial`,
    '  --data, --epochs, --limit, --maxlen, --batch-size, --max-features, --validation-split, --optimizer,',
    '  --lr, --clipnorm, --seed  As for train, applied to every trial',
    '  --resume SWEEP_ID        Continue a stopped or interrupted sweep',
    '  --json                   {"event":"started",…}, a line per finished trial, last {"event":"done","trials":[…],"best":{…}}',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags({
      args: argv,
      options: { grid: { type: 'string' }, random: { type: 'string' }, resume: { type: 'string' }, ...trainingFlags, json: { type: 'boolean', default: false } },
      strict: true,
    });
    const dataDir = resolveDataDir();
    const training = new NodeTrainingService({ dataDir });
    const sweeps = new NodeTuneService(training, dataDir);
    const json = values.json;
    let sweep: Sweep;
    if (values.resume !== undefined) {
      if (values.grid !== undefined || values.model !== undefined) throw new UsageError(`--resume continues a stored sweep with its own grid and model; leave out --grid and --model. Received: --resume ${values.resume} with them`);
      sweep = await sweeps.resume(values.resume);
    } else {
      if (values.grid === undefined || values.grid === '') throw new UsageError("--grid is required: name=values;… such as 'units=16,32;dropout=0,0.2'. Received: nothing");
      const project = await projectFromFlags(values);
      const random = values.random === undefined ? undefined : parsePositiveInt('--random', values.random);
      const seed = values.seed === undefined ? 0 : parseNonNegativeInt('--seed', values.seed);
      sweep = await sweeps.start({ project, grid: values.grid, random, seed });
    }
    const pending = sweep.trials.filter((t) => t.status !== 'done' && t.status !== 'failed').length;
    process.stdout.write(
      json
        ? JSON.stringify({ event: 'started', sweep: sweep.id, trials: sweep.trials.length, pending }) + '\n'
        : `Sweep ${sweep.id}: ${pending} of ${sweep.trials.length} trials to train\n`,
    );
    const unsubscribe = sweeps.onDidSweepEvent((event: SweepEvent) => {
      if (event.sweepId !== sweep.id || event.type !== 'trial-done') return;
      process.stdout.write(json ? JSON.stringify({ event: 'trial', ...trialJson(event.trial) }) + '\n' : trialLine(event.trial) + '\n');
    });
    let interrupts = 0;
    const onInterrupt = (): void => {
      if (++interrupts > 1) process.exit(130);
      void sweeps.stop(sweep.id);
    };
    process.on('SIGINT', onInterrupt);
    let ended: Sweep;
    try {
      ended = await sweeps.whenDone(sweep.id);
    } finally {
      process.off('SIGINT', onInterrupt);
      unsubscribe();
      await training.dispose();
    }
    const best = bestTrial(ended);
    if (json) {
      process.stdout.write(JSON.stringify({ event: 'done', sweep: ended.id, status: ended.status, trials: ended.trials.map(trialJson), best: best === undefined ? null : trialJson(best) }) + '\n');
    } else {
      process.stdout.write(`Sweep ${ended.id} ${ended.status}.${best === undefined ? '' : ` Best: ${trialLine(best)}`}\n`);
      if (ended.status !== 'done') process.stdout.write(`Continue it with: rnn-workbench tune --resume ${ended.id}\n`);
    }
    return ended.status === 'done' ? 0 : interrupts > 0 ? 130 : 1;
  },
};
