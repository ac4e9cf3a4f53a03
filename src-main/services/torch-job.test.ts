import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../src-shared/model';
import { encodeText, loadDataset } from '../data';
import { aclImdbEntries, kerasNpz, makeTar, writeAclImdbFolder } from '../data/test-fixtures';
import { loadWeightsInto } from '../engine/model-io';
import { buildTfModel } from '../engine/tfjs-model';
import { exportRun, importModel } from '../export';
import { evaluateModelDir } from './inference';
import { createWorkbench, type Workbench } from './workbench';
import { readKerasH5 } from '../export/keras-h5';
import { checkTorchExpressible, torchModelScript } from '../export/torch-job';
import { appProbabilities, makeRunFolder, sampleTexts, sampleTokenizer } from '../export/test-fixtures';
import { RNNWB_PY } from '../export/torch-python';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';

function pythonHas(modules: string): boolean {
  try {
    execFileSync(PYTHON, ['-c', `import ${modules}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const torch = pythonHas('torch, h5py, numpy');
if (!torch) console.log(`torch-job tests that run PyTorch are skipped: ${PYTHON} cannot import torch, h5py and numpy (apt install python3-torch python3-h5py).`);

/**
 * Drives each export's own Python (rnnwb.py, model.py) as train.py does, all in one process (importing
 * torch is the slow part): the run's weights.h5 loaded into model.py's modules (Keras → PyTorch), then
 * random PyTorch parameters written as a result's model.h5 (PyTorch → Keras). Prints both outputs on
 * the id rows, per job folder.
 */
const driver = String.raw`
import importlib.util, json, sys
arg = json.loads(sys.argv[1])
sys.path.insert(0, arg["jobs"][0])
import torch, rnnwb
ids = torch.tensor(arg["ids"], dtype=torch.long)
result = {}
for n, job_dir in enumerate(arg["jobs"]):
    spec = importlib.util.spec_from_file_location("model_%d" % n, job_dir + "/model.py")
    model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(model)
    job = json.load(open(job_dir + "/job.json"))
    out = {}
    m = model.build_model()
    m.set_keras_weights(rnnwb.read_keras_weights(job_dir + "/weights.h5"))
    m.eval()
    with torch.no_grad():
        out["kerasToTorch"] = m(ids).reshape(len(ids), -1).tolist()
    torch.manual_seed(arg["seed"])
    m = model.build_model()
    with torch.no_grad():
        for p in m.parameters():
            p.uniform_(-0.8, 0.8)
    rnnwb.write_keras_h5(job_dir + "/from-torch.h5", job["keras"], m.keras_weights())
    m.eval()
    with torch.no_grad():
        out["torchToKeras"] = m(ids).reshape(len(ids), -1).tolist()
    result[job_dir] = out
print(json.dumps(result))
`;

const MAXLEN = 12;
const VOCAB = 40;

/** Id rows with padding, unknown-free ids and every id up to the vocabulary's end. */
const idRows = [
  [0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7],
  [39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5],
  [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
];

const emb = (options: Record<string, unknown> = {}): LayerSpec => ({ id: 'e', kind: 'Embedding', options: { input_dim: VOCAB, output_dim: 6, ...options } });
const out: LayerSpec = { id: 'out', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } };

/** Every layer kind, and every option that changes what a layer computes, in small stacks. */
const stacks: Record<string, LayerSpec[]> = {
  'SimpleRNN tanh (nn.RNN)': [emb(), { id: 's', kind: 'SimpleRNN', options: { units: 5 } }, out],
  'SimpleRNN relu backwards + elu without bias (nn.RNN, loop)': [
    emb(),
    { id: 's', kind: 'SimpleRNN', options: { units: 5, activation: 'relu', go_backwards: true, return_sequences: true } },
    { id: 't', kind: 'SimpleRNN', options: { units: 4, activation: 'elu', use_bias: false } },
    out,
  ],
  'LSTM (nn.LSTM)': [emb(), { id: 'l', kind: 'LSTM', options: { units: 5 } }, out],
  'LSTM masked, softsign, tanh gates, no forget bias, backwards, no bias (loop)': [
    emb({ mask_zero: true }),
    { id: 'l', kind: 'LSTM', options: { units: 5, activation: 'softsign', recurrent_activation: 'tanh', unit_forget_bias: false, return_sequences: true } },
    { id: 'm', kind: 'LSTM', options: { units: 4, use_bias: false, go_backwards: true, dropout: 0.2, recurrent_dropout: 0.3 } },
    out,
  ],
  'GRU reset_after (nn.GRU)': [emb(), { id: 'g', kind: 'GRU', options: { units: 5 } }, out],
  'GRU reset_after=False backwards (loop)': [emb(), { id: 'g', kind: 'GRU', options: { units: 5, reset_after: false, go_backwards: true } }, out],
  "Keras 2's hard_sigmoid: LSTM and GRU gates, a Dense activation (loop)": [
    emb(),
    { id: 'l', kind: 'LSTM', options: { units: 5, recurrent_activation: 'hard_sigmoid', return_sequences: true } },
    { id: 'g', kind: 'GRU', options: { units: 4, reset_after: false, recurrent_activation: 'hard_sigmoid' } },
    { id: 'd', kind: 'Dense', options: { units: 3, activation: 'hard_sigmoid' } },
    out,
  ],
  'GRU masked: relu without bias, then reset_after=False with softplus gates': [
    emb({ mask_zero: true }),
    { id: 'g', kind: 'GRU', options: { units: 5, activation: 'relu', use_bias: false, return_sequences: true } },
    { id: 'h', kind: 'GRU', options: { units: 4, reset_after: false, recurrent_activation: 'softplus', dropout: 0.1 } },
    out,
  ],
  'Bidirectional LSTM concat, GRU reset_after=False sum': [
    emb(),
    { id: 'b', kind: 'Bidirectional', options: { layer: { kind: 'LSTM', options: { units: 4, return_sequences: true } }, merge_mode: 'concat' } },
    { id: 'c', kind: 'Bidirectional', options: { layer: { kind: 'GRU', options: { units: 3, reset_after: false } }, merge_mode: 'sum' } },
    out,
  ],
  'Bidirectional masked SimpleRNN mul, LSTM ave, GRU backwards': [
    emb({ mask_zero: true }),
    { id: 'b', kind: 'Bidirectional', options: { layer: { kind: 'SimpleRNN', options: { units: 4, return_sequences: true } }, merge_mode: 'mul' } },
    { id: 'c', kind: 'Bidirectional', options: { layer: { kind: 'GRU', options: { units: 3, go_backwards: true, return_sequences: true } }, merge_mode: 'ave' } },
    { id: 'd', kind: 'Bidirectional', options: { layer: { kind: 'LSTM', options: { units: 3 } }, merge_mode: 'ave' } },
    out,
  ],
  'Conv1D, MaxPooling1D, pooling, Dense activations, dropouts, a frozen layer': [
    emb(),
    { id: 'sd', kind: 'SpatialDropout1D', options: { rate: 0.2 } },
    { id: 'c1', kind: 'Conv1D', options: { filters: 5, kernel_size: 4, strides: 2, padding: 'same', activation: 'relu' } },
    { id: 'p', kind: 'MaxPooling1D', options: { pool_size: 3, strides: 2, padding: 'same' } },
    { id: 'c2', kind: 'Conv1D', options: { filters: 4, kernel_size: 2, dilation_rate: 2, use_bias: false, activation: 'selu' }, trainable: false },
    { id: 'gm', kind: 'GlobalMaxPooling1D', options: {} },
    { id: 'd1', kind: 'Dense', options: { units: 4, activation: 'swish' } },
    { id: 'do', kind: 'Dropout', options: { rate: 0.5 } },
    out,
  ],
  "Keras 2's imdb_cnn ending: Activation layers, Dense(1) then Activation('sigmoid')": [
    emb(),
    { id: 'c', kind: 'Conv1D', options: { filters: 5, kernel_size: 3 } },
    { id: 'gm', kind: 'GlobalMaxPooling1D', options: {} },
    { id: 'h', kind: 'Dense', options: { units: 4 } },
    { id: 'a', kind: 'Activation', options: { activation: 'relu' } },
    { id: 'd', kind: 'Dense', options: { units: 1 } },
    { id: 's', kind: 'Activation', options: { activation: 'sigmoid' } },
  ],
  'Conv1D valid, MaxPooling1D valid, GlobalAveragePooling1D, softmax': [
    emb(),
    { id: 'c', kind: 'Conv1D', options: { filters: 5, kernel_size: 3, activation: 'softplus' } },
    { id: 'p', kind: 'MaxPooling1D', options: { pool_size: 2 } },
    { id: 'ga', kind: 'GlobalAveragePooling1D', options: {} },
    { id: 'd1', kind: 'Dense', options: { units: 3, activation: 'softmax' } },
    out,
  ],
  'Flatten, Dense linear and tanh': [
    emb(),
    { id: 'f', kind: 'Flatten', options: {} },
    { id: 'd1', kind: 'Dense', options: { units: 4, activation: 'tanh' } },
    { id: 'd2', kind: 'Dense', options: { units: 3 } },
    out,
  ],
};

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rnn-torch-job-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function tfjsOutputs(layers: LayerSpec[], weights: (model: tf.LayersModel) => Promise<void>): Promise<number[][]> {
  const model = buildTfModel(layers, { maxlen: MAXLEN });
  await weights(model);
  const y = model.predict(tf.tensor2d(idRows, [idRows.length, MAXLEN], 'int32')) as tf.Tensor;
  const values = (await y.array()) as number[][];
  tf.dispose(y);
  model.dispose();
  return values;
}

function expectClose(actual: number[][], expected: number[][], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => row.forEach((value, j) => expect(Math.abs(value - expected[i]![j]!)).toBeLessThan(tolerance)));
}

describe('torch-job export', () => {
  it('writes model.py from the stack, one PyTorch module per layer, Bidirectional as a forward and a backward copy', () => {
    const script = torchModelScript(stacks['Bidirectional LSTM concat, GRU reset_after=False sum']!, MAXLEN, 'title');
    expect(script).toContain('        rnnwb.Embedding("embedding", 40, 6, mask_zero=False, trainable=True),\n');
    expect(script).toContain(
      'rnnwb.LSTM("forward_lstm", 6, 4, activation="tanh", use_bias=True, return_sequences=True, go_backwards=False, dropout=0, recurrent_dropout=0, recurrent_activation="sigmoid", unit_forget_bias=True, trainable=True),',
    );
    expect(script).toContain('rnnwb.GRU("backward_gru", 8, 3, activation="tanh", use_bias=True, return_sequences=False, go_backwards=True, dropout=0, recurrent_dropout=0, recurrent_activation="sigmoid", reset_after=False, trainable=True),');
    expect(script).toContain('            merge_mode="sum",\n');
    expect(script).toContain('MAXLEN = 12\n');
  });

  it('names a layer it cannot express, and writes nothing', async () => {
    const layers: LayerSpec[] = [emb(), { id: 'a', kind: 'Attention', options: {} }, out];
    expect(() => checkTorchExpressible(layers)).toThrow(/^Layer attention \(Attention\) cannot be expressed as a PyTorch job, so nothing was written\. The torch-job export knows Embedding, .*\. Received: Attention$/);
    const runDir = path.join(root, 'run-attention');
    await makeRunFolder(runDir, stacks['LSTM (nn.LSTM)']!, sampleTokenizer(VOCAB, MAXLEN));
    const record = JSON.parse(await readFile(path.join(runDir, 'run.json'), 'utf8'));
    record.project.layers = layers;
    await writeFile(path.join(runDir, 'run.json'), JSON.stringify(record));
    const target = path.join(root, 'job-attention');
    await expect(exportRun({ runDir, out: target, format: 'torch-job' })).rejects.toThrow('Layer attention (Attention) cannot be expressed as a PyTorch job');
    await expect(stat(target)).rejects.toThrow('ENOENT');
    expect((await readdir(root)).filter((name) => name.includes('job-attention'))).toEqual([]);
  });

  describe.skipIf(!torch)('with PyTorch', () => {
    const slug = (name: string): string => name.replace(/[^a-z0-9]+/gi, '-');
    let outputs: Record<string, { kerasToTorch: number[][]; torchToKeras: number[][] }>;

    beforeAll(async () => {
      const jobs: string[] = [];
      for (const [name, layers] of Object.entries(stacks)) {
        const runDir = path.join(root, `run-${slug(name)}`);
        await makeRunFolder(runDir, layers, sampleTokenizer(VOCAB, MAXLEN), 7);
        jobs.push(path.join(root, `job-${slug(name)}`));
        await exportRun({ runDir, out: jobs.at(-1)!, format: 'torch-job' });
      }
      const { stdout } = await run(PYTHON, ['-c', driver, JSON.stringify({ jobs, ids: idRows, seed: 3 })]);
      outputs = JSON.parse(stdout);
    }, 600_000);

    for (const [name, layers] of Object.entries(stacks)) {
      it(`converts weights both ways within 1e-5: ${name}`, async () => {
        const runDir = path.join(root, `run-${slug(name)}`);
        const jobDir = path.join(root, `job-${slug(name)}`);
        const { kerasToTorch, torchToKeras } = outputs[jobDir]!;
        // Keras layout → PyTorch: the run's weights.h5 loaded into model.py's modules.
        expectClose(kerasToTorch, await tfjsOutputs(layers, (model) => loadWeightsInto(runDir, model)), 1e-5);

        // PyTorch → Keras layout: random PyTorch parameters (both LSTM biases too) written as the
        // result's model.h5, read back by the app.
        const written = await readKerasH5(new Uint8Array(await readFile(path.join(jobDir, 'from-torch.h5'))));
        const reference = await readKerasH5(new Uint8Array(await readFile(path.join(jobDir, 'weights.h5'))));
        // The app's own .h5 layout: the same attributes, layer and weight names, shapes.
        expect(written.attrs).toEqual(reference.attrs);
        expect(written.layerNames).toEqual(reference.layerNames);
        expect(written.layers.map((l) => [l.weightNames, l.weights.map((w) => w.shape)])).toEqual(reference.layers.map((l) => [l.weightNames, l.weights.map((w) => w.shape)]));
        const values = written.layers.flatMap((layer) => layer.weights);
        const appOutputs = await tfjsOutputs(layers, async (model) => {
          let next = 0;
          for (const layer of model.layers.filter((l) => l.weights.length > 0)) {
            const tensors = layer.weights.map(() => {
              const w = values[next++]!;
              return tf.tensor(w.values, w.shape);
            });
            layer.setWeights(tensors);
            tf.dispose(tensors);
          }
        });
        expectClose(torchToKeras, appOutputs, 1e-5);
      });
    }

    it('encodes text into the ids the app encodes', async () => {
      const texts = [
        ...sampleTexts,
        'ΟΔΟΣ Σίσυφος İstanbul STRASSE straße ﬁne Ⅻ',
        'tabs\tand\nnewlines\r\nand <br/> not a break <BR /> upper',
        '\ufeffa byte-order mark, a\u00a0no-break space, zero\u200bwidth',
      ];
      await writeFile(path.join(root, 'rnnwb.py'), RNNWB_PY);
      for (const scheme of ['keras-tokenizer', 'keras-imdb'] as const) {
        const tokenizer = sampleTokenizer(VOCAB, MAXLEN, scheme);
        tokenizer.words = [...tokenizer.words!, 'σίσυφος', 'istanbul', 'straße', 'upper'];
        tokenizer.numWords = tokenizer.words.length + 1 + tokenizer.indexFrom;
        const script = `import json, sys\nsys.path.insert(0, ${JSON.stringify(root)})\nimport rnnwb\nt = rnnwb.Tokenizer(json.loads(sys.argv[1]))\nprint(json.dumps(rnnwb.pad_pre([t.ids(x) for x in json.loads(sys.argv[2])], ${MAXLEN}).tolist()))`;
        const { stdout } = await run(PYTHON, ['-c', script, JSON.stringify(tokenizer), JSON.stringify(texts)]);
        expect(JSON.parse(stdout)).toEqual(texts.map((text) => Array.from(encodeText(tokenizer, text, MAXLEN))));
      }
    });

    it('reads, tokenizes, splits and shuffles every source as the app does: the same id rows in the same order', async () => {
      const reviews: Record<string, string> = {};
      const words = ['great', 'bad', 'film', 'movie', 'plot', 'acting', 'Wonderful!', 'boring...', 'ÉTÉ', 'ok'];
      for (let i = 0; i < 40; i++) {
        const text = Array.from({ length: 3 + (i % 7) }, (_, k) => words[(i * 3 + k * 5) % words.length]).join(i % 2 === 0 ? ' ' : ',<br /><br />');
        reviews[`${i < 30 ? 'train' : 'test'}/${i % 2 === 0 ? 'pos' : 'neg'}/${(i * 37) % 41}_${i % 2 === 0 ? 8 : 2}.txt`] = (i === 3 ? '\ufeff' : '') + text;
      }
      await writeFile(path.join(root, 'small.tar.gz'), await makeTar(aclImdbEntries(reviews)));
      await writeAclImdbFolder(path.join(root, 'small-folder', 'aclImdb'), reviews);
      const rows = Object.values(reviews).map((text, i) => [text.replace(/\ufeff/, ''), i % 3 === 0 ? 'positive' : 'negative']);
      const quote = (field: string): string => `"${field.replace(/"/g, '""')}"`;
      await writeFile(path.join(root, 'reviews.csv'), ['review,sentiment', ...rows.map(([text, label], i) => `${quote(i === 5 ? `${text}\nsecond line, "quoted"` : text!)},${label}`)].join('\r\n'));
      await writeFile(path.join(root, 'split.csv'), ['label;text;split', ...rows.map(([text, label], i) => `${label === 'positive' ? 1 : 0};${quote(text!)};${i % 4 === 0 ? 'test' : 'train'}`)].join('\n'));
      const ranks = (i: number): number[] => Array.from({ length: 2 + (i % 9) }, (_, k) => 1 + ((i * 7 + k * 11) % 60));
      await writeFile(
        path.join(root, 'imdb.npz'),
        kerasNpz({ x: Array.from({ length: 30 }, (_, i) => ranks(i)), y: Array.from({ length: 30 }, (_, i) => i % 2) }, { x: Array.from({ length: 12 }, (_, i) => ranks(i + 30)), y: Array.from({ length: 12 }, (_, i) => (i + 1) % 2) }),
      );
      const sources: [string, { maxFeatures: number; maxlen: number; csv?: { testSplit: number } }][] = [
        ['/work/shared/data/aclImdb-sample.tar.gz', { maxFeatures: 2000, maxlen: 60 }],
        [path.join(root, 'small.tar.gz'), { maxFeatures: 8, maxlen: 6 }],
        [path.join(root, 'small-folder'), { maxFeatures: 8, maxlen: 6 }],
        [path.join(root, 'reviews.csv'), { maxFeatures: 9, maxlen: 7, csv: { testSplit: 0.3 } }],
        [path.join(root, 'split.csv'), { maxFeatures: 9, maxlen: 7 }],
        [path.join(root, 'imdb.npz'), { maxFeatures: 40, maxlen: 8 }],
      ];
      const hash = (data: ArrayBufferView): string => createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
      // One Python process for every source: importing torch is the slow part.
      const script = `import hashlib, json, sys\nsys.path.insert(0, ${JSON.stringify(root)})\nimport rnnwb\nout = []\nfor file, tokenizer, options in json.loads(sys.argv[1]):\n    splits = rnnwb.load_splits(file, tokenizer, options)\n    out.append({"file": file, "splits": [[hashlib.sha256(x.astype("<i4").tobytes()).hexdigest(), hashlib.sha256(y.astype("u1").tobytes()).hexdigest(), len(y)] for x, y in splits]})\nprint(json.dumps(out))`;
      await writeFile(path.join(root, 'rnnwb.py'), RNNWB_PY);
      const expected = [];
      const jobs = [];
      for (const [file, options] of sources) {
        const app = await loadDataset(file, options, { dataDir: path.join(root, 'data') });
        expected.push({ file, splits: [app.train, app.test].map((split) => [hash(split.x), hash(split.y), split.count]) });
        jobs.push([file, { ...app.tokenizer, maxlen: options.maxlen }, options]);
      }
      const { stdout } = await run(PYTHON, ['-c', script, JSON.stringify(jobs)]);
      expect(JSON.parse(stdout)).toEqual(expected);
    }, 300_000);
  });
  describe.skipIf(!torch)('a torchrun job on the IMDb sample', () => {
    const SAMPLE = '/work/shared/data/aclImdb-sample.tar.gz';
    /**
     * torchrun's defaults crash before any worker starts on Debian's torch 1.13 with Python 3.11
     * (its Std.from_str("0") is None there); these two flags, valid on every torch, avoid that path.
     */
    const torchrun = ['-m', 'torch.distributed.run', '--redirects', '1', '--tee', '1', '--standalone', '--nproc_per_node=2'];
    let dataDir: string;
    let runDir: string;
    let jobDir: string;
    let workbench: Workbench;
    let test: { x: Int32Array };
    const bin = path.resolve('bin/rnn-workbench.mjs');
    const RUN_ID = '20261128-060000-abcdef';

    beforeAll(async () => {
      dataDir = path.join(root, 'home');
      const dataset = await loadDataset(SAMPLE, { maxFeatures: 2000, maxlen: 40 }, { dataDir });
      test = dataset.test;
      // In the app's data folder, so the export and the import go through the API the Runs panel calls.
      runDir = path.join(dataDir, 'runs', RUN_ID);
      const layers: LayerSpec[] = [
        { id: 'e', kind: 'Embedding', options: { input_dim: 2000, output_dim: 16 } },
        { id: 'l', kind: 'LSTM', options: { units: 8 } },
        { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
      ];
      await makeRunFolder(runDir, layers, { ...dataset.tokenizer, maxlen: 40, padding: 'pre', truncating: 'pre' }, 5);
      jobDir = path.join(root, 'job-ddp');
      workbench = createWorkbench({ dataDir, host: 'web' });
      expect(await workbench.exportRun({ runId: RUN_ID, out: jobDir, format: 'torch-job', force: false })).toMatchObject({ format: 'torch-job' });
    });
    afterAll(async () => {
      await workbench.dispose();
    });

    it('trains on 2 ranks (gloo, CPU); the result imports as a run whose evaluation equals the job\'s test_acc', async () => {
      const result = path.join(root, 'R');
      const { stdout } = await run(PYTHON, [...torchrun, 'train.py', '--data', SAMPLE, '--out', result, '--epochs', '2'], { cwd: jobDir });
      expect(stdout).toContain('{"epoch": 2, ');
      expect((await readdir(result)).sort()).toEqual(['checkpoint.pt', 'history.json', 'metadata.json', 'metrics.json', 'model.h5', 'tokenizer.json']);
      const metrics = JSON.parse(await readFile(path.join(result, 'metrics.json'), 'utf8'));
      expect(metrics).toMatchObject({ world_size: 2, device: 'cpu' });
      expect(Object.keys(metrics).sort()).toEqual(['device', 'seconds', 'test_acc', 'test_loss', 'world_size']);
      const history = JSON.parse(await readFile(path.join(result, 'history.json'), 'utf8')) as Record<string, number>[];
      expect(history.map((row) => Object.keys(row).sort())).toEqual([1, 2].map(() => ['acc', 'epoch', 'loss', 'seconds', 'val_acc', 'val_loss']));
      expect(JSON.parse(await readFile(path.join(result, 'tokenizer.json'), 'utf8'))).toEqual(JSON.parse(await readFile(path.join(runDir, 'tokenizer.json'), 'utf8')));

      // The CLI: import RESULT, evaluate --model-dir RESULT (its model.h5) against the job's test_acc.
      const env = { ...process.env, RNN_WORKBENCH_HOME: dataDir };
      const imported = JSON.parse((await run(process.execPath, [bin, 'import', result, '--json'], { env })).stdout.trim().split('\n').at(-1)!);
      expect(imported).toMatchObject({ totalParams: 2000 * 16 + 4 * 8 * (16 + 8 + 1) + 9 });
      const evaluated = JSON.parse((await run(process.execPath, [bin, 'evaluate', '--model-dir', result, '--data', SAMPLE, '--json'], { env })).stdout);
      expect(evaluated.count).toBe(500);
      expect(Math.abs(evaluated.acc - metrics.test_acc)).toBeLessThan(0.005);
      // The result's outputs equal an independent numpy forward pass of R/model.h5 from Keras' equations.
      const rows = Array.from({ length: 16 }, (_, i) => Array.from(test.x.subarray(i * 40, (i + 1) * 40)));
      const rowsFile = path.join(root, 'rows.json');
      await writeFile(rowsFile, JSON.stringify(rows));
      const predicted = JSON.parse((await run(process.execPath, [bin, 'predict', '--model-dir', result, '--ids-file', rowsFile, '--json'], { env })).stdout) as { outputs: number[][] };
      const reference = JSON.parse((await run(PYTHON, ['test/support/keras_reference.py', path.join(result, 'model.h5'), rowsFile])).stdout) as { outputs: number[][] };
      expectClose(predicted.outputs, reference.outputs, 1e-4);

      // The Runs panel's import, through the workbench API.
      const summary = await workbench.importModel({ path: result });
      expect(summary).toMatchObject({ name: 'LSTM (PyTorch DDP) (imported)', status: 'done', epochsDone: 2 });
      expect((await workbench.listRuns({})).map((listed) => listed.id).sort()).toEqual([RUN_ID, summary.id, imported.run].sort());
      const record = await workbench.getRun({ runId: summary.id });
      expect(record.history.map((row) => [row.epoch, row.val_acc])).toEqual(history.map((row) => [row.epoch, row.val_acc]));
      expect(record.dataset).toMatchObject({ trainCount: 800, validationCount: 200, testCount: 500 });
      const { evaluation } = await evaluateModelDir(path.join(dataDir, 'runs', record.id), SAMPLE, { dataDir });
      expect(evaluation.count).toBe(500);
      expect(Math.abs(evaluation.acc - metrics.test_acc)).toBeLessThan(0.005);
      expect(Math.abs(evaluation.loss - metrics.test_loss)).toBeLessThan(1e-4);

      // Run again with more epochs: it resumes after the checkpointed second epoch.
      const again = await run(PYTHON, [...torchrun, 'train.py', '--data', SAMPLE, '--out', result, '--epochs', '3'], { cwd: jobDir });
      expect(again.stdout).toContain(`Resuming after epoch 2 from ${path.join(result, 'checkpoint.pt')}`);
      expect(again.stdout).not.toContain('{"epoch": 2, ');
      const resumed = JSON.parse(await readFile(path.join(result, 'history.json'), 'utf8')) as Record<string, number>[];
      expect(resumed.slice(0, 2)).toEqual(history);
      expect(resumed.map((row) => row.epoch)).toEqual([1, 2, 3]);
    }, 600_000);

    it('says which rank lost contact when another dies, and the same command resumes after the last checkpoint', async () => {
      const result = path.join(root, 'R-dies');
      const checkpoint = path.join(result, 'checkpoint.pt');
      // The agent looks at its workers every 10 s: rank 0 notices the dead peer long before.
      const command = [...torchrun, '--monitor_interval', '10', 'train.py', '--data', SAMPLE, '--out', result, '--epochs', '8'];
      const child = spawn(PYTHON, command, { cwd: jobDir });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      while (!(await stat(checkpoint).then(() => true, () => false))) await new Promise((resolve) => setTimeout(resolve, 100));
      const workers = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).trim().split('\n').map(Number);
      const rank1 = workers.find((pid) => execFileSync('cat', [`/proc/${pid}/environ`]).toString().split('\0').includes('RANK=1'));
      expect(rank1).toBeDefined();
      process.kill(rank1!, 'SIGKILL');
      expect(await exited).not.toBe(0);
      expect(stderr).toContain(`train.py rank 0: lost contact with another rank, which stopped or died (`);
      expect(stderr).toContain(`Run the same command again to resume from the last checkpoint in ${checkpoint}.`);
      expect(stdout).not.toContain('"world_size"');

      const again = await run(PYTHON, command, { cwd: jobDir });
      expect(again.stdout).toMatch(/Resuming after epoch [1-7] from /);
      const history = JSON.parse(await readFile(path.join(result, 'history.json'), 'utf8')) as { epoch: number }[];
      expect(history.map((row) => row.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }, 600_000);

    it('stops with one clear line on a missing or mismatched data path, a bad option or a too-old torch, writing nothing', async () => {
      const result = path.join(root, 'R-bad');
      const failure = async (args: string[]): Promise<{ code: number; stderr: string }> =>
        run(PYTHON, args, { cwd: jobDir }).then(
          () => ({ code: 0, stderr: '' }),
          (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr.trim() }),
        );
      const missing = path.join(root, 'no-such-data.tar.gz');
      expect(await failure(['train.py', '--data', missing, '--out', result])).toEqual({
        code: 2,
        stderr: `train.py: ${missing}: no such file or folder. Expected an aclImdb archive (.tar.gz) or folder, a Keras imdb.npz, or a CSV of reviews and labels.`,
      });
      const npz = path.join(root, 'other.npz');
      await writeFile(npz, kerasNpz({ x: [[1, 2]], y: [1] }, { x: [[3]], y: [0] }));
      expect(await failure(['train.py', '--data', npz, '--out', result])).toEqual({
        code: 2,
        stderr: `train.py: ${npz}: expected the kind of data the run trained on, review text: an aclImdb archive or folder, or a CSV (the run's tokenizer encodes text). Received: a Keras imdb.npz.`,
      });
      const badEpochs = await failure(['train.py', '--data', SAMPLE, '--out', result, '--epochs', '0']);
      expect(badEpochs.code).toBe(2);
      expect(badEpochs.stderr).toMatch(/train\.py: error: --epochs must be a positive integer\. Received: 0$/);
      await expect(stat(result)).rejects.toThrow('ENOENT');
      // Without site packages (python3 -S) neither torch nor h5py is there.
      expect(await failure(['-S', 'train.py', '--data', SAMPLE, '--out', result])).toEqual({
        code: 1,
        stderr: "train.py needs PyTorch, numpy and h5py (Debian: apt install python3-torch python3-h5py; pip: pip install torch numpy h5py). Received: No module named 'h5py'",
      });
      const old = await failure(['-c', 'import rnnwb; rnnwb.require_torch("1.9.1+cpu")']);
      expect(old).toEqual({ code: 1, stderr: 'train.py needs PyTorch 1.10 or newer (torchrun, DistributedSampler, broadcast_object_list). Received: torch 1.9.1+cpu' });
    }, 300_000);

    it('stops early as the run\'s settings say, and clips gradients by clipnorm', async () => {
      // Steps of 1e-12 leave every prediction on its side of 0.5, so val_acc cannot improve after the first epoch.
      const stoppingRun = path.join(root, 'run-early');
      await makeRunFolder(stoppingRun, [
        { id: 'e', kind: 'Embedding', options: { input_dim: 2000, output_dim: 8 } },
        { id: 'g', kind: 'GRU', options: { units: 4 } },
        { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
      ], JSON.parse(await readFile(path.join(runDir, 'tokenizer.json'), 'utf8')));
      const record = JSON.parse(await readFile(path.join(stoppingRun, 'run.json'), 'utf8'));
      record.training = record.project.training = { ...record.training, clipnorm: 1, earlyStopping: { monitor: 'val_acc', patience: 1, restoreBestWeights: true } };
      await writeFile(path.join(stoppingRun, 'run.json'), JSON.stringify(record));
      const job = path.join(root, 'job-early');
      await exportRun({ runDir: stoppingRun, out: job, format: 'torch-job' });
      const result = path.join(root, 'R-early');
      await run(PYTHON, ['train.py', '--data', SAMPLE, '--out', result, '--epochs', '5', '--lr', '1e-12'], { cwd: job });
      const history = JSON.parse(await readFile(path.join(result, 'history.json'), 'utf8')) as { epoch: number; val_acc: number }[];
      expect(history.map((row) => row.epoch)).toEqual([1, 2]);
      expect(history[1]!.val_acc).toBe(history[0]!.val_acc);
      const metadata = JSON.parse(await readFile(path.join(result, 'metadata.json'), 'utf8'));
      expect(metadata.run.training).toMatchObject({ clipnorm: 1, epochs: 5, earlyStopping: { monitor: 'val_acc', patience: 1 } });
    }, 300_000);

    it('starts from the run\'s weights with --from-weights, also as one process without torchrun', async () => {
      const result = path.join(root, 'R-from-weights');
      await run(PYTHON, ['train.py', '--data', SAMPLE, '--out', result, '--epochs', '1', '--lr', '1e-12', '--from-weights'], { cwd: jobDir });
      const metrics = JSON.parse(await readFile(path.join(result, 'metrics.json'), 'utf8'));
      expect(metrics).toMatchObject({ world_size: 1, device: 'cpu' });
      const record = await importModel(result, dataDir);
      expect(record.training.optimizer.learningRate).toBe(1e-12);
      const before = await appProbabilities(runDir, sampleTexts);
      const after = await appProbabilities(path.join(dataDir, 'runs', record.id), sampleTexts);
      expectClose([after], [before], 1e-5);
    }, 300_000);
  });
});
