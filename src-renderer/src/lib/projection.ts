/**
 * Projected seconds per epoch for the stack on the chosen data, from the speed this machine's engine
 * measured on a finished epoch: multiply-adds per second, with a training step costing about three
 * forward passes (forward, backward through activations, backward through weights).
 */
import type { WorkbenchApi } from '../../../src-shared/api';
import { summarize, type LayerSpec } from '../../../src-shared/model';
import type { Project as ProjectFile } from '../../../src-shared/project';

const TRAIN_STEP_COST = 3;

/** Multiply-adds this engine did per second on the newest run with a finished epoch. */
export interface Calibration {
  macsPerSecond: number;
  runName: string;
}

function epochWork(layers: readonly LayerSpec[], dataset: { maxFeatures: number; maxlen: number }, trainCount: number, validationCount: number): number | undefined {
  const macs = summarize(layers, dataset).multiplyAdds;
  if (!(macs > 0)) return undefined;
  return macs * (TRAIN_STEP_COST * trainCount + validationCount);
}

export async function calibrate(api: WorkbenchApi): Promise<Calibration | undefined> {
  const runs = await api.listRuns({});
  const measured = runs.find((run) => run.last !== undefined && run.last.seconds > 0);
  if (measured === undefined) return undefined;
  const record = await api.getRun({ runId: measured.id });
  const project = record.project as ProjectFile;
  const work = epochWork(project.layers, project.data.options, record.dataset.trainCount, record.dataset.validationCount);
  if (work === undefined) return undefined;
  return { macsPerSecond: work / measured.last!.seconds, runName: measured.name };
}

/** Seconds for one epoch of `layers` over `trainReviews` labelled reviews, or undefined when unknown. */
export function projectEpochSeconds(calibration: Calibration | undefined, layers: readonly LayerSpec[], data: ProjectFile['data'], training: ProjectFile['training'], trainReviews: number | undefined): number | undefined {
  if (calibration === undefined || trainReviews === undefined) return undefined;
  const used = Math.min(trainReviews, training.limit ?? trainReviews);
  const validation = Math.floor(used * training.validationSplit);
  const work = epochWork(layers, data.options, used - validation, validation);
  return work === undefined ? undefined : work / calibration.macsPerSecond;
}
