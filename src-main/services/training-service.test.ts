import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRequest } from '../../src-shared/api';
import { createProject } from '../../src-shared/project';
import type { RunRecord, TrainingConfigInput, TrainingEvent } from '../../src-shared/training';
import * as tf from '@tensorflow/tfjs';
import { encodeText } from '../data';
import { loadModel } from '../engine/model-io';
import { readRunFolder, readRunTokenizer, writeRunFolder } from '../runs/run-store';
import { NodeTrainingService, uniqueRunName } from './training-service';

let root: string;
let dataPath: string;

const positive = ['great', 'wonderful', 'superb', 'loved'];
const negative = ['awful', 'terrible', 'boring', 'hated'];
const filler = ['the', 'film', 'movie', 'plot', 'actor', 'scene', 'story', 'was', 'and', 'it', 'a', 'of', 'this', 'ending', 'music'];

/** A tiny aclImdb folder whose label is decided by one sentiment word among filler: learnable in a few epochs. */
async function writeSyntheticAclImdb(dir: string): Promise<void> {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    // The high bits: an LCG's low bits cycle with a short period.
    return Math.floor((seed / 2 ** 31) * n);
  };
  for (const split of ['train', 'test']) {
    for (const label of ['pos', 'neg']) {
      const folder = path.join(dir, 'aclImdb', split, label);
      await mkdir(folder, { recursive: true });
      for (let i = 0; i < (split === 'train' ? 150 : 40); i++) {
        const words = Array.from({ length: 10 }, () => filler[rand(filler.length)]!);
        const cue = label === 'pos' ? positive : negative;
        words.splice(rand(words.length), 0, cue[rand(cue.length)]!);
        await writeFile(path.join(folder, `${i}_${label === 'pos' ? 9 : 2}.txt`), words.join(' '));
      }
    }
  }
}

function project(training: TrainingConfigInput) {
  const base = createProject([
    { id: 'embedding-1', kind: 'Embedding', options: { input_dim: 40, output_dim: 8 } },
    { id: 'simplernn-1', kind: 'SimpleRNN', options: { units: 8 } },
    { id: 'dense-1', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
  ]);
  return { ...base, data: { path: dataPath, options: { maxFeatures: 40, maxlen: 12 } }, training };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rnn-training-'));
  dataPath = path.join(root, 'data');
  await writeSyntheticAclImdb(dataPath);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('uniqueRunName', () => {
  it('numbers a name that listed runs already use, from #2, skipping numbers taken', () => {
    expect(uniqueRunName('LSTM(32)', new Set())).toBe('LSTM(32)');
    expect(uniqueRunName('LSTM(32)', new Set(['LSTM(32)', 'GRU(32)']))).toBe('LSTM(32) #2');
    expect(uniqueRunName('LSTM(32)', new Set(['LSTM(32)', 'LSTM(32) #2', 'LSTM(32) #4']))).toBe('LSTM(32) #3');
  });
});

describe('NodeTrainingService', () => {
  it('trains in a worker with events in order, learns, and keeps the run across a restart', async () => {
    const dataDir = path.join(root, 'home-learn');
    const service = new NodeTrainingService({ dataDir });
    const events: TrainingEvent[] = [];
    service.onDidTrainingEvent((event) => events.push(event));
    const runId = await service.start(project({ epochs: 8, batchSize: 16, seed: 1, optimizer: { name: 'adam', learningRate: 0.02 } }));

    // While the worker trains, the main thread answers at once.
    await new Promise<void>((resolve) => {
      const off = service.onDidTrainingEvent((event) => {
        if (event.type === 'batch' || event.type === 'epoch') {
          off();
          resolve();
        }
      });
    });
    expect((await service.getRun(runId)).status).toBe('running');
    expect((await service.listRuns()).find((run) => run.id === runId)?.status).toBe('running');

    const summary = await service.whenDone(runId);
    expect(summary.status).toBe('done');
    const types = events.filter((e) => e.runId === runId).map((e) => e.type);
    const firstStarted = types.indexOf('started');
    expect(types.slice(0, firstStarted).every((t) => t === 'loading')).toBe(true);
    expect(types.at(-1)).toBe('done');
    expect(types.filter((t) => t === 'done')).toHaveLength(1);
    const epochs = events.flatMap((e) => (e.type === 'epoch' ? [e.epoch] : []));
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const started = events.find((e) => e.type === 'started');
    expect(started?.type === 'started' && started.engine.backend).toBeTruthy();
    expect(summary.last!.val_acc).toBeGreaterThan(0.8);
    expect(summary.test!.acc).toBeGreaterThan(0.8);

    // A new service on the same folder (an app restart) finds the run, its model and tokenizer.
    const restarted = new NodeTrainingService({ dataDir });
    const [listedAgain] = await restarted.listRuns();
    expect(listedAgain).toMatchObject({ id: runId, status: 'done', epochsDone: 8 });
    const record = await restarted.getRun(runId);
    expect(record.history).toHaveLength(8);
    expect(record.dataset.fingerprint).not.toBe('');
    const liked = await restarted.predict(runId, 'the movie was superb and the story loved');
    expect(liked.label).toBe('positive');
    // model.json names only stock tfjs-layers classes: plain TensorFlow.js loads it and agrees.
    const plain = await loadModel(restarted.store.dir(runId));
    const tokenizer = await readRunTokenizer(restarted.store.dir(runId));
    const x = tf.tensor2d(encodeText(tokenizer, 'the movie was superb and the story loved', tokenizer.maxlen), [1, tokenizer.maxlen], 'int32');
    expect((await (plain.predict(x) as tf.Tensor).data())[0]).toBeCloseTo(liked.probability, 5);
    expect((await restarted.predict(runId, 'the movie was awful and the story boring')).label).toBe('negative');
    expect((await restarted.probeEngine()).backend).toBe(started?.type === 'started' ? started.engine.backend : '');
    const evaluation = await restarted.evaluate(runId);
    expect(evaluation.acc).toBeCloseTo(summary.test!.acc, 5);
    await restarted.deleteRun(runId);
    expect(await restarted.listRuns()).toEqual([]);
    await restarted.dispose();
  });

  it('keeps answering on the main thread while a batch that takes far longer runs in the worker', async () => {
    const service = new NodeTrainingService({ dataDir: path.join(root, 'home-busy') });
    // One batch of all 300 reviews through a wide LSTM over 400 steps: seconds of work per step.
    const heavy = {
      ...project({ epochs: 50, batchSize: 300, validationSplit: 0, seed: 1 }),
      layers: [
        { id: 'embedding-1', kind: 'Embedding', options: { input_dim: 40, output_dim: 64 } },
        { id: 'lstm-1', kind: 'LSTM', options: { units: 128 } },
        { id: 'dense-1', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
      ],
      data: { path: dataPath, options: { maxFeatures: 40, maxlen: 400 } },
    };
    const epochSeconds: number[] = [];
    let ended = false;
    service.onDidTrainingEvent((event) => {
      if (event.type === 'epoch') epochSeconds.push(event.seconds);
      if (event.type === 'done') ended = true;
    });
    const runId = await service.start(heavy);
    await new Promise<void>((resolve) => service.onDidTrainingEvent((event) => event.type === 'started' && resolve()));
    // Ask the main side over and over until the first epoch (one long batch) ends in the worker.
    let worstDelay = 0;
    let answers = 0;
    while (epochSeconds.length === 0 && !ended) {
      const asked = performance.now();
      await service.getRun(runId);
      answers++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      worstDelay = Math.max(worstDelay, performance.now() - asked - 10);
    }
    await service.stop(runId);
    expect((await service.whenDone(runId)).status).toBe('stopped');
    // Relative, not a fixed budget (a loaded CI machine slows both sides): training on the main thread would
    // hold every request for the whole batch, so many answers, none slower than a fifth of the batch, mean
    // the main thread stayed free.
    expect(epochSeconds.length).toBeGreaterThan(0);
    expect(answers).toBeGreaterThan(10);
    expect(worstDelay).toBeLessThan((epochSeconds[0]! * 1000) / 5);
  });

  it('stops within the epoch, keeps the weights, and resumes from the epoch checkpoint', async () => {
    const dataDir = path.join(root, 'home-stop');
    const service = new NodeTrainingService({ dataDir });
    const epochsSeen: number[] = [];
    let runId = '';
    service.onDidTrainingEvent((event) => {
      if (event.runId !== runId || event.type !== 'epoch') return;
      epochsSeen.push(event.epoch);
      if (event.epoch === 1) void service.stop(runId);
    });
    runId = await service.start(project({ epochs: 3, batchSize: 4, seed: 2 }));
    const stopped = await service.whenDone(runId);
    expect(stopped.status).toBe('stopped');
    // The stop arrived during epoch 2's first batches: epoch 2 never finished.
    expect(epochsSeen).toEqual([1]);
    const record = await service.getRun(runId);
    expect(record.checkpointEpoch).toBe(1);
    await expect(readFile(path.join(service.store.dir(runId), 'weights.bin'))).resolves.toBeInstanceOf(Buffer);

    await service.resume(runId);
    const resumed = await service.whenDone(runId);
    expect(resumed.status).toBe('done');
    expect((await service.getRun(runId)).history.map((row) => row.epoch)).toEqual([1, 2, 3]);
    expect(epochsSeen).toEqual([1, 2, 3]);
  });

  it('ends a run whose training diverges or whose worker dies as failed with the reason, and lists a run whose process died as interrupted', async () => {
    const dataDir = path.join(root, 'home-faults');
    const service = new NodeTrainingService({ dataDir });
    const runId = await service.start(project({ epochs: 2, batchSize: 16, seed: 1, optimizer: { name: 'rmsprop', learningRate: 1e6 } }));
    const summary = await service.whenDone(runId);
    expect(summary.status).toBe('failed');
    const diverged = /^Training diverged at epoch 1, batch 2: the loss jumped from 0\.\d{3} to \d+\.\d{3} after one step, .* The weights from before that step were kept\. Lower the learning rate \(1000000\)/;
    expect(summary.message).toMatch(diverged);
    const recorded = await readRunFolder(service.store.dir(runId));
    expect(recorded).toMatchObject({ status: 'failed', history: [] });
    expect(recorded.message).toMatch(diverged);
    // The worker saved the kept weights: the ones before the step, still small.
    const kept = await Promise.all((await loadModel(service.store.dir(runId))).getWeights().map((w) => w.data()));
    expect(kept.every((values) => values.every((v) => Math.abs(v) < 10))).toBe(true);

    // A worker that dies mid-run (the OS killed it) ends the run as failed instead of hanging it.
    const doomed = await service.start(project({ epochs: 50, batchSize: 4, seed: 1 }));
    await new Promise<void>((resolve) => service.onDidTrainingEvent((event) => event.runId === doomed && event.type === 'batch' && resolve()));
    const internals = service as unknown as { active: Map<string, { worker?: { terminate(): Promise<number> } }> };
    await internals.active.get(doomed)!.worker!.terminate();
    const killed = await service.whenDone(doomed);
    expect(killed).toMatchObject({ status: 'failed', name: `${summary.name} #2` });
    expect(killed.message).toMatch(/training worker stopped unexpectedly/);

    // Rewrite the record as a crashed process would have left it: still running, its pid gone.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const dir = service.store.dir(runId);
    const record: RunRecord = { ...(await readRunFolder(dir)), status: 'running', pid: dead };
    await writeRunFolder(dir, record);
    const restarted = new NodeTrainingService({ dataDir });
    expect((await restarted.listRuns()).find((run) => run.id === runId)).toMatchObject({ status: 'interrupted' });
  });

  it('refuses a project without data or with an invalid stack, in the house style', async () => {
    const service = new NodeTrainingService({ dataDir: path.join(root, 'home-bad') });
    await expect(service.start({ ...project({}), data: { path: null } })).rejects.toThrow('data.path must name a dataset file or folder. Received: null');
    await expect(service.start({ ...project({}), training: { epochs: -3 } })).rejects.toThrow(/training\.epochs.*Received: -3/);
    await expect(service.getRun('../../etc')).rejects.toThrow(/runId must look like/);
  });

  it('benchmarks a stack in the engine worker and projects an epoch of the chosen data, but not while a run trains', async () => {
    const service = new NodeTrainingService({ dataDir: path.join(root, 'home-bench') });
    const tiny = { ...project({ batchSize: 4, validationSplit: 0.25 }), data: { path: null, options: { maxFeatures: 40, maxlen: 6 } } };
    const bench = await service.benchmark(tiny, { trainCount: 400 });
    expect(bench.msPerBatch).toBeGreaterThan(0);
    expect(bench.msPerEval).toBeGreaterThan(0);
    expect(bench).toMatchObject({ trainReviews: 300, validationReviews: 100 });
    expect(bench.epochSeconds).toBeCloseTo((75 * bench.msPerBatch + 25 * bench.msPerEval) / 1000, 6);
    expect(bench.backend).toBe((await service.probeEngine()).backend);
    expect(bench.recurrent).not.toBe('');
    // Without a dataset the projection is IMDb's, 20,000 training and 5,000 validation reviews.
    const imdb = await service.benchmark({ ...tiny, training: { batchSize: 4 } });
    expect(imdb).toMatchObject({ trainReviews: 20_000, validationReviews: 5_000 });

    await expect(service.benchmark({ ...tiny, layers: [{ id: 'dense-1', kind: 'Dense', options: { units: -3 } }] })).rejects.toThrow(/The model cannot be built: layer 1 \(Dense\)/);
    expect(() => parseRequest('benchmarkModel', { project: tiny, trainCount: -3 })).toThrow('benchmarkModel: trainCount must be a positive whole number of reviews. Received: -3');
    expect(() => parseRequest('benchmarkModel', { project: tiny, maxlen: 6 })).toThrow(/benchmarkModel: .*maxlen/);

    const runId = await service.start(project({ epochs: 50, batchSize: 16, seed: 1 }));
    await expect(service.benchmark(tiny)).rejects.toMatchObject({ code: 'busy' });
    await service.stop(runId);
    await service.whenDone(runId);
    await service.dispose();
  });
});
