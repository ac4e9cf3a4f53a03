/**
 * Hyperparameter sweeps: each trial is a normal run of the training service (early stopping on),
 * one after another. The sweep is stored in `<dataDir>/sweeps/<id>.json`, rewritten atomically after
 * every change, so a stopped, killed or restarted app finds it and resumes where it ended.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkbenchError } from '../../src-shared/errors';
import { Emitter } from '../../src-shared/event';
import { validateStack } from '../../src-shared/model';
import { parseProject } from '../../src-shared/project';
import { applyTrial, bestTrial, gridTrials, parseGrid, type Sweep, type SweepEvent, type Trial } from '../../src-shared/tune';
import { newRunId } from '../runs/run-store';
import { isProcessAlive, removeStrayTemps, writeFileAtomic } from '../platform/atomic-file';
import type { NodeTrainingService } from './training-service';

const SWEEP_ID = /^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$/;

/** What starts a sweep: the project every trial starts from, and the grid. */
export interface SweepRequest {
  project: unknown;
  /** `name=v1,v2;name=v3`, see `parseGrid`. */
  grid: string;
  /** Sample this many of the grid's combinations instead of all. */
  random?: number;
  /** Seed of the sample. Default 0. */
  seed?: number;
}

interface ActiveSweep {
  stopRequested: boolean;
  currentRunId?: string;
  done: Promise<Sweep>;
}

/** Runs sweeps in this process; any number may be stored, one trial trains at a time per sweep. */
export class NodeTuneService {
  private readonly root: string;
  private readonly active = new Map<string, ActiveSweep>();
  private readonly events = new Emitter<SweepEvent>();
  /** sweep.json writes, one after another per sweep. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(
    private readonly training: NodeTrainingService,
    dataDir: string,
  ) {
    this.root = path.join(dataDir, 'sweeps');
  }

  /** Trials starting and ending, and sweeps ending. */
  readonly onDidSweepEvent = this.events.event;

  /** Checks the request, stores the sweep with every trial pending, and starts its first trial. */
  async start(request: SweepRequest): Promise<Sweep> {
    const project = parseProject(request.project);
    if (project.data.path === null) throw new WorkbenchError('invalid_request', 'data.path must name a dataset file or folder. Received: null');
    const options = gridTrials(parseGrid(request.grid), request.random, request.seed ?? 0);
    // Every trial's stack is checked now, not when its turn comes hours later.
    options.forEach((trialOptions, i) => {
      const issues = validateStack(applyTrial(project, trialOptions).layers, { maxFeatures: project.data.options.maxFeatures, maxlen: project.data.options.maxlen });
      if (issues.length > 0) throw new WorkbenchError('bad_input', `Trial ${i + 1} (${JSON.stringify(trialOptions)}) cannot be built: ${issues[0]!.message}`);
    });
    const now = new Date().toISOString();
    const sweep: Sweep = {
      version: 1,
      id: newRunId(),
      createdAt: now,
      updatedAt: now,
      status: 'running',
      grid: request.grid,
      random: request.random,
      seed: request.seed ?? 0,
      project,
      trials: options.map((trialOptions, i) => ({ index: i + 1, options: trialOptions, status: 'pending' })),
      pid: process.pid,
    };
    await mkdir(this.root, { recursive: true });
    await this.save(sweep);
    this.launch(sweep);
    return sweep;
  }

  /** Continues a stopped or interrupted sweep: a trial cut short resumes from its run's last checkpoint. */
  async resume(sweepId: string): Promise<Sweep> {
    if (this.active.has(sweepId)) throw new WorkbenchError('busy', `Sweep ${sweepId} is already running.`);
    const stored = await this.get(sweepId);
    if (stored.status === 'done') throw new WorkbenchError('conflict', `Only a stopped or interrupted sweep can be resumed. Received: sweep ${sweepId} is done`);
    if (stored.status === 'running') throw new WorkbenchError('busy', `Sweep ${sweepId} is running in process ${stored.pid}.`);
    const sweep: Sweep = { ...stored, status: 'running', pid: process.pid, message: undefined, updatedAt: new Date().toISOString() };
    await this.save(sweep);
    this.launch(sweep);
    return sweep;
  }

  /** Stops a sweep: its current trial stops within a batch and keeps its checkpoint for a resume. */
  async stop(sweepId: string): Promise<void> {
    const run = this.active.get(sweepId);
    if (run === undefined) {
      await this.get(sweepId);
      return;
    }
    run.stopRequested = true;
    if (run.currentRunId !== undefined) await this.training.stop(run.currentRunId);
  }

  /** Resolves with the sweep once it has ended (at once for one that is not running here). */
  async whenDone(sweepId: string): Promise<Sweep> {
    return this.active.get(sweepId)?.done ?? this.get(sweepId);
  }

  /** Every readable sweep, newest first. */
  async list(): Promise<Sweep[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch {
      return [];
    }
    await removeStrayTemps(this.root);
    const sweeps: Sweep[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort().reverse()) {
      try {
        sweeps.push(await this.get(name.slice(0, -'.json'.length)));
      } catch {
        // A damaged file is not a sweep; listing must not fail because of it.
      }
    }
    return sweeps;
  }

  /** One sweep; `interrupted` when its file says running but its process is gone. */
  async get(sweepId: string): Promise<Sweep> {
    const file = this.file(sweepId);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new WorkbenchError('not_found', `No sweep with id ${sweepId} in ${this.root}.`);
    }
    let sweep: Sweep;
    try {
      sweep = JSON.parse(text) as Sweep;
    } catch (error) {
      throw new WorkbenchError('bad_input', `${file}: expected a sweep record in JSON. Received: ${(error as Error).message}`);
    }
    if (sweep.status !== 'running' || this.active.has(sweepId)) return sweep;
    if (sweep.pid !== undefined && sweep.pid !== process.pid && isProcessAlive(sweep.pid)) return sweep;
    return { ...sweep, status: 'interrupted', message: sweep.message ?? 'The app or command running this sweep ended; resume it to continue.' };
  }

  /** Stops every sweep of this service and waits for them to end. */
  async dispose(): Promise<void> {
    const ids = [...this.active.keys()];
    await Promise.all(ids.map((id) => this.stop(id)));
    await Promise.all(ids.map((id) => this.active.get(id)?.done));
  }

  private file(sweepId: string): string {
    if (!SWEEP_ID.test(sweepId)) throw new WorkbenchError('invalid_request', `sweepId must look like 20260101-120000-a1b2c3. Received: ${JSON.stringify(sweepId)}`);
    return path.join(this.root, `${sweepId}.json`);
  }

  private save(sweep: Sweep): Promise<void> {
    const snapshot = JSON.stringify({ ...sweep, updatedAt: new Date().toISOString() });
    const write = (this.writes.get(sweep.id) ?? Promise.resolve()).then(() => writeFileAtomic(this.file(sweep.id), snapshot));
    this.writes.set(sweep.id, write.catch(() => undefined));
    return write;
  }

  private launch(sweep: Sweep): void {
    let finish!: (sweep: Sweep) => void;
    const active: ActiveSweep = { stopRequested: false, done: new Promise((resolve) => (finish = resolve)) };
    this.active.set(sweep.id, active);
    void this.execute(sweep, active)
      .catch(async (error: unknown) => {
        sweep.status = 'stopped';
        sweep.message = `The sweep stopped: ${(error as Error).message}`;
        await this.save(sweep).catch(() => undefined);
        return sweep;
      })
      .then((ended) => {
        this.active.delete(sweep.id);
        this.events.fire({ type: 'sweep-done', sweepId: sweep.id, status: ended.status, best: bestTrial(ended), message: ended.message });
        finish(ended);
      });
  }

  private async execute(sweep: Sweep, active: ActiveSweep): Promise<Sweep> {
    for (const [i, trial] of sweep.trials.entries()) {
      if (trial.status === 'done' || trial.status === 'failed') continue;
      if (active.stopRequested) break;
      const runId = await this.startTrial(sweep, trial);
      active.currentRunId = runId;
      const running: Trial = { ...trial, status: 'running', runId, message: undefined };
      sweep.trials[i] = running;
      await this.save(sweep);
      this.events.fire({ type: 'trial-started', sweepId: sweep.id, trial: running });
      // A stop that came while the trial was starting.
      if (active.stopRequested) await this.training.stop(runId);
      const summary = await this.training.whenDone(runId);
      const record = await this.training.getRun(runId);
      active.currentRunId = undefined;
      const accuracies = record.history.map((m) => m.val_acc).filter((acc): acc is number => acc !== undefined);
      const stopped = summary.status === 'stopped' || summary.status === 'interrupted';
      const ended: Trial = {
        ...running,
        status: summary.status === 'failed' ? 'failed' : stopped ? 'stopped' : 'done',
        bestValAcc: accuracies.length > 0 ? Math.max(...accuracies) : undefined,
        epochs: record.epochsDone,
        seconds: record.history.reduce((total, m) => total + m.seconds, 0),
        message: summary.message,
        history: record.history,
      };
      sweep.trials[i] = ended;
      await this.save(sweep);
      if (stopped) break;
      this.events.fire({ type: 'trial-done', sweepId: sweep.id, trial: ended });
    }
    const finished = sweep.trials.every((t) => t.status === 'done' || t.status === 'failed');
    sweep.status = finished ? 'done' : 'stopped';
    await this.save(sweep);
    return sweep;
  }

  /** A new run for a pending trial, or the trial's own run resumed when it stopped after an epoch. */
  private async startTrial(sweep: Sweep, trial: Trial): Promise<string> {
    if (trial.runId !== undefined) {
      const record = await this.training.getRun(trial.runId).catch(() => undefined);
      const resumable = record !== undefined && (record.status === 'stopped' || record.status === 'interrupted') && (record.checkpointEpoch ?? 0) > 0 && (record.checkpointEpoch ?? 0) < record.epochs;
      if (resumable) return this.training.resume(trial.runId);
    }
    const project = applyTrial(sweep.project, trial.options);
    return this.training.start(project);
  }
}
