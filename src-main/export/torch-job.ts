/**
 * The `torch-job` export: a folder that trains the run's model with PyTorch DistributedDataParallel
 * under torchrun, on one machine, several GPUs or several nodes, and writes a result the app imports
 * as a run. `model.py` is written per run from its stack; `rnnwb.py` and `train.py` are fixed
 * (torch-python.ts).
 */
import { WorkbenchError } from '../../src-shared/errors';
import { analyzeStack, formatSummary, getLayerKind, layerKindNames, resolveNames, summarize, wrappedLayer, type AnalyzedLayer, type LayerSpec } from '../../src-shared/model';
import type { Project } from '../../src-shared/project';
import type { RunRecord } from '../../src-shared/training';
import { appVersion } from '../platform/app-version';
import { KERAS_BACKEND } from './keras-h5';
import { KERAS_VERSION, type KerasModel } from './keras-model';
import { buildMetadata } from './metadata';
import { pythonLiteral } from './python-script';

function features(layer: AnalyzedLayer): number {
  return layer.inputShape![layer.inputShape!.length - 1]!;
}

/** `rnnwb.<Kind>(name, [features,] positional…, keyword=value…, [trainable=…])`, from the kind's `torch` call. */
function torchArguments(kind: string, name: string, inputDim: number, options: Record<string, unknown>, trainable: boolean): string[] {
  const call = getLayerKind(kind)!.torch!;
  return [
    pythonLiteral(name),
    ...(call.inputFeatures ? [String(inputDim)] : []),
    ...call.positional.map((key) => pythonLiteral(options[key])),
    ...call.keywords.map((key) => `${key}=${pythonLiteral(options[key])}`),
    ...(call.trainable ? [`trainable=${pythonLiteral(trainable)}`] : []),
  ];
}

/** The Python for one layer; a wrapper's runs a forward copy of its layer and a backward one. */
function torchLayer(layer: AnalyzedLayer, options: Record<string, unknown>): string {
  const kind = layer.spec.kind;
  const trainable = layer.spec.trainable ?? true;
  const wrapped = wrappedLayer({ kind, options });
  if (wrapped === undefined) return `rnnwb.${kind}(${torchArguments(kind, layer.name, features(layer), options, trainable).join(', ')})`;
  const inner = layer.wrappedName!;
  const copy = (side: string, innerOptions: Record<string, unknown>): string =>
    `rnnwb.${wrapped.kind}(${torchArguments(wrapped.kind, `${side}_${inner}`, features(layer), innerOptions, trainable).join(', ')})`;
  const [name, ...rest] = torchArguments(kind, layer.name, features(layer), options, trainable);
  return [
    `rnnwb.${kind}(`,
    `            ${name},`,
    `            ${copy('forward', wrapped.options)},`,
    `            ${copy('backward', { ...wrapped.options, go_backwards: !wrapped.options['go_backwards'] })},`,
    ...rest.map((arg) => `            ${arg},`),
    `        )`,
  ].join('\n');
}

/** The kinds the job expresses, in catalog order. */
function torchKindNames(): string[] {
  return layerKindNames.filter((name) => getLayerKind(name)!.torch !== undefined);
}

/**
 * Refuses a stack the job cannot express, naming the first such layer. Runs before anything is
 * written (and before the stack is analysed, so an unknown kind is named as such).
 */
export function checkTorchExpressible(stack: readonly LayerSpec[]): void {
  const { names } = resolveNames(stack);
  stack.forEach((spec, index) => {
    if (getLayerKind(spec.kind)?.torch === undefined) {
      throw new WorkbenchError(
        'bad_input',
        `Layer ${names[index]} (${spec.kind}) cannot be expressed as a PyTorch job, so nothing was written. The torch-job export knows ${torchKindNames().join(', ')}. Received: ${spec.kind}`,
      );
    }
  });
}

/**
 * `model.py`: the run's stack as PyTorch modules, one line per layer.
 *
 * Args:
 *   stack: the model spec (must be valid and expressible).
 *   maxlen: the input length.
 *   title: one line naming the run, for the docstring.
 */
export function torchModelScript(stack: readonly LayerSpec[], maxlen: number, title: string): string {
  checkTorchExpressible(stack);
  const analysis = analyzeStack(stack, { maxlen });
  if (analysis.issues.length > 0) {
    throw new WorkbenchError('bad_input', `The model spec must be valid to write a PyTorch job. Received: ${analysis.issues[0]!.message}`);
  }
  const lines = analysis.layers.map((layer) => `        ${torchLayer(layer, layer.options!)},`).join('\n');
  return `"""${title.replace(/"""/g, "'''")}

The model as PyTorch modules, layer by layer as the app built it (rnnwb.py holds the layers).

${formatSummary(summarize(stack, { maxlen }))
  .split('\n')
  .map((line) => `    ${line}`.trimEnd())
  .join('\n')}
"""
import rnnwb

MAXLEN = ${maxlen}


def build_model():
    return rnnwb.Sequential([
${lines}
    ])
`;
}

/** What train.py needs besides the sources: the run's export metadata and the Keras layout of its model.h5. */
export function torchJobSpec(record: RunRecord, project: Project, maxlen: number, keras: KerasModel, now = new Date()): object {
  return {
    metadata: buildMetadata(record, project.layers, maxlen, new Map(), now),
    keras: {
      keras_version: KERAS_VERSION,
      backend: KERAS_BACKEND,
      app_version: appVersion,
      model_config: keras.modelConfig,
      layers: keras.layers.map((layer) => ({ name: layer.name, weight_names: layer.weights.map((w) => w.name) })),
    },
  };
}

/** The README: what the folder holds and the torchrun commands for one machine, several GPUs, several nodes. */
export function torchJobReadme(record: RunRecord, project: Project, maxlen: number): string {
  const t = record.training;
  return [
    `# ${record.name} — a PyTorch DistributedDataParallel job from RNN Workbench ${appVersion}`,
    '',
    `Trains run ${record.id}'s model with PyTorch: the same layers, tokenization, splits, optimizer, loss and clipping as the app.`,
    '',
    '```',
    formatSummary(summarize(project.layers, { maxlen })),
    '```',
    '',
    '## Files',
    '',
    '- `train.py`: the job. `python3 train.py --help` lists its options.',
    '- `model.py`: the model as PyTorch modules, built from the run\'s stack; `rnnwb.py`: the layers (native `nn.LSTM`, `nn.GRU`, `nn.RNN` where they compute Keras\' cell exactly, a step loop otherwise), Keras\' weight layout, the app\'s tokenization and data reading.',
    '- `tokenizer.json`: the run\'s word index; text is encoded with it exactly as the app encodes.',
    '- `job.json`: the run\'s settings (training, dataset options) and the Keras layout of the result\'s `model.h5`.',
    '- `weights.h5`: the run\'s trained weights (Keras 2 layout), the start with `--from-weights`.',
    '',
    '## Needs',
    '',
    'Python 3 with PyTorch 1.10 or newer, numpy and h5py (Debian: `apt install python3-torch python3-h5py`).',
    '',
    '## Run it',
    '',
    `Settings default to the run's: ${t.epochs} epochs, batch ${t.batchSize} (the global batch, split across the ranks), ${t.optimizer.name} at learning rate ${t.optimizer.learningRate}${t.clipnorm === undefined ? '' : `, clipnorm ${t.clipnorm}`}, validation split ${t.validationSplit}. \`--data\` takes what the app opens: an aclImdb \`.tar.gz\` or folder, a reviews CSV, or a Keras \`imdb.npz\` (the kind the run trained on).`,
    '',
    'One machine (CPU: gloo; one process per core pair is a good start):',
    '',
    '```sh',
    'torchrun --standalone --nproc_per_node=2 train.py --data aclImdb_v1.tar.gz --out result',
    '```',
    '',
    'Several GPUs in one machine (nccl; one process per GPU):',
    '',
    '```sh',
    'torchrun --standalone --nproc_per_node=gpu train.py --data aclImdb_v1.tar.gz --out result',
    '```',
    '',
    'Several nodes (run on every node; HOST is one node\'s address, every node has the data at the path given):',
    '',
    '```sh',
    'torchrun --nnodes=2 --nproc_per_node=4 --rdzv_id=rnn-workbench --rdzv_backend=c10d --rdzv_endpoint=HOST:29400 train.py --data /data/aclImdb_v1.tar.gz --out result',
    '```',
    '',
    'Options: `--epochs N`, `--batch-size N`, `--lr X`, `--from-weights` (start from the run\'s trained weights).',
    '',
    'Debian 12\'s `python3-torch` (1.13 on Python 3.11): its torchrun stops before starting any worker with `AttributeError: \'NoneType\' object has no attribute \'get\'`. Add `--redirects 1 --tee 1` after `torchrun` (valid with every torch; rank output then carries a `[default0]:` prefix).',
    '',
    '## While it runs, and after a crash',
    '',
    'Rank 0 prints one JSON line per epoch and replaces `RESULT/checkpoint.pt` after each. When a rank dies, the others stop with a message saying so; run the same command again and it resumes after the last checkpointed epoch (rank 0 reads the checkpoint and sends it to the other ranks, so only rank 0 needs `RESULT`). With `torchrun --max_restarts=3` the restart is automatic. (The options are spelled with underscores, which every torchrun since 1.10 accepts.)',
    '',
    '## The result',
    '',
    '`RESULT/` holds `model.h5` (Keras 2 layout, as the app\'s own `.h5` export), `history.json`, `metrics.json` (`test_loss`, `test_acc`, `world_size`, `device`, `seconds`), `tokenizer.json` and `metadata.json`. Bring it back as a run:',
    '',
    '```sh',
    'rnn-workbench import result',
    '```',
    '',
    'or Runs → Import in the app. Its history draws beside the local runs; it evaluates, predicts and exports like them.',
    '',
  ].join('\n');
}
