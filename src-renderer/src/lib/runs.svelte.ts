/**
 * The Runs tab's shared state: the stored runs, which one is selected, which are compared, and their
 * full records (history, dataset), fetched once each run has finished.
 */
import type { RunRecord, RunSummary } from '../../../src-shared/training';
import type { Host } from '../host/host';
import { errorText } from './session.svelte';

const live = (status: string) => status === 'loading' || status === 'running';

/** One colour per shown run, the same in every chart that compares them. */
const palette = ['#3b5bdb', '#e8590c', '#2b8a3e', '#ae3ec9', '#1098ad', '#f08c00', '#c2255c'];

export class RunsStore {
  runs = $state<RunSummary[]>([]);
  /** Why listing, fetching or deleting runs failed; shown under the list. */
  error = $state<string | undefined>();
  selectedId = $state<string | undefined>();
  compared = $state<string[]>([]);
  records = $state<Record<string, RunRecord>>({});
  readonly selected = $derived(this.runs.find((run) => run.id === this.selectedId));
  /** The selected run first, then the compared ones, each once. */
  readonly shown = $derived([...(this.selectedId ? [this.selectedId] : []), ...this.compared].filter((id, index, all) => all.indexOf(id) === index));

  constructor(private readonly host: Host) {}

  async load(): Promise<void> {
    try {
      this.runs = await this.host.api.listRuns({});
      this.error = undefined;
      if (this.selectedId === undefined || !this.runs.some((run) => run.id === this.selectedId)) this.selectedId = this.runs[0]?.id;
    } catch (caught) {
      this.error = errorText(caught);
    }
  }

  /** The run's record, fetched again while it trains, cached once it has ended. */
  async record(id: string): Promise<RunRecord | undefined> {
    const known = this.records[id];
    if (known !== undefined && !live(known.status)) return known;
    try {
      const fetched = await this.host.api.getRun({ runId: id });
      this.records[id] = fetched;
      return fetched;
    } catch (caught) {
      this.error = errorText(caught);
      return undefined;
    }
  }

  toggleCompare(id: string, on: boolean): void {
    this.compared = on ? [...this.compared, id] : this.compared.filter((other) => other !== id);
  }

  async remove(run: RunSummary): Promise<void> {
    try {
      await this.host.api.deleteRun({ runId: run.id });
      this.compared = this.compared.filter((id) => id !== run.id);
      await this.load();
    } catch (caught) {
      this.error = errorText(caught);
    }
  }

  colorOf(id: string): string {
    return palette[this.shown.indexOf(id) % palette.length]!;
  }

  /** The run's name, with a bit of its id when another run has the same name (runs from before names were made distinct, imports). */
  label(id: string): string {
    const run = this.runs.find((r) => r.id === id);
    if (run === undefined) return id;
    return this.runs.some((other) => other.id !== id && other.name === run.name) ? `${run.name} · ${id.slice(9, 13)}` : run.name;
  }
}

/**
 * Whether a run has weights to evaluate, try or export: a finished epoch, or a model opened from a
 * Keras file (weights without training here).
 */
export function hasWeights(run: RunSummary, record: RunRecord | undefined): boolean {
  return !live(run.status) && (run.epochsDone > 0 || record?.imported !== undefined);
}
