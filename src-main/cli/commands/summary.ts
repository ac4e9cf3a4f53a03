import { readProjectFile } from '../../services/project-files';
import { describeKernels, formatRecurrentPath, recurrentPaths, type FusedKernels, type RecurrentLayerPath } from '../../../src-shared/model/recurrent-path';
import { formatIssues, formatSummary, summarize } from '../../../src-shared/model/summary';
import type { DatasetContext, LayerSpec, ModelSummary } from '../../../src-shared/model/types';
import { getPreset, presetIds } from '../../../src-shared/presets';
import { parseProject } from '../../../src-shared/project';
// The addon's loader only (no TensorFlow.js): whether the fused kernels run on this machine.
import { fusedStatus } from '../../engine/fused/native';
import { UsageError, type Command } from '../command';
import { parseFlags, parsePositiveInt } from '../flags';

export const summary: Command = {
  summary: "Print a model's Keras summary: layers, output shapes and parameter counts",
  usage: [
    'Usage: rnn-workbench summary --model <preset-id|project.json> [--maxlen N] [--json]',
    '',
    "Prints what Keras' model.summary() prints for the model, or its validation messages (exit 1),",
    'then which implementation computes each recurrent layer here (fused native kernels or',
    'tfjs-layers) and why.',
    '',
    `  --model ID|FILE   A preset (${presetIds.join(', ')}) or a project .json`,
    "  --maxlen N        Sequence length, shown as the time dimension (default: the project's maxlen;",
    '                    none for a preset, shown as None)',
    '  --json            Print {"layers":[{"name","type","outputShape","params"}],"totalParams",',
    '                    "trainableParams","nonTrainableParams","kernels":{"available","simd","threads"},',
    '                    "recurrent":[{"layer","kind","path","reason"}]} instead of the table',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags({
      args: argv,
      options: { model: { type: 'string' }, maxlen: { type: 'string' }, json: { type: 'boolean', default: false } },
      strict: true,
    });
    const { layers, dataset } = await loadModel(values.model);
    if (values.maxlen !== undefined) dataset.maxlen = parsePositiveInt('--maxlen', values.maxlen);
    const result = summarize(layers, dataset);
    if (!result.valid) {
      process.stderr.write(`rnn-workbench summary: the model is not valid:\n${formatIssues(result).map((line) => `  ${line}\n`).join('')}`);
      return 1;
    }
    const kernels = fusedStatus();
    const paths = recurrentPaths(layers, dataset, kernels);
    process.stdout.write((values.json ? JSON.stringify(toJson(result, kernels, paths)) : formatSummary(result) + formatPaths(kernels, paths)) + '\n');
    return 0;
  },
};

/** The `--json` shape promised by the CLI. */
function toJson(result: ModelSummary, kernels: FusedKernels, paths: RecurrentLayerPath[]): object {
  return {
    layers: result.rows.map((row) => ({ name: row.name, type: row.type, outputShape: row.outputShape, params: row.params })),
    totalParams: result.totalParams,
    trainableParams: result.trainableParams,
    nonTrainableParams: result.nonTrainableParams,
    kernels,
    recurrent: paths,
  };
}

/** The lines after the table: the kernels of this machine, then each recurrent layer's path. */
function formatPaths(kernels: FusedKernels, paths: RecurrentLayerPath[]): string {
  if (paths.length === 0) return '';
  return `\n\nRecurrent path here, ${describeKernels(kernels)}:\n${paths.map((path) => `  ${formatRecurrentPath(path)}`).join('\n')}`;
}

/** A preset's layers, or a project file's layers with its dataset settings. */
async function loadModel(model: string | undefined): Promise<{ layers: LayerSpec[]; dataset: DatasetContext }> {
  if (model === undefined || model === '') {
    throw new UsageError(`--model is required: a preset (${presetIds.join(', ')}) or a project .json. Received: nothing`);
  }
  const preset = getPreset(model);
  if (preset !== undefined) return { layers: preset.layers, dataset: {} };
  if (!model.endsWith('.json')) {
    throw new UsageError(`--model must be a preset (${presetIds.join(', ')}) or a project .json. Received: ${model}`);
  }
  const project = parseProject((await readProjectFile(model)).text, model);
  return { layers: project.layers, dataset: { maxlen: project.data.options.maxlen, maxFeatures: project.data.options.maxFeatures } };
}
