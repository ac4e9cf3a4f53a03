/**
 * Training as a service: starts runs in engine workers, streams their events and stores them; a
 * stored run's evaluate, predict, read-along and gradient go to `inference.ts`, the epoch projection
 * to `benchmark.ts`. Plain Node; the API layer and the CLI call it directly.
 */
import { stat } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import path from 'node:path';
import { WorkbenchError } from '../../src-shared/errors';
import { Emitter } from '../../src-shared/event';
import { getLayerKind, wrappedLayer } from '../../src-shared/model';
import type { LayerSpec } from '../../src-shared/model/types';
import { optimizerSlots } from '../../src-shared/limits';
import { parseProject, type Project } from '../../src-shared/project';
import type { ModelBenchmark } from '../../src-shared/api';
import type { GradientOverTime, ReadAlong } from '../../src-shared/read-along';
import type { EngineInfo, Evaluation, Prediction, RunRecord, RunSummary, TrainingEvent } from '../../src-shared/training';
import { loadDataset, type LoadedDataset } from '../data';
import { EngineClient, startEngineWorker } from '../jobs/client';
import { fineTuneLayers, requireSameVocabulary } from './fine-tune';
import { readModelTokenizer } from './model-dir';
import type { FromWorker, ToWorker } from '../jobs/protocol';
import { transferablesOf } from '../jobs/protocol';
import { RunStore, TOKENIZER_FILE, newRunId, toSummary, type RunTokenizer } from '../runs/run-store';
import { writeFileAtomic } from '../platform/atomic-file';
import type { ProcessLauncher } from '../platform/isolated-process';
import { benchmarkProject } from './benchmark';
import { requireBuildable } from './buildable';
import { evaluateModelDir, explainModelDir, firstRows, gradientModelDir, predictModelDir } from './inference';

/** A short label for a run: its recurrent layers, e.g. `LSTM(32)`. */
function runName(layers: readonly LayerSpec[]): string {
  const parts = layers
    .filter((layer) => getLayerKind(layer.kind)?.namesRun !== false)
    .map((layer) => {
      const inner = wrappedLayer(layer);
      const units = inner === undefined ? layer.options['units'] : inner.options['units'];
      const kind = inner === undefined ? layer.kind : `${layer.kind}(${inner.kind})`;
      return typeof units === 'number' ? `${kind}(${units})` : kind;
    });
  return parts.length > 0 ? parts.join(' → ') : 'Dense';
}

/** `name`, or `name #2`, `#3`… when listed runs already use it, so runs of one stack can be told apart in the table and charts. */
export function uniqueRunName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  let n = 2;
  while (taken.has(`${name} #${n}`)) n++;
  return `${name} #${n}`;
}

interface ActiveRun {
  record: RunRecord;
  abort: AbortController;
  worker?: Worker;
  /** run.json writes, one after another. */
  writes: Promise<void>;
  done: Promise<RunSummary>;
  finish(summary: RunSummary): void;
  stopRequested: boolean;
}

export interface TrainingServiceOptions {
  /** The app's data folder: runs live in `<dataDir>/runs/`, the dataset cache in `<dataDir>/cache/`. */
  dataDir: string;
  /** Starts the data parser process (Electron's utilityProcess in the app; a fork elsewhere). */
  launchProcess?: ProcessLauncher;
  /** The engine worker client for evaluate, predict, probe and benchmark; the app shares it with exports. Default: one of its own. */
  engine?: EngineClient;
}

/** The training service of a Node process (app main process, web server or CLI). */
export class NodeTrainingService {
  readonly store: RunStore;
  private readonly active = new Map<string, ActiveRun>();
  private readonly events = new Emitter<TrainingEvent>();
  /** Reused for evaluate, predict and probe, so a second "try a review" skips the worker's start-up. */
  private readonly engine: EngineClient;
  private engineInfo: Promise<EngineInfo> | undefined;

  constructor(private readonly options: TrainingServiceOptions) {
    this.engine = options.engine ?? new EngineClient();
    this.store = new RunStore(options.dataDir, (id) => this.active.has(id));
  }

  /** Every event of every run: loading, started, batch (≤10/s), epoch, warning, done. */
  readonly onDidTrainingEvent = this.events.event;

  /**
   * Starts training a project in a new run and returns its id at once; progress and the end arrive
   * as events. The project's `data.path` is loaded (from the cache when it was opened before).
   * With `fromRun`, the run fine-tunes that run: its stack, its weights to start from, the project's data and training.
   */
  async start(projectInput: unknown, fromRun?: string): Promise<string> {
    let project = parseProject(projectInput);
    const source = fromRun === undefined ? undefined : await this.store.get(fromRun);
    if (source !== undefined) project = { ...project, layers: fineTuneLayers(source, project.data.options) };
    this.validate(project);
    const dataPath = path.resolve(project.data.path!);
    try {
      await stat(dataPath);
    } catch (error) {
      throw new WorkbenchError('not_found', `data.path must name an existing dataset file or folder. Received: ${dataPath} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    if (source !== undefined) await this.requireFineTunable(source, project, dataPath);
    const id = newRunId();
    const now = new Date().toISOString();
    const record: RunRecord = {
      version: 1,
      id,
      name: uniqueRunName(source === undefined ? runName(project.layers) : `${source.name} fine-tuned`, new Set((await this.store.list()).map((run) => run.name))),
      status: 'loading',
      createdAt: now,
      updatedAt: now,
      epochs: project.training.epochs,
      epochsDone: 0,
      project,
      training: project.training,
      dataset: { path: dataPath, fingerprint: '', options: project.data.options, trainCount: 0, validationCount: 0, testCount: 0 },
      history: [],
      pid: process.pid,
      warnings: [],
      ...(source === undefined ? {} : { fineTunedFrom: { runId: source.id, name: source.name } }),
    };
    await this.store.create(record);
    this.launch(record, 0);
    return id;
  }

  /** Continues a stopped or interrupted run from its last epoch checkpoint, under the same id. */
  async resume(runId: string): Promise<string> {
    if (this.active.has(runId)) throw new WorkbenchError('busy', `Run ${runId} is already training.`);
    const record = await this.store.get(runId);
    const from = record.checkpointEpoch ?? 0;
    if (record.status !== 'interrupted' && record.status !== 'stopped') {
      throw new WorkbenchError('conflict', `Only a stopped or interrupted run can be resumed. Received: run ${runId} is ${record.status}`);
    }
    if (from === 0) throw new WorkbenchError('conflict', `Run ${runId} has no epoch checkpoint to resume from; start it again instead.`);
    if (from >= record.epochs) throw new WorkbenchError('conflict', `Run ${runId} already finished all ${record.epochs} epochs.`);
    // A run.json edited (or written elsewhere) to declare a huge model is refused before its data loads.
    this.validateStack(parseProject(record.project, path.join(this.store.dir(runId), 'run.json')));
    const resumed: RunRecord = { ...record, status: 'loading', pid: process.pid, message: undefined, history: record.history.slice(0, from), epochsDone: from, updatedAt: new Date().toISOString() };
    await this.store.write(resumed);
    this.launch(resumed, from);
    return runId;
  }

  /** Asks a run to stop; it ends within one batch, keeping its weights, with reason `stopped`. */
  async stop(runId: string): Promise<void> {
    const run = this.active.get(runId);
    if (run === undefined) {
      await this.store.get(runId);
      return;
    }
    run.stopRequested = true;
    run.abort.abort();
    run.worker?.postMessage({ type: 'stop' } satisfies ToWorker);
  }

  /** Resolves with the run's summary once it has ended (at once for a run that is not training). */
  async whenDone(runId: string): Promise<RunSummary> {
    const run = this.active.get(runId);
    return run === undefined ? toSummary(await this.store.get(runId)) : run.done;
  }

  async listRuns(): Promise<RunSummary[]> {
    return (await this.store.list()).map(toSummary);
  }

  async getRun(runId: string): Promise<RunRecord> {
    return this.active.get(runId)?.record ?? this.store.get(runId);
  }

  async deleteRun(runId: string): Promise<void> {
    if (this.active.has(runId)) throw new WorkbenchError('busy', `Run ${runId} is training; stop it before deleting it.`);
    await this.store.delete(runId);
  }

  /** Loss, accuracy and confusion matrix of a finished run on its dataset's test split. */
  async evaluate(runId: string): Promise<Evaluation> {
    if (this.active.has(runId)) throw new WorkbenchError('busy', `Run ${runId} is training; evaluate it when it has ended.`);
    const record = await this.store.get(runId);
    if (record.imported !== undefined && record.dataset.path === '') {
      throw new WorkbenchError(
        'bad_input',
        `${record.name} was imported from a Keras file, not trained on a dataset here, so it has no test split to evaluate on. Use rnn-workbench evaluate --model-dir ${this.store.dir(runId)} --data <its IMDb data> with data encoded as it was trained.`,
      );
    }
    return (await evaluateModelDir(this.store.dir(runId), record.dataset.path, { dataDir: this.options.dataDir, engine: this.engine, launchProcess: this.options.launchProcess })).evaluation;
  }

  /** The sentiment a finished run gives one review, through the dataset's tokenizer. */
  async predict(runId: string, text: string): Promise<Prediction> {
    if (this.active.has(runId)) throw new WorkbenchError('busy', `Run ${runId} is training; try a review when it has ended.`);
    await this.store.get(runId);
    return predictModelDir(this.store.dir(runId), text, this.engine);
  }

  /** The run reading one review token by token: tokens, probability after each, and the recurrent state. */
  async explain(runId: string, text: string): Promise<ReadAlong> {
    if (this.active.has(runId)) throw new WorkbenchError('busy', `Run ${runId} is training; read a review with it when it has ended.`);
    await this.store.get(runId);
    return explainModelDir(this.store.dir(runId), text, this.engine);
  }

  /** ‖∂loss/∂state‖ at every step, averaged over `reviews` of the run's validation reviews. */
  async gradientOverTime(runId: string, reviews?: number): Promise<GradientOverTime> {
    if (this.active.has(runId)) throw new WorkbenchError('busy', `Run ${runId} is training; measure its gradient when it has ended.`);
    await this.store.get(runId);
    return gradientModelDir(this.store.dir(runId), { dataDir: this.options.dataDir, engine: this.engine, launchProcess: this.options.launchProcess, reviews });
  }

  /** The TensorFlow.js backend and the fused kernels here, for the status bar (which applies them to the stack on the canvas). */
  probeEngine(): Promise<EngineInfo> {
    this.engineInfo ??= this.engine.request({ type: 'probe' }, []).then((reply) => reply.engine);
    this.engineInfo.catch(() => (this.engineInfo = undefined));
    return this.engineInfo;
  }

  /**
   * One epoch of the project's model on this machine, timed and projected (see `benchmarkProject`).
   * Answers `busy` while a run trains, as its timing would take the run's cores.
   *
   * Args:
   *   projectInput: the project file, `{version, layers, data, training}`; data.path is not needed.
   *   options: `trainCount` (labelled reviews of the open dataset) and `batches` (timed steps, default 2).
   */
  async benchmark(projectInput: unknown, options: { trainCount?: number; batches?: number } = {}): Promise<ModelBenchmark> {
    const project = parseProject(projectInput);
    this.validateStack(project);
    if (this.active.size > 0) throw new WorkbenchError('busy', 'A run is training; the model is benchmarked once it has ended.');
    return benchmarkProject(this.engine, project, options);
  }

  /** Stops every run of this service and waits for them to end. */
  async dispose(): Promise<void> {
    const runs = [...this.active.values()];
    await Promise.all(runs.map((run) => this.stop(run.record.id)));
    await Promise.all(runs.map((run) => run.done));
    await this.engine.close();
  }

  /**
   * Refuses to fine-tune `source` while it trains, or on data whose word ids mean other words than
   * its tokenizer's (the data is loaded, from its cache when it is open, to compare); nothing is stored.
   */
  private async requireFineTunable(source: RunRecord, project: Project, dataPath: string): Promise<void> {
    if (this.active.has(source.id)) throw new WorkbenchError('busy', `Run ${source.id} is training; fine-tune it when it has ended.`);
    const dataset = await loadDataset(dataPath, project.data.options, { dataDir: this.options.dataDir, launchProcess: this.options.launchProcess });
    requireSameVocabulary(source, await readModelTokenizer(this.store.dir(source.id)), dataset.tokenizer, dataPath);
  }

  private validate(project: Project): void {
    if (project.data.path === null) throw new WorkbenchError('invalid_request', 'data.path must name a dataset file or folder. Received: null');
    this.validateStack(project);
  }

  private validateStack(project: Project): void {
    const { training } = project;
    requireBuildable(project.layers, project.data.options, { purpose: 'training', optimizerSlots: optimizerSlots(training.optimizer), batchSize: training.batchSize });
  }

  private emit(event: TrainingEvent): void {
    this.events.fire(event);
  }

  /**
   * Emits after the run's pending record writes, so events keep their order and an `epoch` event
   * is only seen once that epoch's checkpoint is on disk.
   */
  private emitInOrder(run: ActiveRun, event: TrainingEvent): void {
    run.writes = run.writes.then(() => {
      try {
        this.emit(event);
      } catch (error) {
        // A throwing listener surfaces as an uncaught error, as with an EventEmitter, without
        // breaking the chain that later writes and events wait on.
        queueMicrotask(() => {
          throw error;
        });
      }
    });
  }

  /** Writes the run's record after the writes before it; a failed write becomes a warning event. */
  private persist(run: ActiveRun): Promise<void> {
    const snapshot: RunRecord = { ...run.record, updatedAt: new Date().toISOString() };
    run.record = snapshot;
    run.writes = run.writes.then(() =>
      this.store.write(snapshot).catch((error: unknown) =>
        this.emit({ type: 'warning', runId: snapshot.id, message: `Could not save the run record: ${(error as Error).message}` }),
      ),
    );
    return run.writes;
  }

  private launch(record: RunRecord, fromEpoch: number): void {
    let finish!: (summary: RunSummary) => void;
    const done = new Promise<RunSummary>((resolve) => (finish = resolve));
    const run: ActiveRun = { record, abort: new AbortController(), writes: Promise.resolve(), done, finish, stopRequested: false };
    this.active.set(record.id, run);
    void this.execute(run, fromEpoch).catch((error: unknown) => this.end(run, 'failed', (error as Error).message ?? String(error)));
  }

  private async end(run: ActiveRun, reason: RunRecord['status'] & ('done' | 'stopped' | 'early-stopped' | 'failed'), message?: string, test?: Evaluation): Promise<void> {
    if (!this.active.has(run.record.id)) return;
    run.record = { ...run.record, status: reason, message, test: test ?? run.record.test, pid: undefined };
    await this.persist(run);
    this.active.delete(run.record.id);
    void run.worker?.terminate();
    const summary = toSummary(run.record);
    this.emit({ type: 'done', runId: run.record.id, reason, message, summary });
    run.finish(summary);
  }

  private async execute(run: ActiveRun, fromEpoch: number): Promise<void> {
    const runId = run.record.id;
    const project = run.record.project as Project;
    const options = project.data.options;
    let dataset: LoadedDataset;
    try {
      dataset = await loadDataset(run.record.dataset.path, options, {
        dataDir: this.options.dataDir,
        launchProcess: this.options.launchProcess,
        signal: run.abort.signal,
        onProgress: (progress) => this.emit({ type: 'loading', runId, phase: progress.phase, bytes: progress.bytes, totalBytes: progress.totalBytes }),
      });
    } catch (error) {
      if (run.stopRequested) return this.end(run, 'stopped', 'Stopped while loading the dataset; nothing was trained.');
      throw error;
    }
    if (fromEpoch > 0 && run.record.dataset.fingerprint !== dataset.preview.fingerprint) {
      return this.end(run, 'failed', `${run.record.dataset.path} changed since the run started (fingerprint ${dataset.preview.fingerprint.slice(0, 12)}, expected ${run.record.dataset.fingerprint.slice(0, 12)}); the run cannot resume on other data.`);
    }
    const training = project.training;
    const train = firstRows(dataset.train, dataset.maxlen, training.limit);
    const runDir = this.store.dir(runId);
    const tokenizer: RunTokenizer = { ...dataset.tokenizer, maxlen: dataset.maxlen, padding: 'pre', truncating: 'pre' };
    await writeFileAtomic(path.join(runDir, TOKENIZER_FILE), JSON.stringify(tokenizer));
    run.record = {
      ...run.record,
      status: 'running',
      dataset: { ...run.record.dataset, fingerprint: dataset.preview.fingerprint, trainCount: 0, validationCount: 0, testCount: dataset.test.count },
    };
    await this.persist(run);
    if (run.stopRequested) return this.end(run, 'stopped', 'Stopped before training started; nothing was trained.');

    const worker = startEngineWorker();
    run.worker = worker;
    let ended = false;
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          run.record = { ...run.record, engine: message.engine, dataset: { ...run.record.dataset, trainCount: message.trainCount, validationCount: message.validationCount } };
          void this.persist(run);
          this.emitInOrder(run, { type: 'started', runId, engine: message.engine, epochs: training.epochs, batchesPerEpoch: message.batchesPerEpoch, trainCount: message.trainCount, validationCount: message.validationCount });
          break;
        case 'batch': {
          const { type: _type, ...progress } = message;
          this.emitInOrder(run, { type: 'batch', runId, ...progress });
          break;
        }
        case 'epoch':
          run.record = { ...run.record, history: [...run.record.history, message.metrics], epochsDone: message.metrics.epoch, last: message.metrics, checkpointEpoch: message.checkpointEpoch };
          void this.persist(run);
          this.emitInOrder(run, { type: 'epoch', runId, epochs: training.epochs, ...message.metrics });
          break;
        case 'warning':
          run.record = { ...run.record, warnings: [...run.record.warnings, message.message] };
          void this.persist(run);
          this.emitInOrder(run, { type: 'warning', runId, message: message.message });
          break;
        case 'done':
          ended = true;
          void this.end(run, message.reason, message.message, message.test);
          break;
        case 'error':
          ended = true;
          void this.end(run, 'failed', message.message);
          break;
        case 'evaluated':
        case 'predicted':
        case 'explained':
        case 'gradient':
        case 'probed':
        case 'benched':
        case 'exported':
        case 'imported':
        case 'imported-keras':
          break;
        default:
          throw new Error(`Unknown message from the engine worker: ${JSON.stringify(message satisfies never)}`);
      }
    });
    worker.on('error', (error) => {
      ended = true;
      void this.end(run, 'failed', `The training worker failed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      if (!ended) void this.end(run, 'failed', `The training worker stopped unexpectedly (exit code ${code}); the weights of the last finished epoch are kept.`);
    });
    const request: ToWorker = {
      type: 'train',
      runDir,
      layers: project.layers,
      training,
      maxlen: dataset.maxlen,
      train,
      test: dataset.test,
      resumeFromEpoch: fromEpoch > 0 ? fromEpoch : undefined,
      initWeightsFrom: fromEpoch === 0 && run.record.fineTunedFrom !== undefined ? this.store.dir(run.record.fineTunedFrom.runId) : undefined,
    };
    worker.postMessage(request, transferablesOf(dataset.train, dataset.test));
    // A stop that arrived while the worker was starting.
    if (run.stopRequested) worker.postMessage({ type: 'stop' } satisfies ToWorker);
  }
}
