/**
 * Exports and imports for the app and the web server, run in the engine worker so the main thread
 * keeps answering while TensorFlow.js loads the model and the files are made. Plain Node; the CLI
 * calls `src-main/export` directly, as it has no other request to answer meanwhile.
 *
 * The worker writes an export into a temp beside its target and stops there; the main thread
 * renames it into place. Cancelling ends the worker and removes the temp, so a cancelled export
 * never touches the target: a new one does not appear, an existing one stays as it was.
 */
import path from 'node:path';
import { WorkbenchError } from '../../src-shared/errors';
import type { RunRecord } from '../../src-shared/training';
import type { EngineClient } from '../jobs/client';
import type { JobReply } from '../jobs/protocol';
import { openKerasFile } from '../keras/open-keras-file';
import { RunStore } from '../runs/run-store';
import type { ProcessLauncher } from '../platform/isolated-process';
import { discardStaged, newTempId, publishStaged, tempPathOf } from '../export/atomic-output';
import type { ExportRequest, ExportResult } from '../export/formats';

/** The export and import service of a Node process (app main process or web server). */
export class NodeExportService {
  /** Exports being written, with their targets. */
  private readonly running = new Map<AbortController, string>();

  /** `engine`: the worker client shared with evaluate and predict, which keeps TensorFlow.js loaded. */
  constructor(
    private readonly engine: EngineClient,
    private readonly launchProcess?: ProcessLauncher,
  ) {}

  /**
   * Exports a stored run off the main thread, all or nothing. Rejects with `cancelled` when
   * `cancel` is called before the export is written; after that it is put in place.
   *
   * Args:
   *   request: the run (`runDir`, or `runId` + `dataDir`), `out`, `format`, `force`.
   */
  async exportRun(request: Omit<ExportRequest, 'writeFile'>): Promise<ExportResult> {
    const abort = new AbortController();
    const tempId = newTempId();
    const target = path.resolve(request.out);
    this.running.set(abort, target);
    let reply: JobReply<'export'>;
    try {
      // A typo gets "no such run" rather than a file error; a cancel meanwhile is seen by `request`.
      if (request.runId !== undefined && request.dataDir !== undefined) await new RunStore(request.dataDir).get(request.runId);
      reply = await this.engine.request({ type: 'export', request: { ...request, out: target }, tempId }, [], abort.signal);
    } catch (error) {
      // The worker removes its temp on a failure it sees; one that was ended (cancel, crash) cannot.
      await discardStaged({ temp: tempPathOf(target, tempId) });
      throw error;
    } finally {
      this.running.delete(abort);
    }
    await publishStaged(reply.staged, { force: request.force });
    return reply.result;
  }

  /** Cancels every export still being written; each rejects with a `cancelled` error. */
  cancel(): void {
    for (const [abort, target] of this.running) abort.abort(new WorkbenchError('cancelled', `The export was cancelled; nothing was written at ${target}.`));
  }

  /**
   * Imports a Keras model file as a new run: parsed in the parser process, interpreted here, built and
   * stored in the engine worker. Nothing is stored when it fails.
   *
   * Args:
   *   file: the `.h5` or `.keras` file.
   *   options: `dataDir`, and optionally `arch` (weights-only `.h5`), `tokenizer`, `maxlen`, and
   *     `shownAs`, how the run names the file instead of its path (an upload's original name).
   */
  async importKerasModel(file: string, options: { dataDir: string; arch?: string; tokenizer?: string; maxlen?: number; shownAs?: string }): Promise<{ record: RunRecord; totalParams: number }> {
    const opened = await openKerasFile(path.resolve(file), { arch: options.arch, launchProcess: this.launchProcess });
    const job = { dataDir: options.dataDir, tokenizer: options.tokenizer === undefined ? undefined : path.resolve(options.tokenizer), maxlen: options.maxlen };
    const shown = options.shownAs === undefined ? opened : { ...opened, file: options.shownAs };
    const reply = await this.engine.request({ type: 'import-keras', opened: shown, options: job }, []);
    return { record: reply.record, totalParams: reply.totalParams };
  }

  /** Imports an export (folder or `.zip`) as a new run in `<dataDir>/runs/`, off the main thread; returns its record. */
  async importModel(location: string, dataDir: string): Promise<RunRecord> {
    const reply = await this.engine.request({ type: 'import', location: path.resolve(location), dataDir }, []);
    return reply.record;
  }
}
