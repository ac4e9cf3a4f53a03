/** Terminal formatting shared by the train, evaluate and predict commands. */
import type { Evaluation } from '../../../src-shared/training';

/** `[=====>    ]` for a share done. */
export function progressBar(share: number, width: number): string {
  const filled = Math.max(0, Math.min(width, Math.round(share * width)));
  return `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}]`;
}

/** `1m05s`, `42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Loss, accuracy and the confusion matrix as lines of text. */
export function formatEvaluation(evaluation: Evaluation): string {
  const [[tn, fp], [fn, tp]] = evaluation.confusion;
  const width = Math.max(10, ...[tn, fp, fn, tp].map((n) => String(n).length + 2));
  const cell = (n: number): string => String(n).padStart(width);
  return [
    `${evaluation.count} test reviews - loss ${evaluation.loss.toFixed(4)} - acc ${evaluation.acc.toFixed(4)}`,
    `${''.padEnd(16)}${'pred neg'.padStart(width)}${'pred pos'.padStart(width)}`,
    `${'true negative'.padEnd(16)}${cell(tn)}${cell(fp)}`,
    `${'true positive'.padEnd(16)}${cell(fn)}${cell(tp)}`,
  ].join('\n');
}
