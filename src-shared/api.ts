/**
 * The workbench API, declared once.
 *
 * The Electron IPC adapter, the WebSocket adapter and the renderer's client are all generated from
 * `apiMethods` and `apiEvents`; no channel name is written anywhere else. Every method takes one
 * params object, validated at the boundary with its schema, and returns a promise.
 */
import { z } from 'zod';
import { datasetOptionsSchema, type DataProgress, type DatasetPreview } from './data';
import { WorkbenchError, type Reply } from './errors';
import { exportFormats } from './export-formats';
import { oneOf } from './model/options';
import { issueMessage } from './validation';
import type { Project } from './project';
import type { GradientOverTime, ReadAlong } from './read-along';
import { settingsChangeSchema, type Settings } from './settings';
import type { Sweep, SweepEvent } from './tune';
import type { EngineInfo, Evaluation, ImportedFrom, Prediction, RunRecord, RunSummary, TrainingEvent } from './training';

/** Facts about the running app that the UI shows in its status bar. */
export interface AppInfo {
  name: string;
  version: string;
  /** Where projects' runs, caches and autosaves live. */
  dataDir: string;
  /** Which host serves the API: the desktop app or the local web server. */
  host: 'electron' | 'web';
}

/** One entry of a folder listing, for the web mode's server-side file browser. */
export interface DirectoryEntry {
  name: string;
  kind: 'file' | 'folder';
  /** Bytes, for files. */
  size?: number;
}

/** A folder's contents: its absolute path, its parent (null at the root) and its entries, folders first. */
export interface DirectoryListing {
  path: string;
  parent: string | null;
  entries: DirectoryEntry[];
}

/** Progress of an `openDataset` call, tagged with the path being opened. */
export type DataProgressEvent = DataProgress & { path: string };

/** Where an export was written. */
export interface ExportOutcome {
  out: string;
  format: string;
  files: string[];
  bytes: number;
}

/** A benchmark of the project's stack on this machine and the epoch it projects. */
export interface ModelBenchmark {
  /** Mean wall time of one training step (forward, backward, optimizer update) at the project's batch size and maxlen. */
  msPerBatch: number;
  /** Mean wall time of one inference batch, as validation runs it. */
  msPerEval: number;
  /** Projected seconds per epoch: training steps over `trainReviews` plus inference over `validationReviews`. */
  epochSeconds: number;
  trainReviews: number;
  validationReviews: number;
  /** The TensorFlow.js backend that ran the benchmark. */
  backend: string;
  /** Which implementation computed the benchmarked stack's recurrent layers, in a few words (`describeRecurrentPaths`). */
  recurrent: string;
}

/** A Keras model file stored as a run. */
export interface KerasImportOutcome {
  run: RunSummary;
  /** The run's project (`{version, layers, data, training}`): the file's stack with every option, to put on the canvas. */
  project: unknown;
  /** Where it came from, which implementation computes each recurrent layer, and what differs. */
  imported: ImportedFrom;
  /** Keras' `count_params()` over the file's weights. */
  totalParams: number;
}

/** The autosaved draft: the project as it was after its last change, kept until it is saved or discarded. */
export interface Draft {
  /** When it was written, ISO 8601. */
  savedAt: string;
  /** The project's title when the draft was written. */
  name: string;
  project: Project;
}

/** What `readDraft` found. */
export interface DraftReading {
  /** The draft to offer; null when there is none or it was damaged. */
  draft: Draft | null;
  /** Why a stored draft could not be read and where it was set aside; absent otherwise. */
  problem?: string;
}

const empty = z.object({}).strict();
const runId = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, { error: 'a run id' });
const uploadId = z.string().regex(/^[0-9a-f]{24}$/, { error: 'an upload id (24 hex digits)' });
const nonEmptyPath = z.string().min(1, { error: 'a file or folder path' }).max(4096);

/** Request schemas, one per method. The keys are the method names. */
export const apiMethods = {
  /** Name, version, data folder and host of the running app. */
  getAppInfo: empty,
  /** Lists a folder on the machine that runs the workbench (default: the user's home); web mode's file browser. */
  listDirectory: z.object({ path: nonEmptyPath.optional() }).strict(),
  /** Opens IMDb data (archive, folder, npz or CSV), caches its tensors and returns the preview. Progress: `onDidDataProgress`. */
  openDataset: z.object({ path: nonEmptyPath, options: datasetOptionsSchema.default(datasetOptionsSchema.parse({})) }).strict(),
  /** Cancels the `openDataset` in progress, if any; it rejects with a `cancelled` error. */
  cancelDataset: empty,
  /**
   * The TensorFlow.js backend and the fused kernels on this machine; no model is built, so `layers` is
   * empty and the per-layer path of a stack comes from `recurrentPaths` with these kernels.
   */
  getEngineInfo: empty,
  /** Times the project's stack on this machine (a warm-up and 2 training steps on synthetic ids) and projects an epoch of `trainCount` labelled reviews (default IMDb's 25,000); `busy` while a run trains. */
  benchmarkModel: z.object({ project: z.unknown(), trainCount: z.number().int().positive({ error: 'a positive whole number of reviews' }).optional() }).strict(),
  /**
   * Starts training a project (`{version, layers, data, training}`) and returns the new run's id; progress: `onDidTrainingEvent`.
   * With `fromRun`, fine-tunes that run (one trained here or opened from a Keras file): its stack and weights, the project's data and training.
   */
  startTraining: z.object({ project: z.unknown(), fromRun: runId.optional() }).strict(),
  /** Continues a stopped or interrupted run from its last epoch checkpoint, under the same id; progress: `onDidTrainingEvent`. */
  resumeTraining: z.object({ runId }).strict(),
  /** Stops a run within one batch, keeping the weights trained so far. */
  stopTraining: z.object({ runId }).strict(),
  /** Every stored run, newest first. */
  listRuns: empty,
  /** One run with its history, config and metrics. */
  getRun: z.object({ runId }).strict(),
  /** Deletes a run that is not training. */
  deleteRun: z.object({ runId }).strict(),
  /** Loss, accuracy and confusion matrix of a finished run on its dataset's test split. */
  evaluateRun: z.object({ runId }).strict(),
  /** The sentiment a finished run gives a typed review. */
  predict: z.object({ runId, text: z.string().min(1, { error: 'some review text' }).max(100_000) }).strict(),
  /** A finished run reading one review: the tokens it sees (OOV and truncation marked), its positive probability after each token, and its recurrent state over time. */
  explainReview: z.object({ runId, text: z.string().min(1, { error: 'some review text' }).max(100_000) }).strict(),
  /** ‖∂loss/∂state‖ at every step of a finished run, averaged over `reviews` (default 32) of its validation reviews. */
  gradientOverTime: z.object({ runId, reviews: z.number().int().min(1, { error: 'a whole number of reviews from 1 to 256' }).max(256, { error: 'a whole number of reviews from 1 to 256' }).optional() }).strict(),
  /** Starts a sweep: one run per trial of `grid` (or `random` of them, seeded by `seed`) from `project`, one after another, with early stopping; progress: `onDidSweepEvent`. */
  startSweep: z
    .object({
      project: z.unknown(),
      grid: z.string().min(1, { error: "a grid such as 'units=16,32;dropout=0,0.2'" }).max(10_000),
      random: z.number().int().positive({ error: 'a positive whole number of trials' }).optional(),
      seed: z.number().int().min(0, { error: 'a whole number from 0' }).optional(),
    })
    .strict(),
  /** Stops a sweep within one batch of its current trial; resume continues from that trial's checkpoint. */
  stopSweep: z.object({ sweepId: runId }).strict(),
  /** Continues a stopped or interrupted sweep (one whose app was closed or crashed). */
  resumeSweep: z.object({ sweepId: runId }).strict(),
  /** Every stored sweep, newest first. */
  listSweeps: empty,
  /** Exports a run: `tfjs` folder, `zip`, `keras-h5` (Keras 2) or `keras` (Keras 3) file, `python` folder, or `torch-job` folder (a PyTorch DDP training job) at `out` (a path on the workbench's machine). */
  exportRun: z.object({ runId, out: nonEmptyPath, format: oneOf(exportFormats).optional(), force: z.boolean().default(false) }).strict(),
  /** Cancels the `exportRun`s in progress, if any; each rejects with a `cancelled` error and leaves its `out` as it was (nothing new, an existing one untouched). */
  cancelExport: empty,
  /** Imports an exported model (tfjs folder or `.zip`) as a new run: listed, evaluated, predicted and resumed like one trained here. */
  importModel: z.object({ path: nonEmptyPath }).strict(),
  /**
   * Opens a Keras model file (Keras 2 `.h5`, a weights `.h5` with `arch` from `model.to_json()`, Keras 3
   * `.h5` or `.keras`) on the workbench's machine and stores it as a new run with its weights; `tokenizer`
   * (`imdb_word_index.json` or `Tokenizer.to_json()`) lets it read typed text; `maxlen` pads inputs for a
   * model of any length (default 500). Nothing is stored when the file cannot be read as Keras computes it.
   */
  importKerasModel: z
    .object({
      path: nonEmptyPath,
      arch: nonEmptyPath.optional(),
      tokenizer: nonEmptyPath.optional(),
      maxlen: z.number().int({ error: 'a positive integer' }).positive({ error: 'a positive integer' }).max(100_000).optional(),
    })
    .strict(),
  /**
   * Opens a Keras model file sent from the browser (web mode): `model`, `tokenizer` and `arch` are ids
   * that `POST /upload?kind=keras|tokenizer|arch` returned, `name` the file's own name. Imported as
   * `importKerasModel` does, then the uploads are deleted.
   */
  importKerasUpload: z
    .object({
      model: uploadId,
      name: z.string().min(1, { error: 'a file name' }).max(255, { error: 'a file name' }),
      tokenizer: uploadId.optional(),
      arch: uploadId.optional(),
      maxlen: z.number().int({ error: 'a positive integer' }).positive({ error: 'a positive integer' }).max(100_000).optional(),
    })
    .strict(),
  /** Autosaves the open project as the draft (`<dataDir>/draft.json`, written atomically), so a crash of the app or the browser loses no edit. */
  saveDraft: z.object({ name: z.string().max(255, { error: 'a project name of at most 255 characters' }), project: z.unknown() }).strict(),
  /** The autosaved draft for a new launch to offer; a damaged one is set aside and reported, never thrown. */
  readDraft: empty,
  /** Forgets the autosaved draft: the project was saved, replaced, or the user declined the draft. */
  discardDraft: empty,
  /** The user's settings (theme, whether the guided start was dismissed); the defaults when none are stored. */
  getSettings: empty,
  /** Changes some settings, keeps the rest, stores them (`<dataDir>/settings.json`, atomically) and returns them all. */
  saveSettings: z.object({ change: settingsChangeSchema }).strict(),
} as const;

export type ApiMethodName = keyof typeof apiMethods;
export type ApiParams<M extends ApiMethodName> = z.input<(typeof apiMethods)[M]>;

/** Results, one per method. */
export interface ApiResults {
  getAppInfo: AppInfo;
  listDirectory: DirectoryListing;
  openDataset: DatasetPreview;
  cancelDataset: void;
  getEngineInfo: EngineInfo;
  benchmarkModel: ModelBenchmark;
  startTraining: { runId: string };
  resumeTraining: { runId: string };
  stopTraining: void;
  listRuns: RunSummary[];
  getRun: RunRecord;
  deleteRun: void;
  evaluateRun: Evaluation;
  predict: Prediction;
  explainReview: ReadAlong;
  gradientOverTime: GradientOverTime;
  startSweep: Sweep;
  stopSweep: void;
  resumeSweep: Sweep;
  listSweeps: Sweep[];
  exportRun: ExportOutcome;
  cancelExport: void;
  importModel: RunSummary;
  importKerasModel: KerasImportOutcome;
  importKerasUpload: KerasImportOutcome;
  saveDraft: void;
  readDraft: DraftReading;
  discardDraft: void;
  getSettings: Settings;
  saveSettings: Settings;
}

/** Event streams and their payloads. */
export interface ApiEvents {
  /** Phases, files and bytes of the dataset being opened. */
  onDidDataProgress: DataProgressEvent;
  /** Every event of every run: loading, started, batch (at most 10 a second), epoch, warning, done. */
  onDidTrainingEvent: TrainingEvent;
  /** Sweep trials starting and ending, and sweeps ending. */
  onDidSweepEvent: SweepEvent;
}
export const apiEvents = ['onDidDataProgress', 'onDidTrainingEvent', 'onDidSweepEvent'] as const satisfies readonly (keyof ApiEvents)[];
export type ApiEventName = keyof ApiEvents;

export type Unsubscribe = () => void;

/**
 * The transport name of a method or event: the only place a channel string is made. Electron's IPC
 * and the WebSocket protocol both use it.
 */
export function channelOf(name: ApiMethodName | ApiEventName): string {
  return `workbench:${name}`;
}

export const apiMethodNames = Object.keys(apiMethods) as ApiMethodName[];

/** The workbench as the renderer and the CLI see it. */
export type WorkbenchApi = {
  [M in ApiMethodName]: (params: ApiParams<M>) => Promise<ApiResults[M]>;
} & {
  [E in ApiEventName]: (listener: (event: ApiEvents[E]) => void) => Unsubscribe;
};

export function isApiMethod(name: unknown): name is ApiMethodName {
  return typeof name === 'string' && Object.hasOwn(apiMethods, name);
}

/**
 * Validates a request at the boundary. Throws a WorkbenchError that names the method, the field and
 * what was expected, so the IPC, WebSocket and CLI callers all print the same text.
 */
export function parseRequest<M extends ApiMethodName>(method: M, params: unknown): z.output<(typeof apiMethods)[M]> {
  const result = apiMethods[method].safeParse(params ?? {});
  if (result.success) return result.data as z.output<(typeof apiMethods)[M]>;
  throw new WorkbenchError('invalid_request', `${method}: ${issueMessage(result.error.issues[0]!, params, 'params', 'field').message}`);
}

/**
 * The workbench as a transport carries it: each method resolves with the handler's Reply, so an error's
 * `code` crosses as data. Electron's contextBridge copies a thrown Error with its message only, so the
 * preload exposes this shape and the renderer's host unwraps it, as the web host unwraps WebSocket replies.
 */
export type RemoteWorkbenchApi = {
  [M in ApiMethodName]: (params: ApiParams<M>) => Promise<Reply<ApiResults[M]>>;
} & {
  [E in ApiEventName]: (listener: (event: ApiEvents[E]) => void) => Unsubscribe;
};
