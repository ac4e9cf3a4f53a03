/**
 * Dependency-free JavaScript shipped inside a TensorFlow.js export, so plain TensorFlow.js (browser or
 * Node) can use the model without this app: the tokenizer, and Keras' reset-after GRU layer that
 * tfjs-layers lacks. Kept as text so a bundled app carries them; tests import the written files.
 */

/** `tokenizer.mjs`: `encode(tokenizer, text)` → `Int32Array(maxlen)`, exactly as the app encodes. */
export const TOKENIZER_MJS = `// Encodes review text into the model's input, exactly as RNN Workbench did when it trained it.
// Usage: const ids = encode(JSON.parse(tokenizerJsonText), 'A wonderful film.');
//        model.predict(tf.tensor2d(ids, [1, ids.length], 'int32'))

/** Keras text_to_word_sequence: <br /> to space, lowercase, filter characters to separators, split. */
export function words(tokenizer, text) {
  let s = String(text);
  if (tokenizer.stripHtmlBreaks) s = s.split('<br />').join(' ');
  if (tokenizer.lower) s = s.toLowerCase();
  const separators = new Set();
  for (let i = 0; i < tokenizer.filters.length; i++) separators.add(tokenizer.filters.charCodeAt(i));
  separators.add(tokenizer.split.charCodeAt(0));
  const out = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (separators.has(s.charCodeAt(i))) {
      if (start >= 0) out.push(s.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}

const ranks = new WeakMap();

/** The word's frequency rank (1 = most frequent), or 0 when it is not in the vocabulary. */
function rankOf(tokenizer, word) {
  let map = ranks.get(tokenizer);
  if (map === undefined) {
    map = new Map(tokenizer.words.map((w, i) => [w, i + 1]));
    ranks.set(tokenizer, map);
  }
  return map.get(word) ?? 0;
}

/** The ids of the words, before padding: Keras texts_to_sequences, or imdb.load_data's scheme. */
export function ids(tokenizer, text) {
  const out = [];
  const imdb = tokenizer.scheme === 'keras-imdb';
  if (imdb && tokenizer.startChar !== null) out.push(tokenizer.startChar);
  for (const word of words(tokenizer, text)) {
    const rank = rankOf(tokenizer, word);
    let id;
    if (!imdb) id = rank > 0 && rank < tokenizer.numWords ? rank : -1;
    else {
      id = rank > 0 ? rank + tokenizer.indexFrom : -1;
      if (!(id >= tokenizer.skipTop && id < tokenizer.numWords)) id = tokenizer.oovChar ?? -1;
    }
    if (id >= 0) out.push(id);
  }
  return out;
}

/** Keras pad_sequences(maxlen, padding='pre', truncating='pre'): the last maxlen ids, zeros before. */
export function encode(tokenizer, text) {
  const all = ids(tokenizer, text);
  const kept = all.slice(Math.max(0, all.length - tokenizer.maxlen));
  const out = new Int32Array(tokenizer.maxlen);
  out.set(kept, tokenizer.maxlen - kept.length);
  return out;
}
`;

/**
 * `reset-after-gru.mjs`: registers \`ResetAfterGRU\` (Keras' GRU with reset_after=True) with the
 * caller's TensorFlow.js, for inference. It computes what the app's engine layer computes.
 */
export const RESET_AFTER_GRU_MJS = `// Keras' GRU with reset_after=True (its default), which tfjs-layers' GRU does not support.
// Call registerResetAfterGru(tf) once before tf.loadLayersModel for a model with a GRU layer.
// Inference only: dropout is not applied (as in Keras' predict).
//
// Weights as Keras builds them: kernel [features, 3*units], recurrent_kernel [units, 3*units],
// bias [2, 3*units] (row 0 input bias, row 1 recurrent bias); gates in the order z, r, h:
//   z = sigma(x.Wz + bz + h.Uz + b'z); r = sigma(x.Wr + br + h.Ur + b'r)
//   hh = tanh(x.Wh + bh + r * (h.Uh + b'h)); h' = z * h + (1 - z) * hh

export function registerResetAfterGru(tf) {
  const map = tf.serialization.SerializationMap.getMap().classNameMap;
  if (map.ResetAfterGRU !== undefined) return;

  function initializer(config, fallback) {
    if (config === undefined || config === null) return fallback;
    const entry = map[config.className];
    return entry === undefined ? fallback : entry[1](entry[0], config.config ?? {});
  }

  class ResetAfterGRUCell extends tf.layers.Layer {
    constructor(args) {
      super(args);
      this.units = args.units;
      this.stateSize = args.units;
      this.useBias = args.useBias ?? true;
      this.activationName = args.activation ?? 'tanh';
      this.recurrentActivationName = args.recurrentActivation ?? 'sigmoid';
      this.activationFn = tf.layers.activation({ activation: this.activationName });
      this.recurrentActivationFn = tf.layers.activation({ activation: this.recurrentActivationName });
      this.kernelInitializer = initializer(args.kernelInitializer, tf.initializers.glorotUniform({}));
      this.recurrentInitializer = initializer(args.recurrentInitializer, tf.initializers.orthogonal({ gain: 1 }));
      this.biasInitializer = initializer(args.biasInitializer, tf.initializers.zeros());
    }

    build(inputShape) {
      const shape = Array.isArray(inputShape[0]) ? inputShape[0] : inputShape;
      const features = shape[shape.length - 1];
      this.kernel = this.addWeight('kernel', [features, 3 * this.units], 'float32', this.kernelInitializer);
      this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, 3 * this.units], 'float32', this.recurrentInitializer);
      if (this.useBias) this.bias = this.addWeight('bias', [2, 3 * this.units], 'float32', this.biasInitializer);
      this.built = true;
    }

    call(inputs) {
      return tf.tidy(() => {
        const [x, h] = inputs;
        let matrixX = tf.matMul(x, this.kernel.read());
        let matrixInner = tf.matMul(h, this.recurrentKernel.read());
        if (this.bias !== undefined) {
          const [inputBias, recurrentBias] = tf.unstack(this.bias.read());
          matrixX = tf.add(matrixX, inputBias);
          matrixInner = tf.add(matrixInner, recurrentBias);
        }
        const [xZ, xR, xH] = tf.split(matrixX, 3, -1);
        const [hZ, hR, hH] = tf.split(matrixInner, 3, -1);
        const z = this.recurrentActivationFn.apply(tf.add(xZ, hZ));
        const r = this.recurrentActivationFn.apply(tf.add(xR, hR));
        const candidate = this.activationFn.apply(tf.add(xH, tf.mul(r, hH)));
        const next = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), candidate));
        return [next, next];
      });
    }

    getConfig() {
      return {
        ...super.getConfig(),
        units: this.units,
        activation: this.activationName,
        recurrentActivation: this.recurrentActivationName,
        useBias: this.useBias,
        resetAfter: true,
      };
    }
  }
  ResetAfterGRUCell.className = 'ResetAfterGRUCell';

  class ResetAfterGRU extends tf.RNN {
    constructor(args) {
      super({ ...args, cell: new ResetAfterGRUCell(args) });
    }

    call(inputs, kwargs) {
      return tf.tidy(() =>
        super.call(inputs, { mask: kwargs?.mask ?? null, training: kwargs?.training ?? null, initialState: kwargs?.initialState ?? null }),
      );
    }

    static fromConfig(cls, config) {
      return new cls(config);
    }
  }
  ResetAfterGRU.className = 'ResetAfterGRU';

  tf.serialization.registerClass(ResetAfterGRUCell);
  tf.serialization.registerClass(ResetAfterGRU);
}
`;
