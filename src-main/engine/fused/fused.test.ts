/**
 * The fused kernels against tfjs-layers' own SimpleRNN/LSTM/GRU/Bidirectional (and, where tfjs has
 * no equivalent, against the cell equations written with tf ops): forward outputs and every gradient
 * within 1e-4 relative, for every option the fused path supports.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FusedBidirectional, FusedRecurrent, fusedStatus, makeFusedRecurrent, type FusedRecurrentConfig } from './index';
import { fusedRecurrent, gatesOf, type FusedCell } from './ops';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** max |a - b| / max |b|: the error relative to the reference's scale. */
function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  return tf.tidy(() => {
    const scale = Math.max(tf.max(tf.abs(expected)).dataSync()[0]!, 1e-6);
    return tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0]! / scale;
  });
}

function expectClose(actual: tf.Tensor, expected: tf.Tensor, what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  expect(relativeError(actual, expected), what).toBeLessThan(1e-4);
}

/** Random 1/0 mask with a zero-padded prefix per row (as pad_sequences 'pre') and some holes. */
function randomMask(batch: number, time: number): tf.Tensor2D {
  const values: number[] = [];
  for (let b = 0; b < batch; b++) {
    const pad = b % 3;
    for (let t = 0; t < time; t++) values.push(t < pad || (t + b) % 5 === 3 ? 0 : 1);
  }
  return tf.tensor2d(values, [batch, time]);
}

/**
 * The Keras cell equations as plain tf ops, one step at a time (autodiff gives the gradients).
 * Masked steps carry the previous state, as Keras does.
 */
function referenceRnn(cell: FusedCell, x: tf.Tensor, W: tf.Tensor, U: tf.Tensor, b: tf.Tensor, mask?: tf.Tensor2D, rdrop?: tf.Tensor2D): tf.Tensor {
  const [batch, time] = x.shape as [number, number, number];
  const H = U.shape[0]!;
  const split = (m: tf.Tensor, n: number) => tf.split(m, n, -1);
  let h: tf.Tensor = tf.zeros([batch, H]);
  let c: tf.Tensor = tf.zeros([batch, H]);
  const bIn = cell === 'gruResetAfter' ? tf.slice(b, [0, 0], [1, -1]).reshape([-1]) : b;
  const bRec = cell === 'gruResetAfter' ? tf.slice(b, [1, 0], [1, -1]).reshape([-1]) : undefined;
  const outs: tf.Tensor[] = [];
  for (let t = 0; t < time; t++) {
    const xt = tf.slice(x, [0, t, 0], [batch, 1, -1]).reshape([batch, -1]);
    const hm = rdrop ? tf.mul(h, rdrop) : h;
    const px = tf.add(tf.matMul(xt, W), bIn);
    let hNew: tf.Tensor;
    let cNew = c;
    if (cell === 'simple') {
      hNew = tf.tanh(tf.add(px, tf.matMul(hm, U)));
    } else if (cell === 'lstm') {
      const [i, f, g, o] = split(tf.add(px, tf.matMul(hm, U)), 4) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      cNew = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
      hNew = tf.mul(tf.sigmoid(o), tf.tanh(cNew));
    } else if (cell === 'gru') {
      const [xz, xr, xh] = split(px, 3) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const [uz, ur, uh] = split(U, 3) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const z = tf.sigmoid(tf.add(xz, tf.matMul(hm, uz)));
      const r = tf.sigmoid(tf.add(xr, tf.matMul(hm, ur)));
      const hh = tf.tanh(tf.add(xh, tf.matMul(tf.mul(r, hm), uh)));
      hNew = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh));
    } else {
      const [xz, xr, xh] = split(px, 3) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const [iz, ir, ih] = split(tf.add(tf.matMul(hm, U), bRec!), 3) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const z = tf.sigmoid(tf.add(xz, iz));
      const r = tf.sigmoid(tf.add(xr, ir));
      const hh = tf.tanh(tf.add(xh, tf.mul(r, ih)));
      hNew = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh));
    }
    if (mask) {
      const m = tf.slice(mask, [0, t], [batch, 1]);
      hNew = tf.add(tf.mul(m, hNew), tf.mul(tf.sub(1, m), h));
      cNew = tf.add(tf.mul(m, cNew), tf.mul(tf.sub(1, m), c));
    }
    h = hNew;
    c = cNew;
    outs.push(h);
  }
  return tf.stack(outs, 1);
}

function randomWeights(cell: FusedCell, inputDim: number, units: number): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const width = gatesOf[cell] * units;
  return [
    tf.randomNormal([inputDim, width], 0, 0.5),
    tf.randomNormal([units, width], 0, 0.5),
    tf.randomNormal(cell === 'gruResetAfter' ? [2, width] : [width], 0, 0.5),
  ];
}

const cells: FusedCell[] = ['simple', 'lstm', 'gru', 'gruResetAfter'];

describe('the native kernels', () => {
  it('load on this machine (npm ci builds them; fallback.test.ts covers running without)', () => {
    const status = fusedStatus();
    expect(status.reason).toBeUndefined();
    expect(status.available).toBe(true);
    expect(status.threads).toBeGreaterThan(0);
    expect(['avx2+fma', 'baseline']).toContain(status.simd);
  });
});

describe.skipIf(!fusedStatus().available)('fusedRecurrent against the cell equations', () => {
  for (const cell of cells) {
    for (const variant of ['plain', 'mask', 'recurrent dropout'] as const) {
      it(`${cell} (${variant}): outputs and the gradients of x, kernel, recurrent kernel, bias`, () => {
        // Units 5 and 16 cover the scalar tail and the vectorised tiles of the matrix products; 13 has both an
        // eight-unit vector block and a scalar tail in the gates' elementwise pass.
        for (const [batch, time, inputDim, units] of [[3, 7, 4, 5], [5, 6, 17, 16], [4, 5, 6, 13]] as const) {
          tf.tidy(() => {
            const x = tf.randomNormal([batch, time, inputDim]);
            const [W, U, b] = randomWeights(cell, inputDim, units);
            const mask = variant === 'mask' ? randomMask(batch, time) : undefined;
            const rdrop = variant === 'recurrent dropout' ? tf.dropout(tf.ones([batch, units]), 0.4) as tf.Tensor2D : undefined;
            const weightOut = tf.randomNormal([batch, time, units]);
            const options = { mask: mask?.dataSync() as Float32Array | undefined, recurrentDropoutMask: rdrop?.dataSync() as Float32Array | undefined };
            const fused = (xs: tf.Tensor, w: tf.Tensor, u: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(fusedRecurrent(cell, xs, w, u, bb, options), weightOut));
            const reference = (xs: tf.Tensor, w: tf.Tensor, u: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(referenceRnn(cell, xs, w, u, bb, mask, rdrop), weightOut));
            expectClose(fusedRecurrent(cell, x, W, U, b, options), referenceRnn(cell, x, W, U, b, mask, rdrop), 'outputs');
            const got = tf.grads(fused)([x, W, U, b]);
            const want = tf.grads(reference)([x, W, U, b]);
            ['dx', 'dKernel', 'dRecurrentKernel', 'dBias'].forEach((name, k) => expectClose(got[k]!, want[k]!, name));
          });
        }
      });
    }
  }
});

describe.skipIf(!fusedStatus().available)('fusedRecurrent without return_sequences', () => {
  it('returns the last state and back-propagates from it alone', () => {
    tf.tidy(() => {
      const [batch, time, inputDim, units] = [5, 9, 3, 16];
      const x = tf.randomNormal([batch, time, inputDim]);
      const [W, U, b] = randomWeights('lstm', inputDim, units);
      const mask = randomMask(batch, time);
      const weightOut = tf.randomNormal([batch, units]);
      const options = { mask: mask.dataSync() as Float32Array, returnSequences: false };
      const lastStep = (hs: tf.Tensor) => tf.reshape(tf.slice(hs, [0, time - 1, 0], [batch, 1, units]), [batch, units]);
      const fused = (xs: tf.Tensor, w: tf.Tensor, u: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(fusedRecurrent('lstm', xs, w, u, bb, options), weightOut));
      const reference = (xs: tf.Tensor, w: tf.Tensor, u: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(lastStep(referenceRnn('lstm', xs, w, u, bb, mask)), weightOut));
      expectClose(fusedRecurrent('lstm', x, W, U, b, options), lastStep(referenceRnn('lstm', x, W, U, b, mask)), 'outputs');
      const got = tf.grads(fused)([x, W, U, b]);
      const want = tf.grads(reference)([x, W, U, b]);
      got.forEach((g, k) => expectClose(g, want[k]!, `gradient ${k}`));
    });
  });
});

describe.skipIf(!fusedStatus().available)('fusedRecurrent outside a gradient tape (prediction, validation)', () => {
  it('gives exactly the outputs of the taped training path, for every cell, whole sequences and last states', () => {
    // The last state alone comes from the kernels' inference pass, which keeps the steps in rings of 36 steps:
    // 80 steps wrap them twice; 13 units have a vector block and a scalar tail; recurrent dropout multiplies
    // the previous state before the product.
    const shapes = [[6, 9, 5, 16, false], [4, 80, 5, 13, false], [4, 80, 5, 13, true]] as const;
    for (const cell of cells) {
      for (const returnSequences of [true, false]) {
        for (const [batch, time, inputDim, units, dropout] of shapes) tf.tidy(() => {
          const x = tf.randomNormal([batch, time, inputDim]);
          const [W, U, b] = randomWeights(cell, inputDim, units);
          const recurrentDropoutMask = dropout ? (tf.dropout(tf.ones([batch, units]), 0.4).dataSync() as Float32Array) : undefined;
          const options = { mask: randomMask(batch, time).dataSync() as Float32Array, recurrentDropoutMask, returnSequences };
          const inference = fusedRecurrent(cell, x, W, U, b, options);
          let taped: Float32Array | undefined;
          tf.grad((xs: tf.Tensor) => {
            const y = fusedRecurrent(cell, xs, W, U, b, options);
            taped = y.dataSync() as Float32Array;
            return tf.sum(y);
          })(x);
          // A second prediction reuses the first one's pooled buffers: it must not see their old contents.
          const again = fusedRecurrent(cell, x, W, U, b, options);
          expect(inference.dataSync(), `${cell} ${returnSequences} ${time} steps`).toEqual(taped);
          expect(again.dataSync(), `${cell} ${returnSequences} ${time} steps again`).toEqual(taped);
        });
      }
    }
  });
});

describe.skipIf(!fusedStatus().available)('fusedRecurrent across repeated calls', () => {
  it('gives bit-identical gradients every time, with the batch split into chunks across the threads', () => {
    for (const cell of cells) {
      tf.tidy(() => {
        // 64 rows make 8 chunks of 8, taken in turn by the threads, each summing its own share of dW, dU and db.
        const [batch, time, inputDim, units] = [64, 12, 7, 16];
        const x = tf.randomNormal([batch, time, inputDim]);
        const [W, U, b] = randomWeights(cell, inputDim, units);
        const mask = randomMask(batch, time).dataSync() as Float32Array;
        const grads = () => tf.grads((xs: tf.Tensor, w: tf.Tensor, u: tf.Tensor, bb: tf.Tensor) => tf.sum(fusedRecurrent(cell, xs, w, u, bb, { mask })))([x, W, U, b]);
        const first = grads().map((g) => g.dataSync());
        for (let run = 0; run < 3; run++) grads().forEach((g, k) => expect(g.dataSync(), `${cell} gradient ${k}`).toEqual(first[k]));
      });
    }
  });
});

type StandardFactory = (config: Record<string, unknown>) => tf.layers.Layer;
const standard: Record<'SimpleRNN' | 'LSTM' | 'GRU', StandardFactory> = {
  SimpleRNN: (c) => tf.layers.simpleRNN(c as never),
  LSTM: (c) => tf.layers.lstm({ recurrentActivation: 'sigmoid', ...c } as never),
  GRU: (c) => tf.layers.gru({ recurrentActivation: 'sigmoid', ...c } as never),
};

/** Gradients of a weighted sum of `layer(x)` with respect to x and every weight, in weight order. */
function layerGrads(layer: tf.layers.Layer, x: tf.Tensor, mask: tf.Tensor | undefined, weightOut: tf.Tensor): { y: tf.Tensor; grads: tf.Tensor[] } {
  const xv = tf.variable(x);
  const y = layer.apply(xv, mask ? { mask } : {}) as tf.Tensor;
  const vars = [xv, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(xv, mask ? { mask } : {}) as tf.Tensor, weightOut)) as tf.Scalar, vars);
  const out = { y, grads: vars.map((v) => grads[v.name]!) };
  xv.dispose();
  return out;
}

describe.skipIf(!fusedStatus().available)('fused layers against tfjs-layers', () => {
  const cases: { name: string; kind: 'SimpleRNN' | 'LSTM' | 'GRU'; options: Partial<FusedRecurrentConfig>; mask?: boolean }[] = [
    { name: 'SimpleRNN, last output', kind: 'SimpleRNN', options: {} },
    { name: 'SimpleRNN, sequences, backwards, masked', kind: 'SimpleRNN', options: { returnSequences: true, goBackwards: true }, mask: true },
    { name: 'LSTM, last output', kind: 'LSTM', options: {} },
    { name: 'LSTM, sequences, masked', kind: 'LSTM', options: { returnSequences: true }, mask: true },
    { name: 'LSTM, backwards, masked, no bias', kind: 'LSTM', options: { goBackwards: true, useBias: false }, mask: true },
    { name: 'GRU reset before, sequences, masked', kind: 'GRU', options: { resetAfter: false, returnSequences: true }, mask: true },
    { name: 'GRU reset before, backwards', kind: 'GRU', options: { resetAfter: false, goBackwards: true } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [batch, time, inputDim, units] = [4, 6, 5, 16];
      const fused = new FusedRecurrent({ kind: c.kind, units, ...c.options });
      const ref = standard[c.kind]({ units, ...c.options, resetAfter: undefined });
      const x = tf.randomNormal([batch, time, inputDim]);
      fused.apply(x);
      ref.apply(x);
      // Randomise the bias too, so a bias mix-up cannot hide behind zeros.
      ref.setWeights(ref.getWeights().map((w) => tf.randomNormal(w.shape, 0, 0.5)));
      fused.setWeights(ref.getWeights());
      const mask = c.mask ? randomMask(batch, time) : undefined;
      const outShape = c.options.returnSequences ? [batch, time, units] : [batch, units];
      const weightOut = tf.randomNormal(outShape);
      const got = layerGrads(fused, x, mask, weightOut);
      const want = layerGrads(ref, x, mask, weightOut);
      expectClose(got.y, want.y, 'outputs');
      expect(got.grads.length).toBe(want.grads.length);
      got.grads.forEach((g, k) => expectClose(g, want.grads[k]!, `gradient ${k}`));
    });
  }

  for (const mergeMode of ['concat', 'sum', 'mul', 'ave'] as const) {
    it(`Bidirectional LSTM (${mergeMode}, sequences, masked) and its weight names`, () => {
      const [batch, time, inputDim, units] = [3, 5, 4, 8];
      const fused = new FusedBidirectional({ layer: { kind: 'LSTM', units, returnSequences: true }, mergeMode });
      const ref = tf.layers.bidirectional({ layer: tf.layers.lstm({ units, returnSequences: true, recurrentActivation: 'sigmoid' }) as tf.RNN, mergeMode });
      const x = tf.randomNormal([batch, time, inputDim]);
      fused.apply(x);
      ref.apply(x);
      ref.setWeights(ref.getWeights().map((w) => tf.randomNormal(w.shape, 0, 0.5)));
      fused.setWeights(ref.getWeights());
      const mask = randomMask(batch, time);
      const weightOut = tf.randomNormal([batch, time, mergeMode === 'concat' ? 2 * units : units]);
      const got = layerGrads(fused, x, mask, weightOut);
      const want = layerGrads(ref, x, mask, weightOut);
      expectClose(got.y, want.y, 'outputs');
      got.grads.forEach((g, k) => expectClose(g, want.grads[k]!, `gradient ${k}`));
      expect(fused.weights.map((w) => w.name.split('/').slice(1).join('/'))).toEqual([
        'forward_lstm/kernel', 'forward_lstm/recurrent_kernel', 'forward_lstm/bias',
        'backward_lstm/kernel', 'backward_lstm/recurrent_kernel', 'backward_lstm/bias',
      ]);
    });
  }

  it('GRU with reset_after (Keras default) matches the cell equations and has a [2, 3·units] bias', () => {
    const [batch, time, inputDim, units] = [3, 5, 4, 6];
    const layer = new FusedRecurrent({ kind: 'GRU', units, returnSequences: true });
    const x = tf.randomNormal([batch, time, inputDim]);
    layer.apply(x);
    expect(layer.weights.map((w) => w.shape)).toEqual([[inputDim, 3 * units], [units, 3 * units], [2, 3 * units]]);
    layer.setWeights(randomWeights('gruResetAfter', inputDim, units));
    const [W, U, b] = layer.getWeights() as [tf.Tensor, tf.Tensor, tf.Tensor];
    expectClose(layer.apply(x) as tf.Tensor, referenceRnn('gruResetAfter', x, W, U, b), 'outputs');
  });

  it('LSTM starts with the forget-gate bias at 1 (unit_forget_bias) and Keras weight names', () => {
    const layer = new FusedRecurrent({ kind: 'LSTM', units: 2, name: 'lstm' });
    layer.apply(tf.zeros([1, 3, 4]));
    expect(Array.from(layer.getWeights()[2]!.dataSync())).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(layer.weights.map((w) => w.name)).toEqual(['lstm/kernel', 'lstm/recurrent_kernel', 'lstm/bias']);
  });

  it('round-trips through tfjs model JSON (fused classes are registered for serialisation)', async () => {
    const model = tf.sequential();
    model.add(tf.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 6, maskZero: true }));
    model.add(new FusedBidirectional({ layer: { kind: 'GRU', units: 3, returnSequences: true }, mergeMode: 'sum' }));
    model.add(new FusedRecurrent({ kind: 'SimpleRNN', units: 5 }));
    const ids = tf.tensor2d([[0, 0, 3, 4, 5, 6]], [1, 6]);
    const copy = await tf.models.modelFromJSON(model.toJSON(undefined, false) as Parameters<typeof tf.models.modelFromJSON>[0]);
    copy.setWeights(model.getWeights());
    expect(copy.layers.map((l) => l.getClassName())).toEqual(['Embedding', 'FusedBidirectional', 'FusedRecurrent']);
    expectClose(copy.predict(ids) as tf.Tensor, model.predict(ids) as tf.Tensor, 'outputs');
  });

  it('dropout changes training outputs only, and inference equals the layer without dropout', () => {
    const x = tf.randomNormal([4, 6, 5]);
    const plain = new FusedRecurrent({ kind: 'LSTM', units: 8 });
    const dropped = new FusedRecurrent({ kind: 'LSTM', units: 8, dropout: 0.5, recurrentDropout: 0.5 });
    plain.apply(x);
    dropped.apply(x);
    dropped.setWeights(plain.getWeights());
    expectClose(dropped.apply(x, { training: false }) as tf.Tensor, plain.apply(x) as tf.Tensor, 'inference');
    expect(relativeError(dropped.apply(x, { training: true }) as tf.Tensor, plain.apply(x) as tf.Tensor)).toBeGreaterThan(1e-3);
  });
});

describe.skipIf(!fusedStatus().available)('makeFusedRecurrent', () => {
  it('builds fused layers for the kinds and options it covers', () => {
    expect(makeFusedRecurrent({ kind: 'LSTM', options: { units: 8, return_sequences: true } }, [null, 10, 4])).toBeInstanceOf(FusedRecurrent);
    expect(makeFusedRecurrent({ kind: 'GRU', options: { reset_after: false, recurrent_dropout: 0.2 } }, [null, 10, 4])).toBeInstanceOf(FusedRecurrent);
    const bidi = makeFusedRecurrent({ kind: 'Bidirectional', options: { layer: { kind: 'SimpleRNN', options: {} }, merge_mode: 'sum' } }, [null, 10, 4]);
    expect(bidi).toBeInstanceOf(FusedBidirectional);
    expect((bidi as FusedBidirectional).mergeMode).toBe('sum');
  });

  it('returns undefined where tfjs-layers must run the layer', () => {
    expect(makeFusedRecurrent({ kind: 'LSTM', options: { activation: 'relu' } }, [null, 10, 4])).toBeUndefined();
    expect(makeFusedRecurrent({ kind: 'GRU', options: { recurrent_activation: 'hard_sigmoid' } }, [null, 10, 4])).toBeUndefined();
    expect(makeFusedRecurrent({ kind: 'LSTM', options: { stateful: true } }, [null, 10, 4])).toBeUndefined();
    expect(makeFusedRecurrent({ kind: 'Dense', options: { units: 1 } }, [null, 4])).toBeUndefined();
    expect(makeFusedRecurrent({ kind: 'LSTM', options: {} }, [null, 10, null])).toBeUndefined();
  });
});

describe.skipIf(!fusedStatus().available)('training with the fused path', () => {
  it('gives the same losses as tfjs-layers over a few RMSprop steps (Embedding with mask_zero → LSTM → Dense)', async () => {
    const [batch, time, vocab] = [8, 12, 30];
    const build = (recurrent: tf.layers.Layer) => {
      const model = tf.sequential();
      model.add(tf.layers.embedding({ inputDim: vocab, outputDim: 6, inputLength: time, maskZero: true }));
      model.add(recurrent);
      model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
      model.compile({ optimizer: tf.train.rmsprop(0.01), loss: 'binaryCrossentropy' });
      return model;
    };
    const fused = build(new FusedRecurrent({ kind: 'LSTM', units: 16 }));
    const ref = build(tf.layers.lstm({ units: 16, recurrentActivation: 'sigmoid' }));
    fused.setWeights(ref.getWeights());
    const ids = tf.tensor2d(
      Array.from({ length: batch * time }, (_, i) => (i % time < (i / time) % 4 ? 0 : 1 + ((i * 7) % (vocab - 1)))),
      [batch, time],
    );
    const labels = tf.tensor2d(Array.from({ length: batch }, (_, i) => i % 2), [batch, 1]);
    for (let step = 0; step < 4; step++) {
      const a = (await fused.trainOnBatch(ids, labels)) as number;
      const b = (await ref.trainOnBatch(ids, labels)) as number;
      expect(Math.abs(a - b), `step ${step}: fused ${a}, tfjs-layers ${b}`).toBeLessThan(1e-3);
    }
  });
});
