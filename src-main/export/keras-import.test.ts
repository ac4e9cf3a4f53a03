import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../../src-shared/model/summary';
import type { Project } from '../../src-shared/project';
import type { LayerSpec } from '../../src-shared/model/types';
import { exportRun } from '.';
import { importKerasModel, predictKerasFile, predictRows } from './keras-import';
import { makeRunFolder, sampleTokenizer } from './test-fixtures';

const KERAS_DIR = '/work/shared/data/keras';
const REFERENCE = path.resolve('test/support/keras_reference.py');

/** A Keras model config as the tests edit it: layer configs are free-form JSON. */
type ModelConfig = { class_name: string; config: { name: string; layers: { class_name: string; config: Record<string, unknown> }[] } };

/** The five real Keras files with the input length each fixes. */
const files: { name: string; maxlen: number; layout: string }[] = [
  { name: 'keras-2.2.4-lstm-imdb.h5', maxlen: 500, layout: 'keras2-h5' },
  { name: 'keras-2.4.0-bidirectional-gru-sarcasm.h5', maxlen: 20, layout: 'keras2-h5' },
  { name: 'keras-2.15.0-simplernn-dense-imdb.h5', maxlen: 500, layout: 'keras2-h5' },
  { name: 'keras-3.13.2-lstm-imdb.h5', maxlen: 500, layout: 'keras3-h5' },
  { name: 'keras-3.13.2-simplernn-imdb.keras', maxlen: 200, layout: 'keras3-keras' },
];

/** Fixed id rows: some left-padded with zeros as pad_sequences makes them, ids below every file's vocabulary (5,000). */
function idRows(maxlen: number): number[][] {
  return [0, 1, 2, 3].map((row) => Array.from({ length: maxlen }, (_, t) => (t < (row * maxlen) / 5 ? 0 : ((row + 1) * 7919 + t * 104729) % 4999)));
}

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'keras-import-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The reference forward pass (numpy, from Keras' equations, reading the file with h5py). */
function reference(file: string, idsFile: string, arch?: string): { outputs: number[][]; totalParams: number } {
  return JSON.parse(execFileSync('/usr/bin/python3', [REFERENCE, file, idsFile, ...(arch === undefined ? [] : [arch])], { encoding: 'utf8' })) as { outputs: number[][]; totalParams: number };
}

/**
 * Copies the Keras .h5 `source` to `target` and runs the Python `edit` on the copy, with h5py's `f` open on it, numpy
 * as `np` and its model config as `config`, which is written back afterwards.
 */
function editKerasFile(source: string, target: string, edit: string): void {
  const script = `import h5py, json, shutil, sys
import numpy as np
shutil.copy(sys.argv[1], sys.argv[2])
f = h5py.File(sys.argv[2], 'r+')
raw = f.attrs['model_config']
config = json.loads(raw if isinstance(raw, str) else raw.decode())
${edit}
f.attrs['model_config'] = json.dumps(config)
f.close()`;
  execFileSync('/usr/bin/python3', ['-c', script, source, target]);
}

describe.each(files)('$name', ({ name, maxlen, layout }) => {
  const file = path.join(KERAS_DIR, name);

  it('imports as a run whose parameter count is the weights the file holds, and predicts as Keras computes', { timeout: 120_000 }, async () => {
    const rows = idRows(maxlen);
    const idsFile = path.join(root, `${name}.ids.json`);
    await writeFile(idsFile, JSON.stringify(rows));
    const expected = reference(file, idsFile);

    const dataDir = path.join(root, name);
    const { record, totalParams } = await importKerasModel(file, { dataDir });
    expect(totalParams).toBe(expected.totalParams);
    const project = record.project as Project;
    expect(summarize(project.layers, { maxlen }).totalParams).toBe(expected.totalParams);
    expect(project.data.options.maxlen).toBe(maxlen);
    expect(record.imported).toMatchObject({ layout, hasTokenizer: false });
    expect((await readdir(path.join(dataDir, 'runs', record.id))).sort()).toEqual(['model.json', 'run.json', 'tokenizer.json', 'weights.bin']);

    const outputs = await predictKerasFile(file, rows);
    expect(outputs).toHaveLength(rows.length);
    outputs.forEach((row, i) => {
      expect(row).toHaveLength(expected.outputs[i]!.length);
      row.forEach((value, j) => expect(Math.abs(value - expected.outputs[i]![j]!)).toBeLessThan(1e-5));
    });
  });
});

describe('Keras files the app refuses', () => {
  const lstmFile = path.join(KERAS_DIR, 'keras-2.2.4-lstm-imdb.h5');

  /** The file's model config, changed by `edit`, as an architecture JSON beside a weights-only copy. */
  async function weightsWithArch(edit: (config: ModelConfig) => void): Promise<{ weights: string; arch: string }> {
    const weights = path.join(root, `weights-${Math.random().toString(36).slice(2)}.h5`);
    // model.save_weights' layout: the model_weights groups and their attributes at the root.
    execFileSync('/usr/bin/python3', [
      '-c',
      `import h5py, sys
src = h5py.File(sys.argv[1], 'r'); dst = h5py.File(sys.argv[2], 'w')
for k in src['model_weights']: src.copy(src['model_weights'][k], dst, name=k)
for k, v in src['model_weights'].attrs.items(): dst.attrs[k] = v
print(src.attrs['model_config'] if isinstance(src.attrs['model_config'], str) else src.attrs['model_config'].decode())`,
      lstmFile,
      weights,
    ]);
    const config: ModelConfig = JSON.parse(execFileSync('/usr/bin/python3', ['-c', `import h5py, sys; v = h5py.File(sys.argv[1], 'r').attrs['model_config']; print(v if isinstance(v, str) else v.decode())`, lstmFile], { encoding: 'utf8' }));
    edit(config);
    const arch = `${weights}.json`;
    await writeFile(arch, JSON.stringify(config));
    return { weights, arch };
  }

  it('opens Keras 2 weights saved with save_weights together with the architecture from model.to_json()', { timeout: 120_000 }, async () => {
    const { weights, arch } = await weightsWithArch(() => {});
    const rows = idRows(500);
    const idsFile = path.join(root, 'weights-only.ids.json');
    await writeFile(idsFile, JSON.stringify(rows));
    const expected = reference(weights, idsFile, arch);
    const outputs = await predictKerasFile(weights, rows, { arch });
    outputs.forEach((row, i) => expect(Math.abs(row[0]! - expected.outputs[i]![0]!)).toBeLessThan(1e-5));
    const { record } = await importKerasModel(weights, { dataDir: path.join(root, 'weights-only'), arch });
    expect(record.imported?.layout).toBe('keras2-weights-h5');
    await expect(importKerasModel(weights, { dataDir: path.join(root, 'weights-only') })).rejects.toThrow(/weights without an architecture/);
  });

  const refusals: [string, (config: ModelConfig) => void, RegExp][] = [
    ['an unknown layer class', (c) => (c.config.layers[1]!.class_name = 'ConvLSTM1D'), /layer 'lstm_1' \(ConvLSTM1D\) must be one of the layer classes the app can run .*Received: 'ConvLSTM1D'/],
    ['an unknown option', (c) => (c.config.layers[1]!.config['peepholes'] = true), /layer 'lstm_1' \(LSTM\) must be configured with options the app knows for LSTM .*Received: the unknown option 'peepholes'/],
    ['an option the app cannot compute', (c) => (c.config.layers[1]!.config['stateful'] = true), /layer 'lstm_1' \(LSTM\) option stateful must be false. Received: true/],
    ['a custom object', (c) => (c.config.layers[2]!.class_name = 'Custom>Attention'), /layer 'dense_1' \(Custom>Attention\) must be a built-in Keras layer. Received: the custom object 'Custom>Attention'/],
    ['weights whose shapes disagree with the architecture', (c) => (c.config.layers[1]!.config['units'] = 64), /the weights of layer 'lstm_1' \(LSTM\) must be kernel 32×256, recurrent_kernel 64×256, bias 256, .* Received: kernel:0 32×400, recurrent_kernel:0 100×400, bias:0 400/],
  ];

  it.each(refusals)('refuses %s with one message naming the file and the layer; nothing is stored', { timeout: 60_000 }, async (_what, edit, message) => {
    const { weights, arch } = await weightsWithArch(edit);
    const dataDir = path.join(root, 'refused');
    const error = await importKerasModel(weights, { dataDir, arch }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.startsWith(weights)).toBe(true);
    expect(await readdir(path.join(dataDir, 'runs')).catch(() => [])).toEqual([]);
  });

  it('refuses a truncated file, a file that is not HDF5 and an HDF5 file that is not a Keras model', { timeout: 60_000 }, async () => {
    const bytes = await readFile(lstmFile);
    const truncated = path.join(root, 'truncated.h5');
    await writeFile(truncated, bytes.subarray(0, 100_000));
    const text = path.join(root, 'notes.h5');
    await writeFile(text, 'not a model\n');
    const other = path.join(root, 'other.h5');
    execFileSync('/usr/bin/python3', ['-c', `import h5py, sys; f = h5py.File(sys.argv[1], 'w'); f['data'] = [1.0, 2.0]`, other]);
    const dataDir = path.join(root, 'refused-files');
    await expect(importKerasModel(truncated, { dataDir })).rejects.toThrow(`${truncated}: expected a readable HDF5 file. Received: a file HDF5 cannot open (truncated or corrupt)`);
    await expect(importKerasModel(text, { dataDir })).rejects.toThrow(`${text}: expected a Keras model file (an HDF5 .h5 or a .keras zip). Received: neither`);
    await expect(importKerasModel(other, { dataDir })).rejects.toThrow(`${other}: the file must be a Keras model (.h5 with model_weights or layer_names, or a .keras zip). Received: an HDF5 file without Keras' layer_names (groups: none)`);
    expect(await readdir(path.join(dataDir, 'runs')).catch(() => [])).toEqual([]);
  });
});

/** A stack with most of what real files hold: masking, Conv1D, pooling, GRU without reset_after, hard_sigmoid, relu cells, an Activation layer, frozen layers, a softmax head. */
const everyKind: LayerSpec[] = [
  { id: 'e', kind: 'Embedding', options: { input_dim: 60, output_dim: 8 }, trainable: false },
  { id: 'c', kind: 'Conv1D', options: { filters: 6, kernel_size: 3, padding: 'same', activation: 'relu' } },
  { id: 'p', kind: 'MaxPooling1D', options: { pool_size: 2 } },
  { id: 's', kind: 'SpatialDropout1D', options: { rate: 0.2 } },
  { id: 'b', kind: 'Bidirectional', options: { layer: { kind: 'GRU', options: { units: 5, return_sequences: true, reset_after: false, recurrent_activation: 'hard_sigmoid' } }, merge_mode: 'ave' } },
  { id: 'l', kind: 'LSTM', options: { units: 4, activation: 'relu', recurrent_activation: 'hard_sigmoid', return_sequences: true } },
  { id: 'g', kind: 'GlobalAveragePooling1D', options: {} },
  { id: 'a', kind: 'Activation', options: { activation: 'tanh' } },
  { id: 'o', kind: 'Dropout', options: { rate: 0.5 } },
  { id: 'd', kind: 'Dense', options: { units: 3, activation: 'softmax' } },
];

/** The same without Keras 2's hard_sigmoid, which Keras 3 computes differently (so a .keras export refuses it). */
const everyKindKeras3: LayerSpec[] = everyKind.map((layer) =>
  layer.kind === 'Bidirectional'
    ? { ...layer, options: { ...layer.options, layer: { kind: 'GRU', options: { units: 5, return_sequences: true, reset_after: false } } } }
    : layer.kind === 'LSTM'
      ? { ...layer, options: { ...layer.options, recurrent_activation: 'sigmoid' } }
      : layer,
);

const binaryLstm: LayerSpec[] = [
  { id: 'e', kind: 'Embedding', options: { input_dim: 60, output_dim: 8, mask_zero: true } },
  { id: 'l', kind: 'LSTM', options: { units: 6 } },
  { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
];

describe('round trips', () => {
  it.each([
    ['a binary LSTM', 'keras-h5', binaryLstm],
    ['every kind', 'keras-h5', everyKind],
    ['a binary LSTM', 'keras', binaryLstm],
    ['every kind', 'keras', everyKindKeras3],
  ] as const)('run → export → import gives identical outputs (%s, %s)', { timeout: 120_000 }, async (name, format, layers) => {
    const dir = path.join(root, `run-${format}-${name.replace(/\W/g, '')}`);
    const { model } = await makeRunFolder(dir, [...layers], sampleTokenizer(60, 12));
    const out = path.join(root, `${name.replace(/\W/g, '')}.${format === 'keras' ? 'keras' : 'h5'}`);
    await exportRun({ runDir: dir, out, format });
    const rows = [Array.from({ length: 12 }, (_, t) => (t < 4 ? 0 : (t * 7) % 60)), Array.from({ length: 12 }, (_, t) => (t * 13 + 5) % 60)];
    const expected = await predictRows(model, rows);
    model.dispose();
    expect(await predictKerasFile(out, rows)).toEqual(expected);
    const { record, totalParams } = await importKerasModel(out, { dataDir: path.join(root, 'round-trip') });
    expect(record.imported?.layout).toBe(format === 'keras' ? 'keras3-keras' : 'keras2-h5');
    expect(record.project).toMatchObject({ layers: layers.map((layer) => ({ kind: layer.kind, ...(layer.trainable === false ? { trainable: false } : {}) })) });
    expect(totalParams).toBe(await exportedWeightCount(out));
    // The exported file computes in the numpy reference as here: masking, Conv1D, pooling, GRU without reset_after, Keras 2 hard_sigmoid.
    const idsFile = path.join(root, `${name.replace(/\W/g, '')}.ids.json`);
    await writeFile(idsFile, JSON.stringify(rows));
    reference(out, idsFile).outputs.forEach((row, i) => row.forEach((value, j) => expect(Math.abs(value - expected[i]![j]!)).toBeLessThan(1e-5)));
  });
});

/** Values in the exported file's weights, read by h5py. */
async function exportedWeightCount(file: string): Promise<number> {
  const script = `import h5py, io, sys, zipfile
p = sys.argv[1]
f = h5py.File(io.BytesIO(zipfile.ZipFile(p).read('model.weights.h5')), 'r')['layers'] if p.endswith('.keras') else h5py.File(p, 'r')['model_weights']
n = []
f.visititems(lambda _, o: n.append(o.size) if isinstance(o, h5py.Dataset) else None)
print(sum(n))`;
  return Number(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }).trim());
}

describe('.keras export', () => {
  it('follows the real Keras 3 file: zip entries, config.json fields, weight group names and shapes', { timeout: 120_000 }, async () => {
    // The model of keras-3.13.2-simplernn-imdb.keras, built here.
    const layers: LayerSpec[] = [
      { id: 'e', kind: 'Embedding', options: { input_dim: 10000, output_dim: 32 } },
      { id: 's', kind: 'SimpleRNN', options: { units: 32 } },
      { id: 'd', kind: 'Dense', options: { units: 16, activation: 'relu' } },
      { id: 'o', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
    ];
    const dir = path.join(root, 'run-like-real');
    (await makeRunFolder(dir, layers, sampleTokenizer(10000, 200))).model.dispose();
    const out = path.join(root, 'like-real.keras');
    await exportRun({ runDir: dir, out, format: 'keras' });
    const describe = `import h5py, io, json, sys, zipfile
def shape(p):
    z = zipfile.ZipFile(p)
    config = json.loads(z.read('config.json'))
    h5 = h5py.File(io.BytesIO(z.read('model.weights.h5')), 'r')
    items = []
    h5.visititems(lambda name, o: items.append([name, list(o.shape) if isinstance(o, h5py.Dataset) else None]))
    layers = [[l['module'], l['class_name'], l['registered_name'], l.get('build_config'), sorted(k for k in l['config'] if k not in ('dtype',))] for l in config['config']['layers']]
    return {'entries': [(i.filename, i.compress_type) for i in z.infolist()], 'top': sorted(config), 'layers': layers, 'weights': sorted(i for i in items if not i[0].startswith('optimizer'))}
print(json.dumps([shape(sys.argv[1]), shape(sys.argv[2])]))`;
    const [ours, real] = JSON.parse(execFileSync('/usr/bin/python3', ['-c', describe, out, path.join(KERAS_DIR, 'keras-3.13.2-simplernn-imdb.keras')], { encoding: 'utf8' })) as unknown[];
    const { layers: ourLayers, ...ourRest } = ours as { layers: unknown[][] };
    const { layers: realLayers, ...realRest } = real as { layers: unknown[][] };
    expect(ourRest).toEqual(realRest);
    // Same module, class, registered name and build config per layer; the options the app writes are Keras' own names.
    expect(ourLayers.map((l) => l.slice(0, 4))).toEqual(realLayers.map((l) => l.slice(0, 4)));
    ourLayers.forEach((layer, i) => expect(realLayers[i]![4]).toEqual(expect.arrayContaining(layer[4] as string[])));
  });

  it("refuses Keras 2's hard_sigmoid, which Keras 3 computes differently, and writes nothing", { timeout: 60_000 }, async () => {
    const dir = path.join(root, 'run-hard-sigmoid');
    (await makeRunFolder(dir, [...everyKind], sampleTokenizer(60, 12))).model.dispose();
    const out = path.join(root, 'hard.keras');
    await expect(exportRun({ runDir: dir, out, format: 'keras' })).rejects.toThrow(/recurrent_activation must be an activation Keras 3 computes the same way .* Received: 'hard_sigmoid'/);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });
});

describe("Keras 3's hard_sigmoid (relu6(x + 3) / 6)", () => {
  it('opens a Keras 3 file using it as Keras computes it on tfjs-layers, exports it back to .keras as hard_sigmoid, and refuses a Keras 2 .h5', { timeout: 180_000 }, async () => {
    // The real Keras 3 LSTM file with hard_sigmoid as the LSTM's gates and the Dense(16)'s activation, written by h5py.
    const file = path.join(root, 'keras3-hard-sigmoid.h5');
    editKerasFile(
      path.join(KERAS_DIR, 'keras-3.13.2-lstm-imdb.h5'),
      file,
      `layers = config['config']['layers']
lstm = next(l for l in layers if l['class_name'] == 'LSTM')
lstm['config']['recurrent_activation'] = 'hard_sigmoid'
dense = next(l for l in layers if l['class_name'] == 'Dense')
dense['config']['activation'] = 'hard_sigmoid'
`,
    );
    const rows = idRows(500);
    const idsFile = path.join(root, 'hard-sigmoid.ids.json');
    await writeFile(idsFile, JSON.stringify(rows));
    const expected = reference(file, idsFile);
    const outputs = await predictKerasFile(file, rows);
    outputs.forEach((row, i) => row.forEach((value, j) => expect(Math.abs(value - expected.outputs[i]![j]!)).toBeLessThan(1e-5)));

    const { record } = await importKerasModel(file, { dataDir: path.join(root, 'hard-sigmoid') });
    const layers = (record.project as Project).layers;
    expect(layers.find((layer) => layer.kind === 'LSTM')!.options['recurrent_activation']).toBe('hard_sigmoid_k3');
    expect(layers.find((layer) => layer.kind === 'Dense')!.options['activation']).toBe('hard_sigmoid_k3');
    expect(record.imported!.paths.join('\n')).toContain("(LSTM): tfjs-layers (Keras 3's hard_sigmoid recurrent activation)");

    const runDir = path.join(root, 'hard-sigmoid', 'runs', record.id);
    const out = path.join(root, 'hard-sigmoid.keras');
    await exportRun({ runDir, out, format: 'keras' });
    const written = JSON.parse(execFileSync('/usr/bin/python3', ['-c', `import json, sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('config.json').decode())`, out], { encoding: 'utf8' })) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    expect(written.config.layers.find((layer) => layer.class_name === 'LSTM')!.config['recurrent_activation']).toBe('hard_sigmoid');
    expect(await predictKerasFile(out, rows)).toEqual(outputs);
    await expect(exportRun({ runDir, out: path.join(root, 'hard-sigmoid-web'), format: 'tfjs' })).rejects.toThrow(
      "layer 2 (LSTM): recurrent_activation must be an activation plain TensorFlow.js has to export for the web. Received: Keras 3's hard_sigmoid",
    );
    await expect(exportRun({ runDir, out: path.join(root, 'hard-sigmoid-k2.h5'), format: 'keras-h5' })).rejects.toThrow(
      /layer 2 \(LSTM\): recurrent_activation must be an activation Keras 2 has to export a Keras 2 \.h5\. Received: Keras 3's hard_sigmoid \(clip\(x \/ 6 \+ 0\.5, 0, 1\); Keras 2's is clip\(0\.2x \+ 0\.5, 0, 1\)\); export keras \(a Keras 3 \.keras file\) instead/,
    );
  });
});

describe("Keras 2's CuDNNLSTM and CuDNNGRU (GPU-only layers with cuDNN's weight layout)", () => {
  /** Rewrites a real Keras 2 file's LSTM or GRU (bare or in a Bidirectional) as its cuDNN twin, the way Keras saves one. */
  const toCuDNN = `# CuDNNLSTM's get_config: no activations, dropout, implementation or reset_after.
keep = {'name', 'trainable', 'dtype', 'batch_input_shape', 'units', 'return_sequences', 'return_state', 'go_backwards', 'stateful',
        'kernel_initializer', 'recurrent_initializer', 'bias_initializer', 'unit_forget_bias', 'kernel_regularizer', 'recurrent_regularizer',
        'bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'recurrent_constraint', 'bias_constraint'}
def cudnn(layer):
    gates = 4 if layer['class_name'] == 'LSTM' else 3
    layer['config'] = {k: v for k, v in layer['config'].items() if k in keep and not (gates == 3 and k == 'unit_forget_bias')}
    layer['class_name'] = 'CuDNN' + layer['class_name']
    return gates
def convert(group, names, gates):
    # Keras' _convert_rnn_weights, LSTM/GRU to cuDNN: transpose_input(from_cudnn=False), recurrent transposed, biases split.
    k, r, b = (group[n][()] for n in names)
    k = np.hstack([g.T.reshape(g.shape, order='C') for g in np.hsplit(k, gates)])
    r = np.hstack([g.T for g in np.hsplit(r, gates)])
    b = np.tile(0.5 * b, 2) if gates == 4 else b.reshape(-1)
    for n, v in zip(names, (k, r, b)):
        del group[n]
        group.create_dataset(n, data=v.astype(np.float32))
weights = f['model_weights']
for layer in config['config']['layers']:
    name = layer['config']['name']
    if layer['class_name'] in ('LSTM', 'GRU'):
        group, target = weights[name], layer
    elif layer['class_name'] == 'Bidirectional':
        group, target = weights[name], layer['config']['layer']
    else:
        continue
    names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs['weight_names']]
    gates = cudnn(target)
    for start in range(0, len(names), 3):
        convert(group, names[start:start + 3], gates)
`;

  it.each([
    // The LSTM file's gates are hard_sigmoid (Keras 2.2), so its cuDNN twin computes differently; the GRU's are sigmoid.
    { name: 'keras-2.2.4-lstm-imdb.h5', maxlen: 500, kind: 'LSTM', units: 100, sameAsOriginal: false },
    { name: 'keras-2.4.0-bidirectional-gru-sarcasm.h5', maxlen: 20, kind: 'GRU', units: 32, sameAsOriginal: true },
  ])('opens $name rewritten with cuDNN layers as Keras loads it into $kind, with tanh and sigmoid gates', { timeout: 120_000 }, async ({ name, maxlen, kind, units, sameAsOriginal }) => {
    const file = path.join(root, `cudnn-${name}`);
    editKerasFile(path.join(KERAS_DIR, name), file, toCuDNN);
    const rows = idRows(maxlen);
    const idsFile = path.join(root, `cudnn-${name}.ids.json`);
    await writeFile(idsFile, JSON.stringify(rows));
    const expected = reference(file, idsFile);
    if (sameAsOriginal) expect(expected.outputs).toEqual(reference(path.join(KERAS_DIR, name), idsFile).outputs);
    const outputs = await predictKerasFile(file, rows);
    outputs.forEach((row, i) => row.forEach((value, j) => expect(Math.abs(value - expected.outputs[i]![j]!)).toBeLessThan(1e-5)));

    const { record, totalParams } = await importKerasModel(file, { dataDir: path.join(root, `cudnn-home-${name}`) });
    const layers = (record.project as Project).layers;
    const recurrent = layers.map((layer) => (layer.kind === 'Bidirectional' ? (layer.options['layer'] as LayerSpec) : layer)).find((layer) => layer.kind === kind)!;
    expect(recurrent.options).toMatchObject({ activation: 'tanh', recurrent_activation: 'sigmoid', ...(kind === 'GRU' ? { reset_after: true } : {}) });
    // An LSTM's two cuDNN biases become one: the model holds 4 × units values fewer than the file.
    expect(totalParams).toBe(expected.totalParams - (kind === 'LSTM' ? 4 * units : 0));
    expect(summarize(layers, { maxlen }).totalParams).toBe(totalParams);
    expect(record.imported!.notes.join('\n')).toContain(`computes as ${kind} with tanh, sigmoid gates`);
  });
});

describe('Activation layers (Dense(1) → Activation(\'sigmoid\'), as Keras 2\'s IMDb examples end)', () => {
  it('opens a real Keras 2 file whose Dense activations are Activation layers of their own, as Keras computes it', { timeout: 120_000 }, async () => {
    const original = path.join(KERAS_DIR, 'keras-2.15.0-simplernn-dense-imdb.h5');
    const file = path.join(root, 'activation-layers.h5');
    // Each Dense's activation moved into an Activation layer after it; Keras 2 lists those with no weights.
    editKerasFile(
      original,
      file,
      `layers, names = [], []
for layer in config['config']['layers']:
    layers.append(layer)
    if layer['class_name'] == 'Dense' and layer['config']['activation'] != 'linear':
        name = 'activation' + ('_%d' % len(names) if names else '')
        names.append(name)
        layers.append({'class_name': 'Activation', 'config': {'name': name, 'trainable': True, 'dtype': 'float32', 'activation': layer['config']['activation']}})
        layer['config']['activation'] = 'linear'
config['config']['layers'] = layers
weights = f['model_weights']
for name in names:
    weights.create_group(name).attrs['weight_names'] = np.array([], dtype=h5py.string_dtype())
listed = [n.decode() if isinstance(n, bytes) else n for n in weights.attrs['layer_names']]
weights.attrs['layer_names'] = np.array(listed + names, dtype=h5py.string_dtype())
`,
    );
    const rows = idRows(500);
    const idsFile = path.join(root, 'activation-layers.ids.json');
    await writeFile(idsFile, JSON.stringify(rows));
    const expected = reference(file, idsFile);
    expect(expected.outputs).toEqual(reference(original, idsFile).outputs);
    const outputs = await predictKerasFile(file, rows);
    outputs.forEach((row, i) => row.forEach((value, j) => expect(Math.abs(value - expected.outputs[i]![j]!)).toBeLessThan(1e-5)));

    const { record, totalParams } = await importKerasModel(file, { dataDir: path.join(root, 'activation-layers-home') });
    const layers = (record.project as Project).layers;
    expect(layers.map((layer) => layer.kind)).toEqual(['Embedding', 'SimpleRNN', 'Dense', 'Activation', 'Dense', 'Activation', 'Dense', 'Activation']);
    expect(layers.at(-1)!.options).toEqual({ activation: 'sigmoid' });
    expect(totalParams).toBe(expected.totalParams);
    // Ending in Activation('sigmoid') on one value, it is a binary classifier the builder accepts as it is.
    expect(summarize(layers, { maxlen: 500 }).issues).toEqual([]);
  });
});
