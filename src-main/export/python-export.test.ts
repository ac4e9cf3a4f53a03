import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeText } from '../data';
import { exportRun, importModel } from '.';
import { readKerasH5 } from './keras-h5';
import { pythonLiteral, pythonScript } from './python-script';
import { appProbabilities, makeRunFolder, mixedStack, sampleTexts, sampleTokenizer } from './test-fixtures';

const run = promisify(execFile);

function has(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const python = has('python3', ['--version']);
const tensorflow = python && has('python3', ['-c', 'import tensorflow']);

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rnn-export-py-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('Python export', () => {
  it('rebuilds the model in Keras code, layer by layer, and writes the same script every time', () => {
    const script = pythonScript(mixedStack(30), 16, 'title');
    expect(script).toContain(
      [
        '    model = keras.Sequential()',
        '    model.add(keras.Input(shape=(MAXLEN,)))',
        '    model.add(layers.Embedding(30, 8))',
        '    model.add(layers.Bidirectional(layers.GRU(5, return_sequences=True)))',
        '    model.add(layers.Dropout(0.3))',
        '    model.add(layers.SimpleRNN(4))',
        "    model.add(layers.Dense(1, activation=\"sigmoid\"))",
        '    return model',
      ].join('\n'),
    );
    expect(script).toContain('MAXLEN = 16\n');
    expect(pythonScript(mixedStack(30), 16, 'title')).toBe(script);
    const gru = pythonScript(
      [
        { id: 'e', kind: 'Embedding', options: { input_dim: 30, output_dim: 8, mask_zero: true } },
        { id: 'g', kind: 'GRU', options: { units: 5, reset_after: false, go_backwards: true } },
        { id: 'd', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
      ],
      16,
      'title',
    );
    expect(gru).toContain('layers.Embedding(30, 8, mask_zero=True)');
    expect(gru).toContain('layers.GRU(5, go_backwards=True, reset_after=False)');
  });

  it('writes Python literals', () => {
    expect(pythonLiteral({ a: [true, false, null, 1.5, 'x"é'] })).toBe('{"a": [True, False, None, 1.5, "x\\"\\u00e9"]}');
  });

  it.skipIf(!python)('writes predict.py, model.h5 and tokenizer.json; the script encodes text exactly as the app does', async () => {
    const runDir = path.join(root, 'run');
    for (const [name, scheme] of [
      ['tok', 'keras-tokenizer'],
      ['imdb', 'keras-imdb'],
    ] as const) {
      const tokenizer = sampleTokenizer(30, 16, scheme);
      await makeRunFolder(`${runDir}-${name}`, mixedStack(30), tokenizer, 9);
      const out = path.join(root, `py-${name}`);
      const result = await exportRun({ runDir: `${runDir}-${name}`, out, format: 'python' });
      expect(result.format).toBe('python');
      expect((await readdir(out)).sort()).toEqual(['README.md', 'metadata.json', 'model.h5', 'predict.py', 'tokenizer.json']);
      expect((await readKerasH5(new Uint8Array(await readFile(path.join(out, 'model.h5'))))).layerNames).toEqual([
        'embedding',
        'bidirectional',
        'dropout',
        'simple_rnn',
        'dense',
      ]);
      await run('python3', ['-m', 'py_compile', path.join(out, 'predict.py')]);
      const { stdout } = await run('python3', [path.join(out, 'predict.py'), '--ids', ...sampleTexts]);
      expect(stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual(sampleTexts.map((text) => Array.from(encodeText(tokenizer, text, 16))));
    }
  });

  it('imports a python export back: the weights come from model.h5', async () => {
    const runDir = path.join(root, 'run-import');
    await makeRunFolder(runDir, mixedStack(30), sampleTokenizer(30, 16), 13);
    const out = path.join(root, 'py-import');
    await exportRun({ runDir, out, format: 'python' });
    const dataDir = path.join(root, 'data');
    const imported = await importModel(out, dataDir);
    const app = await appProbabilities(runDir, sampleTexts);
    const again = await appProbabilities(path.join(dataDir, 'runs', imported.id), sampleTexts);
    again.forEach((p, i) => expect(Math.abs(p - app[i]!)).toBeLessThan(1e-6));
    // A bare .h5 holds no tokenizer, so it cannot become a run that reads text.
    const h5 = path.join(root, 'bare.h5');
    await exportRun({ runDir, out: h5 });
    await expect(importModel(h5, dataDir)).rejects.toThrow(`${h5}: expected an export that carries its tokenizer (a tfjs folder, a .zip or a python folder). Received: a Keras .h5 file`);
  });

  it.skipIf(!tensorflow)('predicts with Keras what the app predicts', async () => {
    const runDir = path.join(root, 'run-tf');
    await makeRunFolder(runDir, mixedStack(30), sampleTokenizer(30, 16), 9);
    const out = path.join(root, 'py-tf');
    await exportRun({ runDir, out, format: 'python' });
    const { stdout } = await run('python3', [path.join(out, 'predict.py'), ...sampleTexts]);
    const keras = stdout.trim().split('\n').slice(-sampleTexts.length).map((line) => JSON.parse(line).probability as number);
    const app = await appProbabilities(runDir, sampleTexts);
    keras.forEach((p, i) => expect(Math.abs(p - app[i]!)).toBeLessThan(1e-5));
  });
});
