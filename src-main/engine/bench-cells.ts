// The bench's cells without TensorFlow.js, so the CLI can check `--cell` before the engine loads.

/** The cells the bench times, named as the CLI flag spells them. */
export const benchCells = ['lstm', 'gru', 'simplernn'] as const;
export type BenchCell = (typeof benchCells)[number];

