import { readProjectFile } from '../../services/project-files';
import path from 'node:path';
import { createProject, parseProject, type Project } from '../../../src-shared/project';
import { getPreset, presetIds } from '../../../src-shared/presets';
import { optimizerNames, type OptimizerConfig, type RunSummary, type TrainingEvent } from '../../../src-shared/training';
import { formatRecurrentPath, type RecurrentLayerPath } from '../../../src-shared/model/recurrent-path';
import { RunStore } from '../../runs/run-store';
import { resolveDataDir } from '../../platform/paths';
import { NodeTrainingService } from '../../services/training-service';
import { UsageError, type Command } from '../command';
import { parseFlags, parseFraction, parseNonNegativeInt, parsePositiveInt, parsePositiveNumber } from '../flags';
import { formatDuration, progressBar } from './training-format';

export const train: Command = {
  summary: 'Train a preset or project on IMDb data, print epoch metrics, keep the run',
  usage: [
    'Usage: rnn-workbench train --data <path> --model <preset-id|project.json> [options]',
    '       rnn-workbench train --data <path> --from-run RUN_ID [options]',
    '',
    "Trains like Keras' fit: binary cross-entropy, accuracy, validation split from the end, shuffled",
    'every epoch; then evaluates on the test split. The run is stored in $RNN_WORKBENCH_HOME/runs.',
    '',
    `  --model ID|FILE          A preset (${presetIds.join(', ')}) or a project .json`,
    '  --from-run RUN_ID        Fine-tune a stored run (trained here, or opened with import): its',
    '                           stack and weights, trained further on --data as a new run',
    '  --data PATH              IMDb data: aclImdb .tar.gz or folder, Keras imdb.npz, or CSV',
    '                           (default: the project file\'s data.path)',
    '  --epochs N               Passes over the training data (default 10)',
    '  --batch-size N           Reviews per step (default 128)',
    '  --max-features N         Vocabulary size, Keras num_words (default 10000)',
    '  --maxlen N               Ids per review (default 500)',
    '  --validation-split F     Share held out for validation, 0 ≤ F < 1 (default 0.2)',
    `  --optimizer NAME         ${optimizerNames.join(', ')} with Keras' defaults (default rmsprop)`,
    '  --lr X                   Learning rate (default 0.001; sgd 0.01)',
    '  --clipnorm X             Clip each gradient to this L2 norm (default off)',
    '  --seed N                 Seed: the same seed gives the same metrics on the same backend',
    '  --limit N                Use the first N training reviews (after the load-time shuffle)',
    '  --out DIR                Also save the trained run into DIR (a new or empty folder)',
    '  --json                   One JSON object per line: epoch events, then a done line (with',
    '                           recurrent_layers: [{layer, kind, path, reason}], each recurrent',
    '                           layer on the fused native kernels or tfjs-layers, and why)',
    '',
    'Ctrl-C stops after the current batch and keeps the weights trained so far.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags({
      args: argv,
      options: { ...trainingFlags, 'from-run': { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean', default: false } },
      strict: true,
    });
    const project = await projectFromFlags(values);
    if (values.out !== undefined) await RunStore.checkTarget(values.out);

    const service = new NodeTrainingService({ dataDir: resolveDataDir() });
    const json = values.json;
    const tty = !json && process.stderr.isTTY === true;
    let runId: string | undefined;
    let backend = '';
    let recurrent = '';
    let recurrentLayers: RecurrentLayerPath[] | undefined;
    const listener = (event: TrainingEvent): void => {
      if (event.runId !== runId) return;
      switch (event.type) {
        case 'loading':
          if (tty) process.stderr.write(`\r\x1b[KLoading data: ${event.phase} ${(event.bytes / 1e6).toFixed(1)} MB`);
          break;
        case 'started':
          backend = event.engine.backend;
          recurrent = event.engine.recurrent;
          recurrentLayers = event.engine.layers;
          if (!json) {
            if (tty) process.stderr.write('\r\x1b[K');
            process.stdout.write(
              `Training ${event.trainCount} reviews, validating on ${event.validationCount}; backend ${backend}, recurrent ${recurrent}\n` +
                (recurrentLayers ?? []).map((path) => `  ${formatRecurrentPath(path)}\n`).join(''),
            );
          }
          break;
        case 'batch':
          if (tty) {
            process.stderr.write(
              `\r\x1b[KEpoch ${event.epoch}/${project.training.epochs} ${progressBar(event.batch / event.batches, 24)} ${event.batch}/${event.batches} ` +
                `loss ${event.loss.toFixed(4)} acc ${event.acc.toFixed(4)} ${Math.round(event.samplesPerSecond)}/s ETA ${formatDuration(event.etaSeconds)}`,
            );
          }
          break;
        case 'epoch': {
          if (json) {
            const { epoch, loss, acc, val_loss, val_acc, seconds } = event;
            process.stdout.write(JSON.stringify({ event: 'epoch', epoch, loss, acc, val_loss, val_acc, seconds }) + '\n');
          } else {
            if (tty) process.stderr.write('\r\x1b[K');
            const validation = event.val_loss === undefined ? '' : ` - val_loss ${event.val_loss.toFixed(4)} - val_acc ${event.val_acc!.toFixed(4)}`;
            process.stdout.write(
              `Epoch ${event.epoch}/${event.epochs} - ${event.seconds.toFixed(1)}s - loss ${event.loss.toFixed(4)} - acc ${event.acc.toFixed(4)}${validation} - grad norm ${event.gradNorm.toPrecision(3)}\n`,
            );
          }
          break;
        }
        case 'warning':
          if (json) process.stdout.write(JSON.stringify({ event: 'warning', message: event.message }) + '\n');
          else process.stderr.write(`${tty ? '\r\x1b[K' : ''}warning: ${event.message}\n`);
          break;
        case 'done':
          if (tty) process.stderr.write('\r\x1b[K');
          break;
        default:
          throw new Error(`Unknown training event ${JSON.stringify(event satisfies never)}`);
      }
    };
    const unsubscribe = service.onDidTrainingEvent(listener);
    let interrupts = 0;
    const onInterrupt = (): void => {
      // A second Ctrl-C leaves at once; the run is then listed as interrupted.
      if (++interrupts > 1) process.exit(130);
      if (runId !== undefined) void service.stop(runId);
    };
    process.on('SIGINT', onInterrupt);
    let summary: RunSummary;
    try {
      runId = await service.start(project, values['from-run']);
      summary = await service.whenDone(runId);
    } finally {
      process.off('SIGINT', onInterrupt);
      unsubscribe();
    }
    const runDir = service.store.dir(runId);
    let out = runDir;
    if (values.out !== undefined && summary.status !== 'failed') {
      await RunStore.copyTo(runDir, values.out);
      out = values.out;
    }
    const testLoss = summary.test?.loss ?? null;
    const testAcc = summary.test?.acc ?? null;
    if (json) {
      process.stdout.write(
        JSON.stringify({
          event: 'done',
          reason: summary.status,
          ...(summary.message !== undefined ? { message: summary.message } : {}),
          test_loss: testLoss,
          test_acc: testAcc,
          backend: backend || summary.engine?.backend || null,
          recurrent: recurrent || summary.engine?.recurrent || null,
          recurrent_layers: recurrentLayers ?? summary.engine?.layers ?? null,
          run: runId,
          out,
        }) + '\n',
      );
    } else {
      const test = testLoss === null ? '' : ` - test_loss ${testLoss.toFixed(4)} - test_acc ${testAcc!.toFixed(4)}`;
      process.stdout.write(`Done (${summary.status})${test}\nRun ${runId} saved in ${out}\n`);
    }
    if (summary.status === 'failed') {
      process.stderr.write(`rnn-workbench train: ${summary.message ?? 'training failed'}\n`);
      return 1;
    }
    return summary.status === 'stopped' && interrupts > 0 ? 130 : 0;
  },
};

/** The flags that make a project and its training settings: `train` and `tune` read them alike. */
export const trainingFlags = {
  data: { type: 'string' },
  model: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'max-features': { type: 'string' },
  maxlen: { type: 'string' },
  'validation-split': { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  clipnorm: { type: 'string' },
  seed: { type: 'string' },
  limit: { type: 'string' },
} as const;

export interface TrainFlags {
  data?: string;
  model?: string;
  'from-run'?: string;
  epochs?: string;
  'batch-size'?: string;
  'max-features'?: string;
  maxlen?: string;
  'validation-split'?: string;
  optimizer?: string;
  lr?: string;
  clipnorm?: string;
  seed?: string;
  limit?: string;
}

/**
 * The project to train: a preset or project file, with the flags laid over it. With --from-run, the
 * stored run's stack (the service checks it can be fine-tuned on the data).
 */
export async function projectFromFlags(values: TrainFlags): Promise<Project> {
  const fromRun = values['from-run'];
  if (fromRun !== undefined && values.model !== undefined) {
    throw new UsageError(`--model and --from-run cannot be combined: --from-run trains the run's own stack. Received: --model ${values.model} --from-run ${fromRun}`);
  }
  if ((values.model === undefined || values.model === '') && fromRun === undefined) {
    throw new UsageError(`--model is required: a preset (${presetIds.join(', ')}) or a project .json. Received: nothing`);
  }
  const preset = fromRun === undefined ? getPreset(values.model!) : undefined;
  let project: Project;
  if (fromRun !== undefined) {
    const record = await new RunStore(resolveDataDir()).get(fromRun);
    project = createProject((record.project as Project).layers);
  } else if (preset !== undefined) {
    project = createProject(preset.layers);
  } else if (values.model!.endsWith('.json')) {
    project = parseProject((await readProjectFile(values.model!)).text, values.model!);
  } else {
    throw new UsageError(`--model must be a preset (${presetIds.join(', ')}) or a project .json. Received: ${values.model}`);
  }

  const options = { ...project.data.options };
  if (values['max-features'] !== undefined) options.maxFeatures = parsePositiveInt('--max-features', values['max-features']);
  if (values.maxlen !== undefined) options.maxlen = parsePositiveInt('--maxlen', values.maxlen);
  // A project file's own data path is relative to the file, as a project moved with its data still opens.
  const dataPath = values.data ?? (project.data.path === null || values.model === undefined ? null : path.resolve(path.dirname(values.model), project.data.path));
  if (dataPath === null || dataPath === '') throw new UsageError('--data is required: a path to IMDb data. Received: nothing');

  const layers = project.layers.map((layer) =>
    // The seed's Embedding reads exactly the vocabulary, so a preset follows --max-features.
    preset !== undefined && layer.kind === 'Embedding' ? { ...layer, options: { ...layer.options, input_dim: options.maxFeatures } } : layer,
  );

  const training = { ...project.training };
  if (values.epochs !== undefined) training.epochs = parsePositiveInt('--epochs', values.epochs);
  if (values['batch-size'] !== undefined) training.batchSize = parsePositiveInt('--batch-size', values['batch-size']);
  if (values['validation-split'] !== undefined) training.validationSplit = parseFraction('--validation-split', values['validation-split'], true);
  if (values.optimizer !== undefined) {
    if (!(optimizerNames as readonly string[]).includes(values.optimizer)) {
      throw new UsageError(`--optimizer must be one of ${optimizerNames.join(', ')}. Received: ${values.optimizer}`);
    }
    training.optimizer = { name: values.optimizer } as OptimizerConfig;
  }
  if (values.lr !== undefined) training.optimizer = { ...training.optimizer, learningRate: parsePositiveNumber('--lr', values.lr) };
  if (values.clipnorm !== undefined) training.clipnorm = parsePositiveNumber('--clipnorm', values.clipnorm);
  if (values.seed !== undefined) training.seed = parseNonNegativeInt('--seed', values.seed);
  if (values.limit !== undefined) training.limit = parsePositiveInt('--limit', values.limit);
  // Parsing again fills the chosen optimizer's Keras defaults and checks the combination.
  return parseProject({ ...project, layers, data: { ...project.data, path: dataPath, options }, training }, values.model ?? `--from-run ${fromRun}`);
}
