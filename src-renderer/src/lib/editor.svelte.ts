/**
 * The model being edited: the layer stack, the selection, undo/redo and the unsaved-changes flag.
 * Every change goes through one of these methods so history and autosave see it.
 */
import { applyFix, createLayer, getLayerKind, newLayerId, nextLayerName, pinLayerNames, summarize, type DatasetContext, type FixAction, type LayerSpec } from '../../../src-shared/model';

const HISTORY_LIMIT = 200;
/** Edits to the same option closer together than this are one undo step (typing "128" is one change). */
const COALESCE_MS = 1200;

/** A layer with every option at its default unless set, as the canvas and the project file keep it. */
export function normalizeLayer(spec: LayerSpec): LayerSpec {
  const kind = getLayerKind(spec.kind);
  if (kind === undefined) return spec;
  const parsed = kind.optionsSchema.safeParse(spec.options ?? {});
  return parsed.success ? { ...spec, options: parsed.data } : spec;
}

export class ModelEditor {
  layers = $state<LayerSpec[]>([]);
  selectedId = $state<string | null>(null);
  /** What the chosen data contributes: the Embedding's input. */
  dataset = $state<DatasetContext>({ maxFeatures: 10000, maxlen: 500 });
  readonly summary = $derived(summarize(this.layers, this.dataset));
  readonly selected = $derived(this.layers.find((layer) => layer.id === this.selectedId));

  #past = $state<LayerSpec[][]>([]);
  #future = $state<LayerSpec[][]>([]);
  #lastKey: string | null = null;
  #lastAt = 0;
  /** Bumped on every change; compared with the saved revision for the unsaved-changes flag. */
  revision = $state(0);
  savedRevision = $state(0);

  readonly canUndo = $derived(this.#past.length > 0);
  readonly #now: () => number;

  /** `now` is the clock that decides which edits coalesce; tests pass their own. */
  constructor(now: () => number = () => Date.now()) {
    this.#now = now;
  }

  readonly canRedo = $derived(this.#future.length > 0);
  readonly dirty = $derived(this.revision !== this.savedRevision);

  #snapshot(): LayerSpec[] {
    return $state.snapshot(this.layers) as LayerSpec[];
  }

  /** Replaces the stack, recording the previous one for undo unless it continues the same edit. */
  #commit(next: LayerSpec[], coalesceKey: string | null = null): void {
    const now = this.#now();
    const continues = coalesceKey !== null && coalesceKey === this.#lastKey && now - this.#lastAt < COALESCE_MS;
    if (!continues) {
      this.#past = [...this.#past.slice(-(HISTORY_LIMIT - 1)), this.#snapshot()];
      this.#future = [];
    }
    this.#lastKey = coalesceKey;
    this.#lastAt = now;
    this.layers = next;
    this.revision += 1;
    if (this.selectedId !== null && !next.some((layer) => layer.id === this.selectedId)) this.selectedId = null;
  }

  /**
   * Inserts a new layer of `kind` (with `options` over its defaults) at `index` (default: below the
   * selection, else at the bottom) and selects it.
   */
  add(kind: string, index?: number, options: Record<string, unknown> = {}): LayerSpec {
    const layer = createLayer(this.layers, kind, options);
    const selectedIndex = this.layers.findIndex((l) => l.id === this.selectedId);
    const at = index ?? (selectedIndex >= 0 ? selectedIndex + 1 : this.layers.length);
    const next = [...this.#snapshot()];
    next.splice(at, 0, layer);
    this.#commit(next);
    this.selectedId = layer.id;
    return layer;
  }

  remove(id: string): void {
    const index = this.layers.findIndex((layer) => layer.id === id);
    if (index < 0) return;
    this.#commit(this.#snapshot().filter((layer) => layer.id !== id));
    const neighbour = this.layers[Math.min(index, this.layers.length - 1)];
    this.selectedId = neighbour?.id ?? null;
  }

  duplicate(id: string): void {
    const index = this.layers.findIndex((layer) => layer.id === id);
    if (index < 0) return;
    const source = this.#snapshot()[index]!;
    // The copy takes the next Keras default name rather than a duplicate of a chosen one.
    const copy: LayerSpec = { ...structuredClone(source), id: newLayerId(this.layers, source.kind), name: nextLayerName(this.layers, source.kind) };
    const next = this.#snapshot();
    next.splice(index + 1, 0, copy);
    this.#commit(next);
    this.selectedId = copy.id;
  }

  /** Moves a layer by `delta` places (−1 up, +1 down). */
  move(id: string, delta: number): void {
    const from = this.layers.findIndex((layer) => layer.id === id);
    const to = from + delta;
    if (from < 0 || to < 0 || to >= this.layers.length) return;
    this.#commit(applyFix(this.#snapshot(), { type: 'moveLayer', layerId: id, index: to }));
  }

  /** Takes a reordered list from drag and drop; ids not in the stack yet are new layers of their kind (with the palette entry's options). */
  reorder(items: { id: string; kind: string; options?: Record<string, unknown> }[]): void {
    const current: Record<string, LayerSpec> = Object.fromEntries(this.#snapshot().map((layer) => [layer.id, layer]));
    const next: LayerSpec[] = [];
    let added: LayerSpec | undefined;
    for (const item of items) {
      const existing = Object.hasOwn(current, item.id) ? current[item.id] : undefined;
      if (existing !== undefined) next.push(existing);
      else {
        added = createLayer([...Object.values(current), ...next], item.kind, item.options);
        next.push(added);
      }
    }
    const same = next.length === this.layers.length && next.every((layer, i) => layer.id === this.layers[i]!.id);
    if (same) return;
    this.#commit(next);
    if (added !== undefined) this.selectedId = added.id;
  }

  /** Sets one option (a dotted path for wrapped layers); consecutive edits of one field undo together. */
  setOption(id: string, path: string, value: unknown): void {
    this.#commit(applyFix(this.#snapshot(), { type: 'setOption', layerId: id, option: path, value }), `${id}:${path}`);
  }

  rename(id: string, name: string): void {
    const next = this.#snapshot().map((layer) => {
      if (layer.id !== id) return layer;
      const { name: _previous, ...rest } = layer;
      return name.trim() === '' ? rest : { ...rest, name: name.trim() };
    });
    this.#commit(next, `${id}:name`);
  }

  applyFix(action: FixAction): void {
    this.#commit(applyFix(this.#snapshot(), action).map(normalizeLayer));
  }

  /** Replaces the whole stack (a preset, an opened project) as one undoable step. */
  replace(layers: LayerSpec[]): void {
    this.#commit(pinLayerNames(layers.map(normalizeLayer)));
    this.selectedId = null;
  }

  undo(): void {
    const previous = this.#past.at(-1);
    if (previous === undefined) return;
    this.#future = [...this.#future, this.#snapshot()];
    this.#past = this.#past.slice(0, -1);
    this.#lastKey = null;
    this.layers = previous;
    this.revision += 1;
  }

  redo(): void {
    const next = this.#future.at(-1);
    if (next === undefined) return;
    this.#past = [...this.#past, this.#snapshot()];
    this.#future = this.#future.slice(0, -1);
    this.#lastKey = null;
    this.layers = next;
    this.revision += 1;
  }

  /** Starts over from a stack with no history, as a freshly opened file. */
  reset(layers: LayerSpec[]): void {
    // Names are written down once, so inserting or removing a layer later renames no other.
    this.layers = pinLayerNames(layers.map(normalizeLayer));
    this.#past = [];
    this.#future = [];
    this.#lastKey = null;
    this.selectedId = null;
    this.revision += 1;
    this.savedRevision = this.revision;
  }

  markSaved(): void {
    this.savedRevision = this.revision;
  }
}
