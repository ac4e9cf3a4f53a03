/** Keras' default layer names: `lstm`, `lstm_1`, … per class, skipping names the user chose. */
import { getLayerKind } from './registry';
import type { LayerSpec } from './types';

function prefixOf(kind: string): string {
  return getLayerKind(kind)?.namePrefix ?? kind.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * The name of every layer in the stack, as a fresh Keras session would give them.
 * A Bidirectional's wrapped layer takes a name first (Keras builds it before the wrapper), so
 * `Bidirectional(LSTM)` followed by `LSTM` names the second one `lstm_1`.
 */
export function resolveLayerNames(stack: readonly LayerSpec[]): string[] {
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
  return stack.map((spec) => {
    const wrapped = (spec.options?.layer as { kind?: unknown } | undefined)?.kind;
    if (spec.kind === 'Bidirectional') take(prefixOf(typeof wrapped === 'string' ? wrapped : 'LSTM'));
    if (typeof spec.name === 'string' && spec.name !== '') return spec.name;
    return take(prefixOf(spec.kind));
  });
}
