/**
 * The engine worker: trains, evaluates, predicts, exports and imports off the main thread, so the
 * app's event loop stays free. A run trains in a worker of its own; the other jobs take turns on one
 * reused worker (`EngineClient`). The main thread owns `run.json`, the worker writes weights.
 *
 * Bundled builds ship this file as `engine-worker.js`; from sources it is started through
 * `worker-entry.mjs`, which registers tsx first.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { toErrorPayload } from '../../src-shared/errors';
import type { LayerSpec } from '../../src-shared/model/types';
import { initBackend } from '../engine/backend';
import { FusedBidirectional, FusedRecurrent, fusedStatus, makeFusedRecurrent } from '../engine/fused';
import { timeTrainingSteps } from '../engine/benchmark';
import { engineInfoOf } from '../engine/recurrent-paths';
import { WEIGHTS_FILE, loadModel, loadOptimizerState, loadWeightsInto, saveModel, saveOptimizerState } from '../engine/model-io';
import { CHECKPOINT_DIR } from '../runs/run-store';
import { KERAS_FILE } from '../export/export-reader';
import type { BenchRequest, EvaluateRequest, ExplainRequest, ExportJob, FromWorker, GradientRequest, ImportJob, ImportKerasJob, JobReply, PredictRequest, ToWorker, TrainRequest } from './protocol';
import { gradientOverTime, readAlong } from '../engine/read-along';
import { buildTfModel } from '../engine/tfjs-model';
import { evaluateSplit, makeOptimizer, splitValidation, trainModel, withSeededMathRandom } from '../engine/trainer';

/** At most this many batch events a second reach the UI; charts need no more. */
const BATCH_EVENTS_PER_SECOND = 10;

// tfjs-layers warns that orthogonal initialisation of a recurrent kernel above 2,000 entries is
// slow; for IMDb-sized layers it takes milliseconds, and the warning would end up in CLI output.
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]): void => {
  if (typeof args[0] === 'string' && args[0].startsWith('Orthogonal initializer is being called')) return;
  warn(...args);
};

const port = parentPort;
if (port === null) throw new Error('jobs/worker.ts must run in a worker thread.');

function post(message: FromWorker): void {
  port!.postMessage(message);
}

let stopRequested = false;

function buildModel(layers: LayerSpec[], maxlen: number): tf.LayersModel {
  return buildTfModel(layers, { maxlen, makeRecurrent: makeFusedRecurrent });
}

function usesFusedLayers(model: tf.LayersModel): boolean {
  return model.layers.some((layer) => layer instanceof FusedRecurrent || layer instanceof FusedBidirectional);
}

/**
 * Saves `model` with stock tfjs-layers classes in model.json, so any TensorFlow.js can load the run
 * folder: a fused model's weights (Keras' layout) are copied into a stock twin built once per job.
 */
function modelSaver(layers: LayerSpec[], maxlen: number): (dir: string, model: tf.LayersModel) => Promise<void> {
  let twin: tf.LayersModel | undefined;
  return async (dir, model) => {
    if (!usesFusedLayers(model)) return saveModel(dir, model);
    twin ??= buildTfModel(layers, { maxlen });
    twin.setWeights(model.getWeights());
    return saveModel(dir, twin);
  };
}

/** The last model opened, kept while its weights file is unchanged: "try a review" asks again and again. */
let cached: { key: string; model: tf.LayersModel } | undefined;
/** The stock twin of the cached model, when that one is fused (see `openStockModel`). */
let stockCached: { key: string; model: tf.LayersModel } | undefined;

type ModelRequest = EvaluateRequest | PredictRequest | ExplainRequest | GradientRequest;

/** The cache key of the model a request opens (its folder, weights file and stack), and whether its weights are in model.h5 only. */
async function modelKey(request: ModelRequest): Promise<{ key: string; h5: boolean }> {
  const weights = await stat(path.join(request.modelDir, WEIGHTS_FILE)).catch(() => undefined);
  // A python export or a torch-job result keeps its weights in model.h5 only.
  const h5 = weights === undefined ? await stat(path.join(request.modelDir, KERAS_FILE)).catch(() => undefined) : undefined;
  const file = weights ?? h5;
  return { key: JSON.stringify([path.resolve(request.modelDir), file?.mtimeMs, file?.size, request.maxlen, request.layers]), h5: h5 !== undefined };
}

async function openModel(request: ModelRequest): Promise<tf.LayersModel> {
  const { key, h5 } = await modelKey(request);
  if (cached?.key === key) return cached.model;
  let model: tf.LayersModel;
  if (h5) {
    const { loadExport } = await import('../export/exporter');
    model = (await loadExport(request.modelDir)).model;
  } else if (request.layers === undefined) {
    model = await loadModel(request.modelDir);
  } else {
    model = buildModel(request.layers, request.maxlen);
    await loadWeightsInto(request.modelDir, model);
  }
  cached?.model.dispose();
  stockCached?.model.dispose();
  stockCached = undefined;
  cached = { key, model };
  return model;
}

/**
 * The opened model with tfjs-layers' own recurrent layers, whose cells can be stepped one at a time:
 * the model itself when it has no fused layers, else a twin holding the same weights.
 */
async function openStockModel(request: ModelRequest): Promise<tf.LayersModel> {
  const model = await openModel(request);
  if (!usesFusedLayers(model) || request.layers === undefined) return model;
  // openModel has just cached this model under its key: no second look at the weights file.
  const key = cached!.key;
  if (stockCached?.key === key) return stockCached.model;
  const twin = buildTfModel(request.layers, { maxlen: request.maxlen });
  twin.setWeights(model.getWeights());
  stockCached = { key, model: twin };
  return twin;
}

async function train(request: TrainRequest): Promise<void> {
  const backend = await initBackend();
  const { training, maxlen } = request;
  await withSeededMathRandom(training.seed, async () => {
    const model = buildModel(request.layers, maxlen);
    const save = modelSaver(request.layers, maxlen);
    const optimizer = makeOptimizer(training.optimizer);
    const startEpoch = request.resumeFromEpoch ?? 0;
    const checkpointDir = path.join(request.runDir, CHECKPOINT_DIR);
    if (startEpoch > 0) {
      await loadWeightsInto(checkpointDir, model);
      await loadOptimizerState(checkpointDir, optimizer);
    } else if (request.initWeightsFrom !== undefined) {
      await loadWeightsInto(request.initWeightsFrom, model);
    }
    const { train: trainSplit, validation } = splitValidation(request.train, maxlen, training.validationSplit);
    post({
      type: 'ready',
      engine: engineInfoOf(backend, fusedStatus(), model, { layers: request.layers, maxlen }),
      batchesPerEpoch: Math.ceil(trainSplit.count / training.batchSize),
      trainCount: trainSplit.count,
      validationCount: validation.count,
    });
    let lastBatchPost = 0;
    const result = await trainModel(
      model,
      { train: trainSplit, validation, maxlen },
      training,
      {
        onBatch(progress) {
          const now = performance.now();
          if (now - lastBatchPost < 1000 / BATCH_EVENTS_PER_SECOND) return;
          lastBatchPost = now;
          post({ type: 'batch', ...progress });
        },
        async onEpoch(metrics, epochOptimizer) {
          // The checkpoint keeps the end-of-epoch state for resuming; the run's own model files
          // move on (a stop mid-epoch saves the weights trained so far there).
          await mkdir(checkpointDir, { recursive: true });
          await save(checkpointDir, model);
          await saveOptimizerState(checkpointDir, epochOptimizer);
          await save(request.runDir, model);
          post({ type: 'epoch', metrics, checkpointEpoch: metrics.epoch });
        },
        onWarning(message) {
          post({ type: 'warning', message });
        },
        shouldStop: () => stopRequested,
      },
      startEpoch,
      optimizer,
    );
    // The weights that end the run: best (early stopping), last good (a NaN), or as trained so far.
    await save(request.runDir, model);
    const evaluate = (result.reason === 'done' || result.reason === 'early-stopped') && request.test.count > 0;
    const test = evaluate ? await evaluateSplit(model, request.test, maxlen, training.batchSize, () => stopRequested) : undefined;
    const message = evaluate && test === undefined ? 'Stopped during the test evaluation; the trained weights are kept. Evaluate the run to get its test metrics.' : result.message;
    post({ type: 'done', reason: result.reason, message, test });
  });
}

async function evaluate(request: EvaluateRequest): Promise<JobReply<'evaluate'>> {
  const backend = await initBackend();
  const model = await openModel(request);
  const evaluation = await evaluateSplit(model, request.split, request.maxlen, request.batchSize);
  const spec = request.layers === undefined ? undefined : { layers: request.layers, maxlen: request.maxlen };
  return { type: 'evaluated', evaluation, engine: engineInfoOf(backend, fusedStatus(), model, spec) };
}

async function predict(request: PredictRequest): Promise<JobReply<'predict'>> {
  await initBackend();
  const model = await openModel(request);
  // Passes of up to 128 rows, as training's batches: tfjs' default of 32 runs the recurrent kernels over every
  // step four times as often, and one pass over thousands of rows would hold all their embeddings at once.
  const output = tf.tidy(() =>
    (model.predict(tf.tensor2d(request.x, [request.count, request.maxlen], 'int32'), { batchSize: Math.min(request.count, 128) }) as tf.Tensor).reshape([request.count, -1]),
  );
  const outputs = (await output.array()) as number[][];
  output.dispose();
  return { type: 'predicted', outputs };
}

async function explain(request: ExplainRequest): Promise<JobReply<'explain'>> {
  await initBackend();
  const model = await openModel(request);
  const stock = await openStockModel(request);
  return { type: 'explained', reading: readAlong(model, request.x, request.padding, stock) };
}

async function gradient(request: GradientRequest): Promise<JobReply<'gradient'>> {
  await initBackend();
  const stock = await openStockModel(request);
  return { type: 'gradient', ...gradientOverTime(stock, request.x, request.y, request.count) };
}

/** Times the stack as training would build it; the model is thrown away afterwards. */
async function bench(request: BenchRequest): Promise<JobReply<'bench'>> {
  const backend = await initBackend();
  const embedding = request.layers.find((layer) => layer.kind === 'Embedding');
  const vocab = typeof embedding?.options['input_dim'] === 'number' ? embedding.options['input_dim'] : 2;
  const model = buildModel(request.layers, request.maxlen);
  try {
    const times = timeTrainingSteps(model, { batchSize: request.batchSize, maxlen: request.maxlen, vocab }, request.batches, 1);
    return { type: 'benched', msPerBatch: times.msPerBatch, msPerEval: times.msPerEval, engine: engineInfoOf(backend, fusedStatus(), model, { layers: request.layers, maxlen: request.maxlen }) };
  } finally {
    model.dispose();
  }
}

/** TensorFlow.js is here already; the exporter's own libraries (h5wasm, fflate) load with the first export or import. */
async function exportJob(job: ExportJob): Promise<JobReply<'export'>> {
  const { stageRunExport } = await import('../export/exporter');
  const { result, staged } = await stageRunExport({ ...job.request, tempId: job.tempId });
  return { type: 'exported', result, staged };
}

async function importJob(job: ImportJob): Promise<JobReply<'import'>> {
  const { importModel } = await import('../export/exporter');
  return { type: 'imported', record: await importModel(job.location, job.dataDir) };
}

async function importKerasJob(job: ImportKerasJob): Promise<JobReply<'import-keras'>> {
  const { storeKerasModel } = await import('../export/keras-import');
  const { record, totalParams } = await storeKerasModel(job.opened, job.options);
  return { type: 'imported-keras', record, totalParams };
}

/** Posts what a job or run ends with: its reply, if it has one, or an `error` reply when it fails. */
function run(job: Promise<FromWorker | void>): void {
  job.then((reply) => {
    if (reply !== undefined) post(reply);
  }, (error: unknown) => {
    const payload = toErrorPayload(error);
    post({ type: 'error', message: payload.message, code: payload.code });
  });
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'train':
      run(train(message));
      break;
    case 'evaluate':
      run(evaluate(message));
      break;
    case 'predict':
      run(predict(message));
      break;
    case 'explain':
      run(explain(message));
      break;
    case 'gradient':
      run(gradient(message));
      break;
    case 'bench':
      run(bench(message));
      break;
    case 'export':
      run(exportJob(message));
      break;
    case 'import':
      run(importJob(message));
      break;
    case 'import-keras':
      run(importKerasJob(message));
      break;
    case 'probe':
      run(initBackend().then((backend): JobReply<'probe'> => ({ type: 'probed', engine: engineInfoOf(backend, fusedStatus()) })));
      break;
    case 'stop':
      stopRequested = true;
      break;
    default:
      throw new Error(`Unknown message to the engine worker: ${JSON.stringify(message satisfies never)}`);
  }
});
