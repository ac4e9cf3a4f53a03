/**
 * Inference with the model in a run folder or an export folder (evaluate, predict, read along,
 * gradient over time), in an engine worker: what the training service does with a stored run and
 * what the CLI does with any model folder.
 */
import path from 'node:path';
import type { TokenizerSpec } from '../../src-shared/data';
import { WorkbenchError } from '../../src-shared/errors';
import type { Project } from '../../src-shared/project';
import type { GradientOverTime, ReadAlong } from '../../src-shared/read-along';
import type { EngineInfo, Evaluation, Prediction } from '../../src-shared/training';
import { encodeText, loadDataset, readText, type LoadedDataset } from '../data';
import { readModelDir } from '../export/export-reader';
import { EngineClient } from '../jobs/client';
import { transferablesOf } from '../jobs/protocol';
import type { ProcessLauncher } from '../platform/isolated-process';
import { requireBuildable } from './buildable';
import { layersOf, readModelTokenizer, textModelOf } from './model-dir';

/** Two tokenizers give the same ids for every text. */
function sameVocabulary(a: TokenizerSpec, b: TokenizerSpec): boolean {
  const key = (t: TokenizerSpec): string => JSON.stringify([t.scheme, t.lower, t.filters, t.split, t.stripHtmlBreaks, t.numWords, t.startChar, t.oovChar, t.indexFrom, t.skipTop, t.words]);
  return key(a) === key(b);
}

/** The first `limit` rows of a split (the data is shuffled at load time, so this is a random sample). */
export function firstRows(split: LoadedDataset['train'], maxlen: number, limit: number | undefined): LoadedDataset['train'] {
  if (limit === undefined || limit >= split.count) return split;
  return { x: split.x.subarray(0, limit * maxlen), y: split.y.subarray(0, limit), count: limit };
}

/** What `evaluateModelDir` found. */
export interface ModelDirEvaluation {
  evaluation: Evaluation;
  engine: EngineInfo;
}

/**
 * Evaluates the model in a run folder (or `--out` copy) on the test split of `dataPath`. The dataset
 * must build the same vocabulary the model was trained with, or its ids would mean other words.
 */
export async function evaluateModelDir(
  modelDir: string,
  dataPath: string,
  ctx: { dataDir: string; batchSize?: number; engine?: EngineClient; launchProcess?: ProcessLauncher },
): Promise<ModelDirEvaluation> {
  // A run folder or an export folder (whose metadata.json carries the run record).
  const { record, tokenizer } = await readModelDir(modelDir);
  const project = record.project as Project;
  const options = { ...record.dataset.options, maxlen: tokenizer.maxlen };
  const batchSize = ctx.batchSize ?? record.training.batchSize;
  requireBuildable(project.layers, options, { purpose: 'inference', batchSize });
  const dataset = await loadDataset(path.resolve(dataPath), options, { dataDir: ctx.dataDir, launchProcess: ctx.launchProcess });
  if (!sameVocabulary(dataset.tokenizer, tokenizer)) {
    throw new WorkbenchError(
      'bad_input',
      `${dataPath}: expected the dataset the model in ${modelDir} was trained on (${record.dataset.path}); it builds a different vocabulary, so its word ids would not match the model's.`,
    );
  }
  const split = dataset.test;
  if (split.count === 0) throw new WorkbenchError('bad_input', `${dataPath}: expected a dataset with test reviews to evaluate on. Received: 0 test reviews`);
  const reply = await withEngine(ctx.engine, (engine) =>
    engine.request(
      { type: 'evaluate', modelDir, layers: project.layers, maxlen: tokenizer.maxlen, batchSize, split },
      transferablesOf(split),
    ),
  );
  return { evaluation: reply.evaluation, engine: reply.engine };
}

/** Runs `job` on `engine`, or on a one-off client closed afterwards (the CLI). */
async function withEngine<T>(engine: EngineClient | undefined, job: (engine: EngineClient) => Promise<T>): Promise<T> {
  if (engine !== undefined) return job(engine);
  const oneOff = new EngineClient();
  try {
    return await job(oneOff);
  } finally {
    await oneOff.close();
  }
}

/**
 * The model in a run or export folder reading one review: the tokens it sees, its positive
 * probability after each, and its recurrent state, in the engine worker.
 */
export async function explainModelDir(modelDir: string, text: string, engine?: EngineClient): Promise<ReadAlong> {
  const { layers, tokenizer } = await textModelOf(modelDir);
  const read = readText(tokenizer, text, tokenizer.maxlen);
  const { reading } = await withEngine(engine, (client) =>
    client.request({ type: 'explain', modelDir, layers, maxlen: tokenizer.maxlen, x: read.x, padding: read.padding }, [read.x.buffer as ArrayBuffer]),
  );
  return { tokens: read.tokens, ids: read.ids, words: read.words, padding: read.padding, ...reading };
}

/** Validation reviews a gradient is averaged over by default. */
export const GRADIENT_REVIEWS = 32;

/**
 * ‖∂loss/∂h_t‖ at every step of the model in a run folder (or export), averaged over the first
 * `reviews` of the validation reviews it was trained with (the end of its training split, as Keras'
 * validation_split takes them), in the engine worker.
 */
export async function gradientModelDir(
  modelDir: string,
  ctx: { dataDir: string; engine?: EngineClient; launchProcess?: ProcessLauncher; reviews?: number; dataPath?: string },
): Promise<GradientOverTime> {
  const { record, tokenizer } = await readModelDir(modelDir);
  const { layers } = await layersOf(modelDir);
  const dataPath = path.resolve(ctx.dataPath ?? record.dataset.path);
  const dataset = await loadDataset(dataPath, { ...record.dataset.options, maxlen: tokenizer.maxlen }, { dataDir: ctx.dataDir, launchProcess: ctx.launchProcess });
  if (!sameVocabulary(dataset.tokenizer, tokenizer)) {
    throw new WorkbenchError('bad_input', `${dataPath}: expected the dataset the model in ${modelDir} was trained on; it builds a different vocabulary, so its word ids would not match the model's.`);
  }
  const maxlen = dataset.maxlen;
  const used = firstRows(dataset.train, maxlen, record.training.limit);
  const validation = Math.floor(used.count * record.training.validationSplit);
  if (validation === 0) throw new WorkbenchError('bad_input', `The gradient is measured on validation reviews; run ${record.id} has none. Received: validationSplit ${record.training.validationSplit}`);
  const count = Math.min(ctx.reviews ?? GRADIENT_REVIEWS, validation);
  const from = used.count - validation;
  const x = used.x.slice(from * maxlen, (from + count) * maxlen);
  const y = used.y.slice(from, from + count);
  const reply = await withEngine(ctx.engine, (client) =>
    client.request({ type: 'gradient', modelDir, layers, maxlen, x, y, count }, transferablesOf({ x, y })),
  );
  const note = reply.bidirectional
    ? "The forward half's state: the backward half reads the review from its end, so its steps run the other way."
    : `The recurrent state the head reads, h_t${reply.layer.endsWith('(LSTM)') ? " (the LSTM's output, not its carry c)" : ''}.`;
  return { norms: reply.norms, reviews: count, layer: reply.layer, note };
}

/** The sentiment the model in a run or export folder gives a review, encoded with the folder's tokenizer. */
export async function predictModelDir(modelDir: string, text: string, engine?: EngineClient): Promise<Prediction> {
  const { layers, tokenizer } = await textModelOf(modelDir);
  const x = encodeText(tokenizer, text, tokenizer.maxlen);
  const reply = await withEngine(engine, (client) => client.request({ type: 'predict', modelDir, layers, maxlen: tokenizer.maxlen, x, count: 1 }, [x.buffer as ArrayBuffer]));
  const output = reply.outputs[0];
  if (output!.length !== 1) {
    throw new WorkbenchError(
      'bad_input',
      `A sentiment needs a model that ends in Dense(1, sigmoid), one probability. Received: ${output!.length} outputs per review (use predict --ids-file --json for them)`,
    );
  }
  const probability = output![0]!;
  return { label: probability > 0.5 ? 'positive' : 'negative', probability };
}

/**
 * The last-layer output of the model in a run or export folder for each row of ids, already padded to
 * the model's input length.
 */
export async function predictIdsModelDir(modelDir: string, rows: number[][], engine?: EngineClient): Promise<number[][]> {
  const { layers } = await layersOf(modelDir);
  const tokenizer = await readModelTokenizer(modelDir);
  if (layers !== undefined) requireBuildable(layers, { maxlen: tokenizer.maxlen }, { purpose: 'inference', batchSize: rows.length });
  const x = idRowsTensorData(rows, tokenizer.maxlen);
  const reply = await withEngine(engine, (client) => client.request({ type: 'predict', modelDir, layers, maxlen: tokenizer.maxlen, x, count: rows.length }, [x.buffer as ArrayBuffer]));
  return reply.outputs;
}

/** Rows of ids as one `count × maxlen` Int32Array, refusing rows of another length. */
function idRowsTensorData(rows: number[][], maxlen: number): Int32Array {
  const x = new Int32Array(rows.length * maxlen);
  rows.forEach((row, i) => {
    if (row.length !== maxlen) throw new WorkbenchError('bad_input', `Every row of ids must have the model's input length ${maxlen}. Received: ${row.length} ids in row ${i + 1}`);
    x.set(row, i * maxlen);
  });
  return x;
}
