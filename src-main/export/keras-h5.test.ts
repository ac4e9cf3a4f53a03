import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRun, openRunForExport } from '.';
import { readKerasH5 } from './keras-h5';
import { lstmStack, makeRunFolder, mixedStack, sampleTokenizer } from './test-fixtures';

/** A Python with h5py, if this machine has one (Debian's python3-h5py installs it for /usr/bin/python3). */
const h5pyPython = ['python3', '/usr/bin/python3'].find((python) => {
  try {
    execFileSync(python, ['-c', 'import h5py'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

/** Keras 2's legacy HDF5 loader (load_model_from_hdf5, load_weights_from_hdf5_group), minus TensorFlow. */
const kerasLikeReader = `
import json, sys
import h5py, numpy as np

def strings(group, name):
    return [n.decode("utf8") if hasattr(n, "decode") else n for n in group.attrs[name]]

def string(value):
    return value.decode("utf8") if hasattr(value, "decode") else value

with h5py.File(sys.argv[1], "r") as f:
    config = json.loads(string(f.attrs.get("model_config")))
    g = f["model_weights"]
    weights = {name: [[w, list(np.asarray(g[name][w]).shape), np.asarray(g[name][w], dtype="float64").ravel().tolist()] for w in strings(g[name], "weight_names")] for name in strings(g, "layer_names")}
    print(json.dumps({"keras_version": string(f.attrs["keras_version"]), "backend": string(f.attrs["backend"]), "config": config, "weights": weights}))
`;

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rnn-export-h5-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function exported(name: string, layers: Parameters<typeof makeRunFolder>[1], numWords: number, maxlen: number) {
  const run = path.join(root, `run-${name}`);
  await makeRunFolder(run, layers, sampleTokenizer(numWords, maxlen), 4);
  const out = path.join(root, `${name}.h5`);
  const result = await exportRun({ runDir: run, out });
  expect(result.format).toBe('keras-h5');
  const h5 = await readKerasH5(new Uint8Array(await readFile(out)));
  const source = await openRunForExport(run);
  return { h5, model: source.model };
}

describe('Keras HDF5 export', () => {
  it('has the Keras 2 layout: root attributes, model_config and a model_weights group in Keras names and order', async () => {
    const { h5, model } = await exported('mixed', mixedStack(30), 30, 16);
    expect(h5.attrs['keras_version']).toBe('2.15.0');
    expect(h5.attrs['backend']).toBe('tensorflow');
    const config = JSON.parse(h5.attrs['model_config'] as string);
    expect(config.class_name).toBe('Sequential');
    const layers = config.config.layers as { class_name: string; config: Record<string, unknown> }[];
    expect(layers.map((l) => l.class_name)).toEqual(['InputLayer', 'Embedding', 'Bidirectional', 'Dropout', 'SimpleRNN', 'Dense']);
    expect(layers[0]!.config).toMatchObject({ batch_input_shape: [null, 16], name: 'embedding_input' });
    expect(layers[1]!.config).toMatchObject({ name: 'embedding', input_dim: 30, output_dim: 8, mask_zero: false, batch_input_shape: [null, 16], dtype: 'float32', trainable: true });
    expect(layers[2]!.config).toMatchObject({
      name: 'bidirectional',
      merge_mode: 'concat',
      layer: { class_name: 'GRU', config: { name: 'gru', units: 5, return_sequences: true, reset_after: true, recurrent_activation: 'sigmoid' } },
    });
    expect(layers[3]!.config).toMatchObject({ name: 'dropout', rate: 0.3 });
    expect(layers[4]!.config).toMatchObject({ name: 'simple_rnn', units: 4, activation: 'tanh', return_sequences: false });
    expect(layers[5]!.config).toMatchObject({ name: 'dense', units: 1, activation: 'sigmoid', use_bias: true });

    expect(h5.layerNames).toEqual(['embedding', 'bidirectional', 'dropout', 'simple_rnn', 'dense']);
    expect(h5.layers.map((l) => l.weightNames)).toEqual([
      ['embedding/embeddings:0'],
      [
        'bidirectional/forward_gru/gru_cell/kernel:0',
        'bidirectional/forward_gru/gru_cell/recurrent_kernel:0',
        'bidirectional/forward_gru/gru_cell/bias:0',
        'bidirectional/backward_gru/gru_cell/kernel:0',
        'bidirectional/backward_gru/gru_cell/recurrent_kernel:0',
        'bidirectional/backward_gru/gru_cell/bias:0',
      ],
      [],
      ['simple_rnn/simple_rnn_cell/kernel:0', 'simple_rnn/simple_rnn_cell/recurrent_kernel:0', 'simple_rnn/simple_rnn_cell/bias:0'],
      ['dense/kernel:0', 'dense/bias:0'],
    ]);
    expect(h5.layers[1]!.weights.map((w) => w.shape)).toEqual([
      [8, 15],
      [5, 15],
      [2, 15],
      [8, 15],
      [5, 15],
      [2, 15],
    ]);
    // Every array equals the tfjs model's, in order.
    const tfWeights = model.layers.flatMap((layer) => layer.getWeights());
    const h5Weights = h5.layers.flatMap((layer) => layer.weights);
    expect(h5Weights).toHaveLength(tfWeights.length);
    h5Weights.forEach((weight, i) => {
      expect(weight.shape).toEqual(tfWeights[i]!.shape);
      expect(Array.from(weight.values)).toEqual(Array.from(tfWeights[i]!.dataSync()));
    });
  });

  it("names an LSTM's weights lstm/lstm_cell/kernel:0 as Keras does", async () => {
    const { h5 } = await exported('lstm', lstmStack(40), 40, 24);
    expect(h5.layers[1]!.weightNames).toEqual(['lstm/lstm_cell/kernel:0', 'lstm/lstm_cell/recurrent_kernel:0', 'lstm/lstm_cell/bias:0']);
    expect(h5.layers[1]!.weights.map((w) => w.shape)).toEqual([[8, 24], [6, 24], [24]]);
    const config = JSON.parse(h5.attrs['model_config'] as string);
    expect(config.config.layers[2].config).toMatchObject({ name: 'lstm', units: 6, unit_forget_bias: true, recurrent_activation: 'sigmoid' });
  });

  it('names weights of convolution and pooling stacks as Keras does', async () => {
    const stack = [
      { id: 'e', kind: 'Embedding', options: { input_dim: 30, output_dim: 8 } },
      { id: 'c', kind: 'Conv1D', options: { filters: 4, kernel_size: 3, activation: 'relu' } },
      { id: 'p', kind: 'MaxPooling1D', options: { pool_size: 2 } },
      { id: 'l', kind: 'LSTM', options: { units: 3, return_sequences: true } },
      { id: 'l2', kind: 'LSTM', options: { units: 3 } },
      { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
    ];
    const { h5 } = await exported('conv', stack, 30, 16);
    expect(h5.layerNames).toEqual(['embedding', 'conv1d', 'max_pooling1d', 'lstm', 'lstm_1', 'dense']);
    expect(h5.layers.map((l) => l.weightNames)).toEqual([
      ['embedding/embeddings:0'],
      ['conv1d/kernel:0', 'conv1d/bias:0'],
      [],
      ['lstm/lstm_cell/kernel:0', 'lstm/lstm_cell/recurrent_kernel:0', 'lstm/lstm_cell/bias:0'],
      ['lstm_1/lstm_cell/kernel:0', 'lstm_1/lstm_cell/recurrent_kernel:0', 'lstm_1/lstm_cell/bias:0'],
      ['dense/kernel:0', 'dense/bias:0'],
    ]);
    expect(h5.layers[1]!.weights[0]!.shape).toEqual([3, 8, 4]);
  });

  it.skipIf(h5pyPython === undefined)('reads back with h5py exactly as Keras 2 reads an .h5 file', async () => {
    const run = path.join(root, 'run-h5py');
    await makeRunFolder(run, mixedStack(30), sampleTokenizer(30, 16), 8);
    const out = path.join(root, 'h5py.h5');
    await exportRun({ runDir: run, out });
    const script = path.join(root, 'keras_like.py');
    await writeFile(script, kerasLikeReader);
    const read = JSON.parse(execFileSync(h5pyPython!, [script, out], { encoding: 'utf8' })) as {
      keras_version: string;
      backend: string;
      config: { class_name: string; config: { layers: { class_name: string }[] } };
      weights: Record<string, [string, number[], number[]][]>;
    };
    expect(read.keras_version).toBe('2.15.0');
    expect(read.backend).toBe('tensorflow');
    expect(read.config.config.layers.map((l) => l.class_name)).toEqual(['InputLayer', 'Embedding', 'Bidirectional', 'Dropout', 'SimpleRNN', 'Dense']);
    const model = (await openRunForExport(run)).model;
    const tfWeights = model.layers.flatMap((layer) => layer.getWeights());
    const h5Weights = Object.values(read.weights).flat();
    expect(h5Weights.map(([name]) => name)).toContain('bidirectional/backward_gru/gru_cell/bias:0');
    expect(h5Weights).toHaveLength(tfWeights.length);
    h5Weights.forEach(([, shape, values], i) => {
      expect(shape).toEqual(tfWeights[i]!.shape);
      expect(values).toEqual(Array.from(tfWeights[i]!.dataSync()));
    });
  });
});

describe('reading a file that is not a whole HDF5 model', () => {
  it('refuses bytes without the HDF5 signature in its own words, before h5wasm sees them', () => {
    // A child process, so h5wasm loads fresh there and nothing else writes to its stderr.
    const script = `
      import { readKerasH5 } from ${JSON.stringify(path.resolve('src-main/export/keras-h5.ts'))};
      const signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
      for (const bytes of [new TextEncoder().encode('<html>not a model</html>'), new Uint8Array([...signature, ...new Uint8Array(600).fill(7)])]) {
        try { await readKerasH5(bytes); console.log('read'); } catch (error) { console.log('refused: ' + error.message.split('\\n')[0]); }
      }`;
    const result = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const [notHdf5, broken] = result.trim().split('\n');
    expect(notHdf5).toBe('refused: not an HDF5 file (it does not start with the HDF5 signature; 24 bytes)');
    expect(broken).toMatch(/^refused: /);
  });

  it('prints nothing on stderr for a broken HDF5 file', () => {
    const script = `
      import { readKerasH5 } from ${JSON.stringify(path.resolve('src-main/export/keras-h5.ts'))};
      const signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
      await readKerasH5(new Uint8Array([...signature, ...new Uint8Array(600).fill(7)])).catch(() => {});
      console.error('done');`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('done\n');
  });
});
