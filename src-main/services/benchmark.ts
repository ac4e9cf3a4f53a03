/**
 * How long one epoch of a project's model would take on this machine: its stack timed in the engine
 * worker on synthetic ids, projected over the reviews the project's data options would train on.
 */
import type { ModelBenchmark } from '../../src-shared/api';
import type { Project } from '../../src-shared/project';
import { projectEpoch } from '../../src-shared/training';
import type { EngineClient } from '../jobs/client';

/** The labelled training reviews of IMDb (aclImdb's train folder), the projection's default. */
export const IMDB_TRAIN_REVIEWS = 25_000;

/**
 * Times `project`'s stack as training builds it (maxlen and batch size from the project) and projects
 * one epoch of the chosen data: the project's validation split and `limit` applied to `trainCount`
 * labelled reviews (IMDb's 25,000 when unknown). The project must already be checked as buildable.
 *
 * Args:
 *   engine: the engine worker client that times the steps.
 *   project: the parsed project file; data.path is not needed.
 *   options.trainCount: labelled training reviews of the open dataset, before the validation split.
 *   options.batches: timed training steps after the warm-up step. Default 2.
 */
export async function benchmarkProject(engine: EngineClient, project: Project, options: { trainCount?: number; batches?: number } = {}): Promise<ModelBenchmark> {
  const { maxlen } = project.data.options;
  const { batchSize, limit, validationSplit } = project.training;
  const reply = await engine.request({ type: 'bench', layers: project.layers, maxlen, batchSize, batches: options.batches ?? 2 }, []);
  const used = Math.min(options.trainCount ?? IMDB_TRAIN_REVIEWS, limit ?? Infinity);
  const validation = Math.floor(used * validationSplit);
  return {
    msPerBatch: reply.msPerBatch,
    msPerEval: reply.msPerEval,
    epochSeconds: projectEpoch(reply, batchSize, used - validation, validation),
    trainReviews: used - validation,
    validationReviews: validation,
    backend: reply.engine.backend,
    recurrent: reply.engine.recurrent,
  };
}
