/**
 * `predict.py`: the model rebuilt in Keras code, layer by layer as the Keras book writes it, loading
 * the trained weights from `model.h5` and encoding text with `tokenizer.json` exactly as the app does.
 */
import { WorkbenchError } from '../../src-shared/errors';
import { analyzeStack, getLayerKind, wrappedLayer, type LayerSpec } from '../../src-shared/model';

/** A Python literal for a JSON-like value. */
export function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new WorkbenchError('bad_input', `Python literals must be finite numbers. Received: ${value}`);
    return String(value);
  }
  // A JSON string is a valid Python string literal once non-ASCII is escaped the same way.
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${pythonLiteral(k)}: ${pythonLiteral(v)}`)
    .join(', ')}}`;
}

/** `layers.LSTM(32, return_sequences=True)`: positional arguments, then options that differ from Keras' defaults. */
function constructorCall(kind: string, options: Record<string, unknown>): string {
  const layerKind = getLayerKind(kind);
  if (layerKind === undefined) throw new WorkbenchError('bad_input', `Layer kind must be one of the app's kinds. Received: ${kind}`);
  const defaults = layerKind.optionsSchema.parse({}) as Record<string, unknown>;
  const first = layerKind.keras.positional;
  const wrapped = wrappedLayer({ kind, options });
  // A wrapper's layer is itself a constructor call: Bidirectional(LSTM(32)).
  const args = first.map((key) => (wrapped !== undefined && key === 'layer' ? constructorCall(wrapped.kind, wrapped.options) : pythonLiteral(options[key])));
  for (const [key, value] of Object.entries(options)) {
    if (first.includes(key) || key === 'input_length') continue;
    if (JSON.stringify(value) === JSON.stringify(defaults[key])) continue;
    args.push(`${key}=${pythonLiteral(value)}`);
  }
  return `layers.${kind}(${args.join(', ')})`;
}

/**
 * The script's text.
 *
 * Args:
 *   stack: the model spec (must be valid).
 *   maxlen: the input length.
 *   title: one line naming the run, for the docstring.
 */
export function pythonScript(stack: readonly LayerSpec[], maxlen: number, title: string): string {
  const analysis = analyzeStack(stack, { maxlen });
  if (analysis.issues.length > 0) {
    throw new WorkbenchError('bad_input', `The model spec must be valid to write a Python script. Received: ${analysis.issues[0]!.message}`);
  }
  const adds = analysis.layers.map((layer) => `    model.add(${constructorCall(layer.spec.kind, layer.options!)})`).join('\n');
  return `"""${title.replace(/"""/g, "'''")}

Rebuilds the model RNN Workbench trained, in Keras code, loads its weights from model.h5 and
predicts the sentiment of a review. The text is encoded with tokenizer.json exactly as the app
encoded its training data: the same word index, filters, lowercasing, id offsets and padding.

    python predict.py "This movie was a wonderful surprise."
    python predict.py --ids "This movie was a wonderful surprise."   # the model input only; needs no TensorFlow

Several reviews give one line each.

Needs TensorFlow 2 (Keras 2 or 3) for predicting; the --ids mode needs only Python 3.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MAXLEN = ${maxlen}


def load_tokenizer(path=os.path.join(HERE, "tokenizer.json")):
    with open(path, encoding="utf-8") as f:
        tokenizer = json.load(f)
    tokenizer["rank"] = {word: i + 1 for i, word in enumerate(tokenizer["words"])}
    return tokenizer


def text_to_word_sequence(tokenizer, text):
    """Keras' text_to_word_sequence, after the app's <br /> clean-up."""
    if tokenizer["stripHtmlBreaks"]:
        text = text.replace("<br />", " ")
    if tokenizer["lower"]:
        text = text.lower()
    split = tokenizer["split"]
    text = text.translate(str.maketrans(tokenizer["filters"], split * len(tokenizer["filters"])))
    return [word for word in text.split(split) if word]


def text_to_ids(tokenizer, text):
    """Keras' texts_to_sequences (scheme keras-tokenizer) or imdb.load_data's ids (keras-imdb)."""
    imdb = tokenizer["scheme"] == "keras-imdb"
    ids = [tokenizer["startChar"]] if imdb and tokenizer["startChar"] is not None else []
    for word in text_to_word_sequence(tokenizer, text):
        rank = tokenizer["rank"].get(word, 0)
        if not imdb:
            i = rank if 0 < rank < tokenizer["numWords"] else -1
        else:
            i = rank + tokenizer["indexFrom"] if rank > 0 else -1
            if not tokenizer["skipTop"] <= i < tokenizer["numWords"]:
                i = tokenizer["oovChar"] if tokenizer["oovChar"] is not None else -1
        if i >= 0:
            ids.append(i)
    return ids


def pad_sequence(ids, maxlen=MAXLEN):
    """pad_sequences(maxlen, padding='pre', truncating='pre') for one sequence."""
    ids = ids[-maxlen:]
    return [0] * (maxlen - len(ids)) + ids


def build_model():
    from tensorflow import keras
    from tensorflow.keras import layers

    model = keras.Sequential()
    model.add(keras.Input(shape=(MAXLEN,)))
${adds}
    return model


def main(argv):
    ids_only = "--ids" in argv
    texts = [a for a in argv if a != "--ids"]
    if not texts:
        sys.exit('usage: python predict.py [--ids] "review text" ["another review" ...]')
    tokenizer = load_tokenizer()
    x = [pad_sequence(text_to_ids(tokenizer, text)) for text in texts]
    if ids_only:
        for ids in x:
            print(json.dumps(ids))
        return
    import numpy as np

    model = build_model()
    model.load_weights(os.path.join(HERE, "model.h5"))
    for probability in model.predict(np.array(x, dtype="int32"), verbose=0)[:, 0]:
        probability = float(probability)
        print(json.dumps({"label": "positive" if probability > 0.5 else "negative", "probability": probability}))


if __name__ == "__main__":
    main(sys.argv[1:])
`;
}
