/**
 * The app's bounds on declared sizes, and the arithmetic that turns declared sizes into bytes before
 * anything is allocated. Shared, so the app, the web mode and the CLI refuse the same inputs with the
 * same words. The memory limit itself depends on the machine and is read on the main side
 * (`src-main/platform/memory-limit.ts`).
 */
import { WorkbenchError } from './errors';

/**
 * Ids per review. IMDb's longest review has about 2,500 words; 20,000 leaves room for longer texts
 * while one review row stays at 80 KB.
 */
export const MAX_MAXLEN = 20_000;

/**
 * Units of a recurrent or Dense layer, filters of a Conv1D, an Embedding's output_dim. An LSTM of
 * 4,096 units on 4,096 features holds 134 M parameters, about 2 GB in training: beyond that a
 * sentiment model on a desktop is a typo, not a design.
 */
export const MAX_UNITS = 4096;

/**
 * Vocabulary size (maxFeatures, an Embedding's input_dim). IMDb has about 89,000 distinct words; a
 * million covers any review corpus.
 */
export const MAX_VOCABULARY = 1_000_000;

/** Bytes of the JSON files the app reads whole; each is far above a real one and far below the memory. */
export const MAX_FILE_BYTES = {
  /** `model.json`: the topology and weight manifest only (weights are separate shards); a real one is a few KB. */
  modelJson: 16 * 1024 ** 2,
  /** `tokenizer.json` and `imdb_word_index.json`: a million-word vocabulary is about 20 MB. */
  vocabulary: 64 * 1024 ** 2,
  /** `run.json` and an export's `metadata.json`: a record with its per-epoch history is a few KB. */
  record: 16 * 1024 ** 2,
} as const;

/** The largest Keras model file opened (or uploaded in web mode): IMDb-sized models are a few MB, large text models a few hundred. */
export const MAX_KERAS_FILE_BYTES = 1 << 30;

/** Bytes of one 32-bit number: ids, weights and their optimizer slots are all float32 or int32. */
const WORD = 4;

/** "1.6 GB", "512 MB", "12 KB": sizes in messages, powers of 1024. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** The padded id tensors of a dataset: `maxlen × reviews × 4 bytes`. */
export function datasetBytes(reviews: number, maxlen: number): number {
  return reviews * maxlen * WORD;
}

/** Float32 copies of every parameter an optimizer keeps besides the weights (tfjs' implementations). */
export function optimizerSlots(optimizer: { name: string; momentum?: number }): number {
  switch (optimizer.name) {
    // tfjs' RMSprop always keeps the mean square and a momentum accumulator.
    case 'rmsprop':
    case 'adam':
      return 2;
    case 'sgd':
      return (optimizer.momentum ?? 0) > 0 ? 1 : 0;
    default:
      return 2;
  }
}

/**
 * A model's weights in memory: `parameters × 4 bytes × copies`. Training holds the weights, one
 * gradient per weight and the optimizer's slots; predicting, evaluating and exporting hold the weights.
 */
export function modelBytes(parameters: number, copies: number): { bytes: number; formula: string } {
  return { bytes: parameters * WORD * copies, formula: `${parameters.toLocaleString('en-US')} parameters × 4 bytes × ${copies}` };
}

/**
 * Refuses work whose estimate is above the memory limit, before anything is allocated.
 *
 * Args:
 *   what: the work, as the subject of the message ("Training this model", "The padded dataset").
 *   bytes: the estimate.
 *   formula: how the estimate was made, so the user sees which declared size to lower.
 *   limit: the memory limit in bytes.
 */
export function requireWithinMemory(what: string, bytes: number, formula: string, limit: number): void {
  if (bytes <= limit) return;
  throw new WorkbenchError(
    'bad_input',
    `${what} must fit in the memory limit of ${formatBytes(limit)} (RNN_WORKBENCH_MEMORY_LIMIT_MB). Received: ${formula} = ${formatBytes(bytes)}`,
  );
}

/**
 * A list shown in a message: the first `shown` items, then "and N more", so a message stays one short
 * line however long the list (a CSV header of a million columns).
 */
export function summarizeList(items: readonly string[], shown = 5, maxItemLength = 40): string {
  const clip = (item: string) => (item.length > maxItemLength ? `${item.slice(0, maxItemLength)}…` : item);
  const head = items.slice(0, shown).map(clip).join(', ');
  return items.length > shown ? `${head} and ${items.length - shown} more` : head;
}
