/**
 * Wall time per phase of training steps, for `bench`'s profile. The engine's hot calls (the Embedding's
 * gather and gradient kernels, the fused recurrent kernels) report into it while `profilePhases` runs, and
 * cost one comparison otherwise.
 */
export type MeasuredPhase = 'embeddingForward' | 'embeddingBackward' | 'recurrentForward' | 'recurrentBackward';

let current: Map<MeasuredPhase, number> | undefined;

/** Runs `fn`, adding its wall time to `phase` when a profile is being taken. */
export function timed<T>(phase: MeasuredPhase, fn: () => T): T {
  const phases = current;
  if (phases === undefined) return fn();
  const started = performance.now();
  try {
    return fn();
  } finally {
    phases.set(phase, (phases.get(phase) ?? 0) + performance.now() - started);
  }
}

/** Runs `fn` with the phases recorded; returns the milliseconds each phase took within it. */
export function profilePhases(fn: () => void): Record<MeasuredPhase, number> {
  const phases = new Map<MeasuredPhase, number>();
  current = phases;
  try {
    fn();
  } finally {
    current = undefined;
  }
  const ms = (phase: MeasuredPhase) => phases.get(phase) ?? 0;
  return {
    embeddingForward: ms('embeddingForward'),
    embeddingBackward: ms('embeddingBackward'),
    recurrentForward: ms('recurrentForward'),
    recurrentBackward: ms('recurrentBackward'),
  };
}
