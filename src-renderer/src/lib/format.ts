/** Display formatting shared by the panels. */
import { formatCount, getLayerKind } from '../../../src-shared/model';

/** Multiply-adds in engineering style: `16.4 M`. */
export function formatOps(value: number | null): string {
  if (value === null) return '?';
  if (value < 1000) return String(value);
  const units = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const;
  for (const [size, unit] of units) if (value >= size) return `${(value / size).toFixed(value / size >= 100 ? 0 : 1)} ${unit}`;
  return formatCount(value);
}

/** Seconds as `42 s`, `3 min 05 s`, `1 h 02 min`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function formatPercent(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value) ? '—' : `${(value * 100).toFixed(digits)}%`;
}

export function formatMetric(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(4);
}

/**
 * The options worth showing on a card, as `label value` pairs (each kind's `cardText`); the inspector
 * shows the rest. Options that do not parse show nothing here: the card's issue says what is wrong.
 */
export function keyOptions(kind: string, options: Record<string, unknown>): string {
  const layerKind = getLayerKind(kind);
  const parsed = layerKind?.optionsSchema.safeParse(options);
  return layerKind !== undefined && parsed?.success === true ? layerKind.cardText(parsed.data) : '';
}
