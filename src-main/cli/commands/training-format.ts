/** Flag parsing and terminal formatting shared by the train, evaluate and predict commands. */
import type { Evaluation } from '../../../src-shared/training';
import { UsageError } from '../command';

export function parsePositiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer. Received: ${text}`);
  return n;
}

export function parseNonNegativeInt(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n > 2 ** 31 - 1) throw new UsageError(`${flag} must be an integer from 0 to ${2 ** 31 - 1}. Received: ${text}`);
  return n;
}

export function parsePositiveNumber(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number. Received: ${text}`);
  return n;
}

/** A share: `0 < F < 1`, or `0 ≤ F < 1` when zero is allowed. */
export function parseFraction(flag: string, text: string, allowZero = false): number {
  const n = Number(text);
  const ok = text.trim() !== '' && (allowZero ? n >= 0 : n > 0) && n < 1;
  if (!ok) throw new UsageError(`${flag} must be a number from ${allowZero ? '0 (inclusive)' : '0 (exclusive)'} to 1 (exclusive). Received: ${text}`);
  return n;
}

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
