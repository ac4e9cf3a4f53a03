/** Display formatting shared by the panels. */
import { formatCount } from '../../../src-shared/model';

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

/** The options worth showing on a card, as `label value` pairs; the inspector shows the rest. */
export function keyOptions(kind: string, options: Record<string, unknown>): string {
  const o = options;
  switch (kind) {
    case 'Embedding':
      return `${formatCount(Number(o.input_dim))} words × ${String(o.output_dim)} dims${o.mask_zero === true ? ' · mask_zero (padding ignored)' : ''}`;
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU':
      return `${String(o.units)} units${o.return_sequences === true ? ' · return_sequences (an output per word)' : ''}${Number(o.dropout) > 0 ? ` · dropout ${String(o.dropout)}` : ''}`;
    case 'Bidirectional': {
      const layer = o.layer as { kind?: string; options?: Record<string, unknown> } | undefined;
      return `${layer?.kind ?? '?'}(${String(layer?.options?.units ?? '?')}) · ${String(o.merge_mode)}${layer?.options?.return_sequences === true ? ' · return_sequences (an output per word)' : ''}`;
    }
    case 'Dense':
      return `${String(o.units)} unit${o.units === 1 ? '' : 's'} · ${String(o.activation)}`;
    case 'Dropout':
    case 'SpatialDropout1D':
      return `rate ${String(o.rate)}`;
    case 'Conv1D':
      return `${String(o.filters)} filters · kernel ${String(o.kernel_size)} · ${String(o.activation)}`;
    case 'MaxPooling1D':
      return `pool ${String(o.pool_size)}`;
    default:
      return '';
  }
}
