/**
 * What the app is doing right now, shared by the panels: the opened dataset and the run being
 * trained, fed by the API's events.
 */
import type { DataProgressEvent } from '../../../src-shared/api';
import type { DatasetPreview } from '../../../src-shared/data';
import type { EngineInfo, EpochMetrics, RunSummary, TrainingEvent } from '../../../src-shared/training';
import type { Host } from '../host/host';

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class DataSession {
  preview = $state<DatasetPreview | undefined>();
  opening = $state(false);
  progress = $state<DataProgressEvent | undefined>();
  error = $state<string | undefined>();

  constructor(private readonly host: Host) {
    host.api.onDidDataProgress((event) => {
      if (this.opening) this.progress = event;
    });
  }

  async open(path: string, options: { maxFeatures: number; maxlen: number }): Promise<boolean> {
    this.opening = true;
    this.error = undefined;
    this.progress = undefined;
    try {
      this.preview = await this.host.api.openDataset({ path, options });
      return true;
    } catch (error) {
      this.error = errorText(error);
      return false;
    } finally {
      this.opening = false;
    }
  }

  cancel(): void {
    void this.host.api.cancelDataset({});
  }
}

/** A point of a chart: x in epochs (fractions during an epoch), y the metric. */
export interface Point {
  x: number;
  y: number;
}

export class TrainingSession {
  runId = $state<string | undefined>();
  /** 'idle' before any run; 'loading' while the data loads; 'running'; then the run's end reason. */
  status = $state<'idle' | 'starting' | 'loading' | 'running' | 'done' | 'stopped' | 'early-stopped' | 'failed'>('idle');
  stopping = $state(false);
  engine = $state<EngineInfo | undefined>();
  epochs = $state(0);
  epoch = $state(0);
  batch = $state(0);
  batches = $state(0);
  etaSeconds = $state(0);
  samplesPerSecond = $state(0);
  trainCount = $state(0);
  validationCount = $state(0);
  loadingPhase = $state('');
  history = $state<EpochMetrics[]>([]);
  /** Running training loss and accuracy within epochs, for the live line between epoch points. */
  batchLoss = $state<Point[]>([]);
  batchAcc = $state<Point[]>([]);
  warnings = $state<string[]>([]);
  message = $state<string | undefined>();
  summary = $state<RunSummary | undefined>();
  error = $state<string | undefined>();
  /** Bumped when a run ends, so the Runs panel reloads. */
  finished = $state(0);

  readonly active = $derived(this.status === 'starting' || this.status === 'loading' || this.status === 'running');

  constructor(private readonly host: Host) {
    host.api.onDidTrainingEvent((event) => this.handle(event));
  }

  /** Starts training `project`; with `fromRun`, fine-tunes that run (its stack and weights) on the project's data and training. */
  async start(project: unknown, fromRun?: string): Promise<void> {
    this.reset();
    this.status = 'starting';
    try {
      const { runId } = await this.host.api.startTraining(fromRun === undefined ? { project } : { project, fromRun });
      this.runId = runId;
    } catch (error) {
      this.status = 'idle';
      this.error = errorText(error);
    }
  }

  /** Continues a stopped or interrupted run; its earlier epochs are shown again from its record. */
  async resume(runId: string): Promise<void> {
    this.reset();
    this.status = 'starting';
    try {
      const record = await this.host.api.getRun({ runId });
      this.epochs = record.epochs;
      this.history = record.history.slice(0, record.checkpointEpoch ?? 0);
      // Listening before the call: the resumed run's first events may arrive before its reply.
      this.runId = runId;
      await this.host.api.resumeTraining({ runId });
    } catch (error) {
      this.runId = undefined;
      this.status = 'idle';
      this.error = errorText(error);
    }
  }

  async stop(): Promise<void> {
    if (this.runId === undefined) return;
    this.stopping = true;
    try {
      await this.host.api.stopTraining({ runId: this.runId });
    } catch (error) {
      this.error = errorText(error);
      this.stopping = false;
    }
  }

  private reset(): void {
    this.runId = undefined;
    this.stopping = false;
    this.engine = undefined;
    this.epochs = 0;
    this.epoch = 0;
    this.batch = 0;
    this.batches = 0;
    this.etaSeconds = 0;
    this.samplesPerSecond = 0;
    this.loadingPhase = '';
    this.history = [];
    this.batchLoss = [];
    this.batchAcc = [];
    this.warnings = [];
    this.message = undefined;
    this.summary = undefined;
    this.error = undefined;
  }

  private handle(event: TrainingEvent): void {
    // Events of a run this window did not start (another tab, the CLI) are not shown here.
    if (event.runId !== this.runId) return;
    switch (event.type) {
      case 'loading':
        this.status = 'loading';
        this.loadingPhase = event.phase;
        break;
      case 'started':
        this.status = 'running';
        this.engine = event.engine;
        this.epochs = event.epochs;
        this.batches = event.batchesPerEpoch;
        this.trainCount = event.trainCount;
        this.validationCount = event.validationCount;
        this.epoch = 1;
        break;
      case 'batch':
        this.status = 'running';
        this.epoch = event.epoch;
        this.batch = event.batch;
        this.batches = event.batches;
        this.etaSeconds = event.etaSeconds;
        this.samplesPerSecond = event.samplesPerSecond;
        this.batchLoss.push({ x: event.epoch - 1 + event.batch / event.batches, y: event.loss });
        this.batchAcc.push({ x: event.epoch - 1 + event.batch / event.batches, y: event.acc });
        break;
      case 'epoch': {
        const { type: _type, runId: _runId, epochs, ...metrics } = event;
        this.epochs = epochs;
        this.history.push(metrics);
        this.batch = this.batches;
        this.etaSeconds = 0;
        break;
      }
      case 'warning':
        this.warnings.push(event.message);
        break;
      case 'done':
        this.status = event.reason;
        this.message = event.message;
        this.summary = event.summary;
        this.stopping = false;
        this.finished += 1;
        break;
      default:
        throw new Error(`Unknown training event: ${JSON.stringify(event satisfies never)}`);
    }
  }
}
