/** Applying a suggested fix to a stack, the same way in every host. */
import { WorkbenchError } from '../errors';
import { nextLayerName } from './names';
import { getLayerKind, layerKindNames } from './registry';
import type { FixAction, LayerSpec } from './types';

/** An id not used in the stack yet, readable in project files: `lstm-2`. */
export function newLayerId(stack: readonly LayerSpec[], kind: string): string {
  const taken = new Set(stack.map((spec) => spec.id));
  const base = kind.toLowerCase();
  let n = 1;
  while (taken.has(`${base}-${n}`)) n += 1;
  return `${base}-${n}`;
}

/**
 * A new layer of `kind` with every option at its Keras default, overridden by `options`, and its
 * Keras name given now (`lstm`, then `lstm_1`, …), so it keeps it wherever it moves.
 * Throws when the kind is unknown or the options do not parse.
 */
export function createLayer(stack: readonly LayerSpec[], kind: string, options: Record<string, unknown> = {}): LayerSpec {
  const layerKind = getLayerKind(kind);
  if (layerKind === undefined) throw new WorkbenchError('bad_input', `Layer kind must be one of ${layerKindNames.join(', ')}. Received: '${kind}'`);
  return { id: newLayerId(stack, kind), kind, name: nextLayerName(stack, kind), options: layerKind.optionsSchema.parse(options) };
}

function setPath(options: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) return options;
  if (rest.length === 0) return { ...options, [head]: value };
  const child = options[head];
  const childObject = child !== null && typeof child === 'object' && !Array.isArray(child) ? (child as Record<string, unknown>) : {};
  return { ...options, [head]: setPath(childObject, rest, value) };
}

/** A new stack with the fix applied; the input stack is not changed. Unknown layer ids leave it as is. */
export function applyFix(stack: readonly LayerSpec[], action: FixAction): LayerSpec[] {
  switch (action.type) {
    case 'setOption':
      return stack.map((spec) => (spec.id === action.layerId ? { ...spec, options: setPath(spec.options ?? {}, action.option.split('.'), action.value) } : spec));
    case 'insertLayer': {
      const layer = createLayer(stack, action.layer.kind, action.layer.options);
      const next = [...stack];
      next.splice(Math.max(0, Math.min(action.index, stack.length)), 0, { ...layer, ...action.layer, id: layer.id, name: action.layer.name ?? layer.name, options: layer.options });
      return next;
    }
    case 'moveLayer': {
      const from = stack.findIndex((spec) => spec.id === action.layerId);
      if (from < 0) return [...stack];
      const next = [...stack];
      const [moved] = next.splice(from, 1);
      next.splice(Math.max(0, Math.min(action.index, next.length)), 0, moved!);
      return next;
    }
    case 'removeLayer':
      return stack.filter((spec) => spec.id !== action.layerId);
    case 'all':
      return action.actions.reduce<LayerSpec[]>((current, step) => applyFix(current, step), [...stack]);
    default:
      throw new Error(`Unknown fix type: ${(action as { type: unknown }).type}`);
  }
}
