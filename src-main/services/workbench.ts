import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { AppInfo, DataProgressEvent, DirectoryEntry, WorkbenchApi } from '../../src-shared/api';
import { datasetOptionsSchema } from '../../src-shared/data';
import { WorkbenchError } from '../../src-shared/errors';
import { Emitter } from '../../src-shared/event';
import { loadDataset } from '../data';
import { EngineClient } from '../jobs/client';
import { toSummary } from '../runs/run-store';
import { appVersion } from '../platform/app-version';
import { describeFileKind } from '../platform/bounded-file';
import { DraftStore } from './draft-store';
import { SettingsStore } from './settings-store';
import { UploadStore } from './upload-store';
import { NodeExportService } from './export-service';
import type { ProcessLauncher } from '../platform/isolated-process';
import { NodeTrainingService } from './training-service';
import { NodeTuneService } from './tune-service';

export interface WorkbenchOptions {
  dataDir: string;
  host: AppInfo['host'];
  /** The version the status bar shows; the desktop app passes Electron's `app.getVersion()`. Default: package.json's. */
  version?: string;
  /** Starts isolated processes: the desktop app passes Electron's utilityProcess launcher; plain Node forks. */
  launchProcess?: ProcessLauncher;
}

/** A WorkbenchApi plus what its owner must call when the app quits. */
export interface Workbench extends WorkbenchApi {
  dispose(): Promise<void>;
}

/** Lists a folder for the file browser, folders first, hidden entries left out. */
async function listDirectory(requested: string | undefined): Promise<{ path: string; parent: string | null; entries: DirectoryEntry[] }> {
  const folder = path.resolve(requested ?? homedir());
  const info = await stat(folder).catch((error: NodeJS.ErrnoException) => {
    throw new WorkbenchError('not_found', `${folder}: expected a folder to list. Received: ${error.code === 'ENOENT' ? 'no such file or folder' : (error.code ?? error.message)}`);
  });
  if (!info.isDirectory()) throw new WorkbenchError('bad_input', `${folder}: expected a folder to list. Received: ${describeFileKind(info)}`);
  const dirents = await readdir(folder, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    throw new WorkbenchError('bad_input', `${folder}: expected a folder you may read. Received: ${error.code ?? error.message}`);
  });
  const entries = await Promise.all(
    dirents
      .filter((dirent) => !dirent.name.startsWith('.'))
      .map(async (dirent): Promise<DirectoryEntry | undefined> => {
        const full = path.join(folder, dirent.name);
        // Follow symlinks so a linked data folder shows as a folder; broken links are left out.
        const entryInfo = dirent.isSymbolicLink() ? await stat(full).catch(() => undefined) : dirent;
        if (entryInfo === undefined) return undefined;
        if (entryInfo.isDirectory()) return { name: dirent.name, kind: 'folder' };
        if (!entryInfo.isFile()) return undefined;
        const size = dirent.isSymbolicLink() ? (entryInfo as Awaited<ReturnType<typeof stat>>).size : (await stat(full).catch(() => undefined))?.size;
        return { name: dirent.name, kind: 'file', size: Number(size ?? 0) };
      }),
  );
  const listed = entries.filter((entry): entry is DirectoryEntry => entry !== undefined);
  listed.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1));
  const parent = path.dirname(folder);
  return { path: folder, parent: parent === folder ? null : parent, entries: listed };
}

/**
 * The main side's one implementation of the workbench API, composed of plain-Node services. Both
 * transports (Electron IPC, WebSocket) serve this object; the CLI uses the services directly.
 */
export function createWorkbench(options: WorkbenchOptions): Workbench {
  const info: AppInfo = { name: 'RNN Workbench', version: options.version ?? appVersion, dataDir: options.dataDir, host: options.host };
  // One engine worker for evaluate, predict and exports: TensorFlow.js loads there once.
  const engine = new EngineClient();
  const training = new NodeTrainingService({ dataDir: options.dataDir, launchProcess: options.launchProcess, engine });
  const exports = new NodeExportService(engine, options.launchProcess);
  const sweeps = new NodeTuneService(training, options.dataDir);
  const drafts = new DraftStore(options.dataDir);
  const settings = new SettingsStore(options.dataDir);
  const uploads = new UploadStore(options.dataDir);
  const dataProgress = new Emitter<DataProgressEvent>();
  // One dataset opens at a time: a new open cancels the previous one, as the Data panel shows one dataset.
  let opening: AbortController | undefined;

  return {
    getAppInfo: async () => info,
    listDirectory: ({ path: folder }) => listDirectory(folder),
    openDataset: async ({ path: file, options: datasetOptions }) => {
      opening?.abort();
      const abort = new AbortController();
      opening = abort;
      const resolved = path.resolve(file);
      try {
        const loaded = await loadDataset(resolved, datasetOptionsSchema.parse(datasetOptions ?? {}), {
          dataDir: options.dataDir,
          launchProcess: options.launchProcess,
          signal: abort.signal,
          onProgress: (progress) => dataProgress.fire({ ...progress, path: resolved }),
        });
        return loaded.preview;
      } finally {
        if (opening === abort) opening = undefined;
      }
    },
    cancelDataset: async () => {
      opening?.abort();
    },
    getEngineInfo: () => training.probeEngine(),
    benchmarkModel: ({ project, trainCount }) => training.benchmark(project, { trainCount }),
    startTraining: async ({ project, fromRun }) => ({ runId: await training.start(project, fromRun) }),
    resumeTraining: async ({ runId }) => ({ runId: await training.resume(runId) }),
    stopTraining: ({ runId }) => training.stop(runId),
    listRuns: () => training.listRuns(),
    getRun: ({ runId }) => training.getRun(runId),
    deleteRun: ({ runId }) => training.deleteRun(runId),
    evaluateRun: ({ runId }) => training.evaluate(runId),
    predict: ({ runId, text }) => training.predict(runId, text),
    explainReview: ({ runId, text }) => training.explain(runId, text),
    gradientOverTime: ({ runId, reviews }) => training.gradientOverTime(runId, reviews),
    startSweep: ({ project, grid, random, seed }) => sweeps.start({ project, grid, random, seed }),
    stopSweep: ({ sweepId }) => sweeps.stop(sweepId),
    resumeSweep: ({ sweepId }) => sweeps.resume(sweepId),
    listSweeps: () => sweeps.list(),
    exportRun: ({ runId, out, format, force }) => exports.exportRun({ runId, dataDir: options.dataDir, out: path.resolve(out), format, force }),
    cancelExport: async () => exports.cancel(),
    importModel: async ({ path: location }) => toSummary(await exports.importModel(path.resolve(location), options.dataDir)),
    importKerasModel: async ({ path: file, arch, tokenizer, maxlen }) => {
      const { record, totalParams } = await exports.importKerasModel(file, { dataDir: options.dataDir, arch, tokenizer, maxlen });
      return { run: toSummary(record), project: record.project, imported: record.imported!, totalParams };
    },
    importKerasUpload: async ({ model, name, tokenizer, arch, maxlen }) => {
      const files = { [uploads.file(model)]: `the uploaded ${name}`, ...(tokenizer === undefined ? {} : { [uploads.file(tokenizer)]: 'the uploaded tokenizer' }), ...(arch === undefined ? {} : { [uploads.file(arch)]: 'the uploaded architecture JSON' }) };
      try {
        const { record, totalParams } = await exports.importKerasModel(uploads.file(model), {
          dataDir: options.dataDir,
          arch: arch === undefined ? undefined : uploads.file(arch),
          tokenizer: tokenizer === undefined ? undefined : uploads.file(tokenizer),
          maxlen,
          shownAs: name,
        });
        return { run: toSummary(record), project: record.project, imported: record.imported!, totalParams };
      } catch (error) {
        // Messages name the file by its path; the user knows the upload by its own name.
        if (!(error instanceof WorkbenchError)) throw error;
        let message = error.message;
        for (const [file, shown] of Object.entries(files)) message = message.replaceAll(file, shown);
        throw new WorkbenchError(error.code, message);
      } finally {
        await uploads.remove([model, tokenizer, arch].filter((id) => id !== undefined));
      }
    },
    saveDraft: ({ name, project }) => drafts.save(name, project),
    readDraft: () => drafts.read(),
    discardDraft: () => drafts.discard(),
    getSettings: () => settings.read(),
    saveSettings: ({ change }) => settings.save(change),
    onDidDataProgress: dataProgress.event,
    onDidTrainingEvent: training.onDidTrainingEvent,
    onDidSweepEvent: sweeps.onDidSweepEvent,
    dispose: async () => {
      opening?.abort();
      // Sweeps first: their current trials stop as runs do, and the sweeps record where they were.
      await sweeps.dispose();
      await Promise.all([training.dispose(), drafts.flush()]);
    },
  };
}
