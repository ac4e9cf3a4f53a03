/** Keras' default layer names: `lstm`, `lstm_1`, … per class, skipping names the user chose. */
import { wrappedLayer } from './bidirectional';
import { getLayerKind } from './registry';
import type { LayerSpec } from './types';

function prefixOf(kind: string): string {
  return getLayerKind(kind)?.namePrefix ?? kind.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Names for a stack: each layer's, and the name its wrapped layer takes (Bidirectional only). */
export interface ResolvedNames {
  names: string[];
  wrapped: (string | undefined)[];
}

/**
 * The names of every layer in the stack, as a fresh Keras session would give them.
 * A Bidirectional's wrapped layer takes a name first (Keras builds it before the wrapper), so
 * `Bidirectional(LSTM)` followed by `LSTM` names the second one `lstm_1`.
 */
export function resolveNames(stack: readonly LayerSpec[]): ResolvedNames {
  const chosen = new Set(stack.map((spec) => spec.name).filter((name): name is string => typeof name === 'string' && name !== ''));
  const counters = new Map<string, number>();
  const take = (prefix: string): string => {
    let n = counters.get(prefix) ?? 0;
    let name = n === 0 ? prefix : `${prefix}_${n}`;
    while (chosen.has(name)) {
      n += 1;
      name = `${prefix}_${n}`;
    }
    counters.set(prefix, n + 1);
    return name;
  };
  const wrapped: (string | undefined)[] = [];
  const names = stack.map((spec) => {
    const inner = wrappedLayer(spec);
    wrapped.push(inner === undefined ? undefined : take(prefixOf(inner.kind)));
    if (typeof spec.name === 'string' && spec.name !== '') return spec.name;
    return take(prefixOf(spec.kind));
  });
  return { names, wrapped };
}

/** The name of every layer in the stack (see `resolveNames`). */
export function resolveLayerNames(stack: readonly LayerSpec[]): string[] {
  return resolveNames(stack).names;
}

/**
 * The Keras name a new layer of `kind` gets in this stack: the bare prefix while no layer has a name
 * of that family, else the next number after the highest one (`lstm_2` after `lstm_1`), so names
 * follow the order layers were created in, whatever order they stand in.
 */
export function nextLayerName(stack: readonly LayerSpec[], kind: string): string {
  const prefix = prefixOf(kind);
  const { names, wrapped } = resolveNames(stack);
  let highest = -1;
  for (const name of [...names, ...wrapped]) {
    if (name === prefix) highest = Math.max(highest, 0);
    const match = name !== undefined && name.startsWith(`${prefix}_`) ? /^\d+$/.exec(name.slice(prefix.length + 1)) : null;
    if (match) highest = Math.max(highest, Number(match[0]));
  }
  return highest < 0 ? prefix : `${prefix}_${highest + 1}`;
}

/** The stack with every layer's name written down, as resolved now; later edits leave them as they are. */
export function pinLayerNames(stack: readonly LayerSpec[]): LayerSpec[] {
  const { names } = resolveNames(stack);
  return stack.map((spec, index) => (typeof spec.name === 'string' && spec.name !== '' ? spec : { ...spec, name: names[index]! }));
}
