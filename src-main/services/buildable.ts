/**
 * The check every path that builds a model makes first (training, inference on a run or export
 * folder): the stack is valid and fits in memory, before any data is read or tensor allocated.
 */
import { WorkbenchError } from '../../src-shared/errors';
import { requireModelFits, validateStack, type DatasetContext, type ModelUse } from '../../src-shared/model';
import type { LayerSpec } from '../../src-shared/model/types';
import { memoryLimitBytes } from '../platform/memory-limit';

/**
 * Refuses a stack that cannot be built, or whose weights and one batch do not fit in the memory limit,
 * before any data is read or any tensor allocated: one line naming the first problem.
 */
export function requireBuildable(layers: readonly LayerSpec[], dataset: DatasetContext, use: ModelUse): void {
  const issues = validateStack(layers, dataset);
  if (issues.length > 0) {
    const first = issues[0]!;
    const where = first.layerIndex >= 0 ? `layer ${first.layerIndex + 1} (${layers[first.layerIndex]?.kind ?? '?'}): ` : '';
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    throw new WorkbenchError('bad_input', `The model cannot be built: ${where}${first.message}${more}`);
  }
  requireModelFits(layers, dataset, use, memoryLimitBytes());
}
