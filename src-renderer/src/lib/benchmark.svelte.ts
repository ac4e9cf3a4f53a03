/**
 * The engine's own benchmark of the stack being built, for the canvas' epoch estimate: asked a second
 * after the last change and cached per request, so undo/redo and going back to a stack answer at once.
 */
import type { ModelBenchmark } from '../../../src-shared/api';
import type { Project as ProjectFile } from '../../../src-shared/project';
import type { Host } from '../host/host';

/** Quiet time after the last edit before the engine is asked; typing a number should not queue benches. */
const DEBOUNCE_MS = 1000;

export class StackBenchmark {
  /** The benchmark of the current stack, once measured. */
  result = $state<ModelBenchmark | undefined>();
  /** The current stack waits for its debounce or for the engine. */
  measuring = $state(false);
  // Not reactive on purpose: `update` runs inside an effect, which must not rerun when the cache fills.
  readonly #cache: Partial<Record<string, ModelBenchmark>> = {};
  #key: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly host: Host) {}

  /**
   * Benchmarks `file`'s stack (unless cached) for an epoch of `trainCount` labelled reviews; pass
   * undefined for a stack that cannot be built. A failed benchmark leaves no result, and is asked
   * again on the next call (a bench refused while a run trains, say).
   */
  update(file: ProjectFile | undefined, trainCount: number | undefined): void {
    clearTimeout(this.#timer);
    if (file === undefined) {
      this.#key = undefined;
      this.result = undefined;
      this.measuring = false;
      return;
    }
    const { layers, data, training } = file;
    const key = JSON.stringify([layers, data.options.maxlen, training.batchSize, training.validationSplit, training.limit, trainCount]);
    this.#key = key;
    const known = this.#cache[key];
    this.result = known;
    this.measuring = known === undefined;
    if (known !== undefined) return;
    this.#timer = setTimeout(() => {
      this.host.api.benchmarkModel({ project: file, trainCount }).then(
        (result) => {
          this.#cache[key] = result;
          if (this.#key !== key) return;
          this.result = result;
          this.measuring = false;
        },
        () => {
          if (this.#key === key) this.measuring = false;
        },
      );
    }, DEBOUNCE_MS);
  }
}
