/**
 * The canvas' epoch estimate: the engine's benchmark of this stack first, else a projection from the
 * speed the newest finished run measured; with what it assumes, in words, for the header.
 */
import type { Host } from '../host/host';
import { StackBenchmark } from './benchmark.svelte';
import { calibrate, projectEpochSeconds, type Calibration } from './projection';
import type { Project } from './project.svelte';
import type { DataSession } from './session.svelte';

const count = (n: number) => n.toLocaleString('en-US');

export class EpochEstimate {
  readonly benchmark: StackBenchmark;
  calibration = $state<Calibration | undefined>();

  /** Seconds per epoch; `measuring` while the engine benchmarks the stack; undefined when unknown. */
  readonly seconds = $derived.by((): number | 'measuring' | undefined => {
    const bench = this.benchmark.result;
    if (bench !== undefined) return bench.epochSeconds;
    if (this.benchmark.measuring) return 'measuring';
    return projectEpochSeconds(this.calibration, this.project.editor.layers, this.project.data, this.project.training, this.data.preview?.train.count);
  });

  /** One visible line: what the figure covers. */
  readonly assumes = $derived.by((): string => {
    const bench = this.benchmark.result;
    if (bench !== undefined) {
      const reviews = `${count(bench.trainReviews)} + ${count(bench.validationReviews)} validation reviews`;
      return this.data.preview === undefined ? `for IMDb's ${reviews}; no data is open yet` : `for your ${reviews}`;
    }
    if (this.benchmark.measuring) return 'timing this model on this machine';
    if (this.seconds !== undefined && this.data.preview !== undefined) return `for your ${count(this.data.preview.train.count)} reviews, at the speed of run ${this.calibration?.runName}`;
    return this.project.editor.layers.length === 0 ? 'add layers to time a training epoch' : 'fix the model to time it';
  });

  /** The longer account, for the tooltip. */
  readonly hint = $derived.by((): string => {
    const bench = this.benchmark.result;
    if (bench !== undefined) {
      const counts = `${count(bench.trainReviews)} training and ${count(bench.validationReviews)} validation reviews`;
      return `From a benchmark of this model on this machine (${bench.backend}, ${bench.recurrent}): ${Math.round(bench.msPerBatch)} ms per training batch of ${this.project.training.batchSize} at maxlen ${this.project.data.options.maxlen}, projected over ${counts}${this.data.preview === undefined ? " (IMDb's; open data on the Data tab for yours)" : ''}`;
    }
    if (this.benchmark.measuring) return 'Benchmarking this model on this machine…';
    return this.calibration ? `Projected from the speed measured in run ${this.calibration.runName}, for the data opened on the Data tab` : 'Open data and train once: the projection uses the speed this machine measured';
  });

  constructor(
    private readonly host: Host,
    private readonly project: Project,
    private readonly data: DataSession,
  ) {
    this.benchmark = new StackBenchmark(host);
  }

  /** Benchmarks the stack as it is now; from an effect, every change of the stack or the data asks again. */
  update(): void {
    const editor = this.project.editor;
    const buildable = editor.layers.length > 0 && editor.summary.issues.length === 0;
    this.benchmark.update(buildable ? this.project.toFile() : undefined, this.data.preview?.train.count);
  }

  /** Measures this machine's speed again from the newest finished run. */
  recalibrate(): void {
    calibrate(this.host.api).then(
      (value) => (this.calibration = value),
      () => (this.calibration = undefined),
    );
  }
}
