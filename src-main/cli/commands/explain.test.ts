import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../src-shared/model/types';
import { createProject } from '../../../src-shared/project';
import type { ReadAlong } from '../../../src-shared/read-along';
import { NodeTrainingService } from '../../services/training-service';
import { runCli } from '../../../test/support/cli';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const sample = path.resolve(repoRoot, '../shared/data/aclImdb-sample.tar.gz');
let home: string;
let service: NodeTrainingService;

const cli = (args: string[]) => runCli(home, args);

/** A tiny run of `reader` on the shared sample: 80 reviews of 30 words, one epoch. */
async function trainTiny(reader: Omit<LayerSpec, 'id'>): Promise<string> {
  const layers: LayerSpec[] = [
    { id: 'embedding-1', kind: 'Embedding', options: { input_dim: 1000, output_dim: 8 } },
    { id: 'reader-1', ...reader },
    { id: 'dense-1', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
  ];
  const project = { ...createProject(layers), data: { path: sample, options: { maxFeatures: 1000, maxlen: 30 } } };
  const runId = await service.start({ ...project, training: { ...project.training, epochs: 1, batchSize: 40, limit: 80, seed: 3 } });
  const summary = await service.whenDone(runId);
  expect(summary.status).toBe('done');
  return runId;
}

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'rnn-cli-explain-'));
  service = new NodeTrainingService({ dataDir: home });
});

afterAll(async () => {
  await service.dispose();
  await rm(home, { recursive: true, force: true });
});

describe('rnn-workbench explain', () => {
  const review = 'A wonderful, moving film: the acting was superb, although the zyxwvut ending dragged on and on.';

  it.each([
    ['LSTM', { kind: 'LSTM', options: { units: 4 } }],
    ['Bidirectional(GRU)', { kind: 'Bidirectional', options: { layer: { kind: 'GRU', options: { units: 4 } } } }],
  ])("%s: one probability and state row per token, the last equal to predict's within 1e-5", { timeout: 180_000 }, async (kind, reader) => {
    const runId = await trainTiny(reader);
    const modelDir = path.join(home, 'runs', runId);
    const explained = await cli(['explain', '--model-dir', modelDir, review, '--json']);
    expect(explained.stderr).toBe('');
    const reading = JSON.parse(explained.stdout) as ReadAlong;
    expect(Object.keys(reading).slice(0, 4)).toEqual(['tokens', 'ids', 'probabilities', 'state']);
    expect(reading.tokens.length).toBe(reading.ids.length);
    expect(reading.probabilities).toHaveLength(reading.tokens.length);
    expect(reading.state).toHaveLength(reading.tokens.length);
    expect(reading.state![0]).toHaveLength(kind === 'LSTM' ? 4 : 8);
    expect(reading.carry === null).toBe(kind !== 'LSTM');
    // A made-up word is out of a 1,000-word vocabulary: dropped, as Keras' Tokenizer drops it.
    expect(reading.words.find((word) => word.text === 'zyxwvut')).toEqual({ text: 'zyxwvut', fate: 'dropped', id: null });
    const predicted = JSON.parse((await cli(['predict', '--model-dir', modelDir, review, '--json'])).stdout) as { probability: number };
    expect(Math.abs(reading.probabilities!.at(-1)! - predicted.probability)).toBeLessThan(1e-5);

    // The same run through the service: the gradient over time has one finite norm per step.
    const gradient = await service.gradientOverTime(runId, 4);
    expect(gradient.reviews).toBe(4);
    expect(gradient.norms).toHaveLength(30);
    for (const norm of gradient.norms) expect(Number.isFinite(norm) && norm > 0).toBe(true);
  });

  it('explains its arguments in one line', async () => {
    const none = await cli(['explain', 'some text']);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('rnn-workbench explain: --model-dir is required: a run folder. Received: nothing\n');
    const two = await cli(['explain', '--model-dir', home, 'one', 'two']);
    expect(two.stderr).toBe('rnn-workbench explain: explain takes one review text, quoted. Received: 2 arguments\n');
  });
});
