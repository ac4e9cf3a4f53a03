"""An independent reference forward pass of a Keras model file, written from Keras' equations in numpy
(float64), reading the file with h5py. It shares no code with the app: the tests compare the app's
outputs with these.

Usage: python3 keras_reference.py MODEL (.h5 | .keras) IDS.json [ARCH.json]
Prints {"outputs": [[...], ...], "totalParams": N}: the last layer's output per row of ids, and the
number of weight values the file holds (optimizer state excluded).
"""
import io
import json
import re
import sys
import zipfile

import h5py
import numpy as np


def snake(name):
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def activation(name, keras3):
    name = name or "linear"
    if name == "linear":
        return lambda x: x
    if name == "relu":
        return lambda x: np.maximum(x, 0)
    if name == "sigmoid":
        return lambda x: 1 / (1 + np.exp(-x))
    if name == "tanh":
        return np.tanh
    if name == "hard_sigmoid":
        # Keras 2: clip(0.2x + 0.5); Keras 3: clip(x / 6 + 0.5).
        return (lambda x: np.clip(x / 6 + 0.5, 0, 1)) if keras3 else (lambda x: np.clip(0.2 * x + 0.5, 0, 1))
    if name == "softmax":
        def softmax(x):
            e = np.exp(x - x.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
        return softmax
    if name == "elu":
        return lambda x: np.where(x > 0, x, np.expm1(x))
    if name == "selu":
        return lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x))
    if name == "softplus":
        return lambda x: np.logaddexp(x, 0)
    if name == "softsign":
        return lambda x: x / (1 + np.abs(x))
    if name in ("swish", "silu"):
        return lambda x: x / (1 + np.exp(-x))
    raise ValueError("activation " + name)


def run_rnn(kind, cfg, weights, x, mask, keras3, go_backwards=None):
    """x: (batch, time, features); mask: (batch, time) bools or None. Keras' RNN loop."""
    units = cfg["units"]
    act = activation(cfg.get("activation", "tanh"), keras3)
    rec = activation(cfg.get("recurrent_activation", "sigmoid" if keras3 else "hard_sigmoid"), keras3) if kind != "SimpleRNN" else None
    use_bias = cfg.get("use_bias", True)
    kernel, recurrent = weights[0].astype(np.float64), weights[1].astype(np.float64)
    bias = weights[2].astype(np.float64) if use_bias else None
    backwards = cfg.get("go_backwards", False) if go_backwards is None else go_backwards
    if backwards:
        x = x[:, ::-1]
        mask = None if mask is None else mask[:, ::-1]
    batch, steps, _ = x.shape
    h = np.zeros((batch, units))
    c = np.zeros((batch, units))
    outputs = []
    last_output = np.zeros((batch, units))
    reset_after = cfg.get("reset_after", keras3 or True) if kind == "GRU" else None
    for t in range(steps):
        xt = x[:, t]
        if kind == "SimpleRNN":
            new_h = act(xt @ kernel + h @ recurrent + (bias if use_bias else 0))
            new_c = c
        elif kind == "LSTM":
            z = xt @ kernel + h @ recurrent + (bias if use_bias else 0)
            i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))
            i, f, o = rec(i), rec(f), rec(o)
            new_c = f * c + i * act(g)
            new_h = o * act(new_c)
        else:  # GRU, gates z, r, h
            if reset_after:
                b_in, b_rec = (bias[0], bias[1]) if use_bias else (0, 0)
                mx = xt @ kernel + b_in
                mh = h @ recurrent + b_rec
                z = rec(mx[:, :units] + mh[:, :units])
                r = rec(mx[:, units:2 * units] + mh[:, units:2 * units])
                hh = act(mx[:, 2 * units:] + r * mh[:, 2 * units:])
            else:
                b = bias if use_bias else np.zeros(3 * units)
                mx = xt @ kernel + b
                z = rec(mx[:, :units] + h @ recurrent[:, :units])
                r = rec(mx[:, units:2 * units] + h @ recurrent[:, units:2 * units])
                hh = act(mx[:, 2 * units:] + (r * h) @ recurrent[:, 2 * units:])
            new_h = z * h + (1 - z) * hh
            new_c = c
        if mask is not None:
            m = mask[:, t][:, None]
            new_h = np.where(m, new_h, h)
            new_c = np.where(m, new_c, c)
            out = np.where(m, new_h, last_output)
        else:
            out = new_h
        h, c, last_output = new_h, new_c, out
        outputs.append(out)
    if cfg.get("return_sequences", False):
        return np.stack(outputs, axis=1)
    return last_output


def from_cudnn(kind, cfg, weights):
    """CuDNNLSTM / CuDNNGRU as Keras 2's HDF5 loader converts them (_convert_rnn_weights): the plain layer, its
    config with cuDNN's fixed activations, and its weights per gate re-read from cuDNN's layout."""
    kernel, recurrent, bias = (np.asarray(w) for w in weights)
    gates = 4 if kind == "CuDNNLSTM" else 3
    kernel = np.hstack([k.T.reshape(k.shape, order="F") for k in np.hsplit(kernel, gates)])
    recurrent = np.hstack([k.T for k in np.hsplit(recurrent, gates)])
    bias = np.sum(np.split(bias, 2), axis=0) if gates == 4 else bias.reshape((2, -1))
    cfg = dict(cfg, activation="tanh", recurrent_activation="sigmoid", reset_after=True)
    return ("LSTM" if gates == 4 else "GRU"), cfg, [kernel, recurrent, bias]


def conv_length(length, size, padding, stride, dilation=1):
    size = size + (size - 1) * (dilation - 1)
    out = length - size + 1 if padding == "valid" else length
    return (out + stride - 1) // stride


def one(value):
    return value[0] if isinstance(value, (list, tuple)) else value


def forward(layers, weights, ids, keras3):
    x = ids
    mask = None
    for (cls, cfg), w in zip(layers, weights):
        if cls == "Embedding":
            x = w[0].astype(np.float64)[ids]
            mask = ids != 0 if cfg.get("mask_zero") else None
        elif cls in ("CuDNNLSTM", "CuDNNGRU"):
            kind, plain, w = from_cudnn(cls, cfg, w)
            x = run_rnn(kind, plain, w, x, mask, keras3)
            mask = mask if cfg.get("return_sequences") else None
        elif cls in ("SimpleRNN", "LSTM", "GRU"):
            x = run_rnn(cls, cfg, w, x, mask, keras3)
            mask = mask if cfg.get("return_sequences") else None
        elif cls == "Bidirectional":
            inner = cfg["layer"]
            kind, icfg = inner["class_name"], inner["config"]
            n = len(w) // 2
            wf, wb = w[:n], w[n:]
            if kind in ("CuDNNLSTM", "CuDNNGRU"):
                (kind, icfg, wf), (_, _, wb) = from_cudnn(kind, icfg, wf), from_cudnn(kind, icfg, wb)
            fwd = run_rnn(kind, icfg, wf, x, mask, keras3)
            bwd = run_rnn(kind, icfg, wb, x, mask, keras3, go_backwards=not icfg.get("go_backwards", False))
            if icfg.get("return_sequences"):
                bwd = bwd[:, ::-1]
            mode = cfg.get("merge_mode", "concat")
            x = {"concat": lambda: np.concatenate([fwd, bwd], axis=-1), "sum": lambda: fwd + bwd, "mul": lambda: fwd * bwd, "ave": lambda: (fwd + bwd) / 2}[mode]()
            mask = mask if icfg.get("return_sequences") else None
        elif cls == "Dense":
            x = activation(cfg.get("activation"), keras3)(x @ w[0].astype(np.float64) + (w[1].astype(np.float64) if cfg.get("use_bias", True) else 0))
        elif cls == "Activation":
            x = activation(cfg.get("activation"), keras3)(x)
        elif cls in ("Dropout", "SpatialDropout1D"):
            pass
        elif cls == "Conv1D":
            kernel = w[0].astype(np.float64)
            size, stride, dilation = one(cfg["kernel_size"]), one(cfg.get("strides", 1)), one(cfg.get("dilation_rate", 1))
            padding = cfg.get("padding", "valid")
            if padding == "same":
                span = (size - 1) * dilation
                x = np.pad(x, ((0, 0), (span // 2, span - span // 2), (0, 0)))
            elif padding == "causal":
                x = np.pad(x, ((0, 0), ((size - 1) * dilation, 0), (0, 0)))
            steps = (x.shape[1] - (size - 1) * dilation - 1) // stride + 1
            out = np.zeros((x.shape[0], steps, kernel.shape[2]))
            for t in range(steps):
                for k in range(size):
                    out[:, t] += x[:, t * stride + k * dilation] @ kernel[k]
            if cfg.get("use_bias", True):
                out += w[1].astype(np.float64)
            x = activation(cfg.get("activation"), keras3)(out)
            mask = None
        elif cls in ("MaxPooling1D", "MaxPool1D"):
            size = one(cfg.get("pool_size", 2))
            stride = one(cfg.get("strides")) or size
            padding = cfg.get("padding", "valid")
            steps = conv_length(x.shape[1], size, padding, stride)
            if padding == "same":
                total = max((steps - 1) * stride + size - x.shape[1], 0)
                x = np.pad(x, ((0, 0), (total // 2, total - total // 2), (0, 0)), constant_values=-np.inf)
            x = np.stack([x[:, t * stride:t * stride + size].max(axis=1) for t in range(steps)], axis=1)
            mask = None
        elif cls in ("GlobalMaxPooling1D", "GlobalMaxPool1D"):
            x = x.max(axis=1)
            mask = None
        elif cls in ("GlobalAveragePooling1D", "GlobalAvgPool1D"):
            if mask is not None:
                m = mask[:, :, None].astype(np.float64)
                x = (x * m).sum(axis=1) / m.sum(axis=1)
            else:
                x = x.mean(axis=1)
            mask = None
        elif cls == "Flatten":
            x = x.reshape(x.shape[0], -1)
        else:
            raise ValueError("layer class " + cls)
    return x


def main():
    path, ids_path = sys.argv[1], sys.argv[2]
    arch = sys.argv[3] if len(sys.argv) > 3 else None
    ids = np.array(json.load(open(ids_path)), dtype=np.int64)
    if path.endswith(".keras"):
        z = zipfile.ZipFile(path)
        config = json.loads(z.read("config.json"))
        keras3 = True
        h5 = h5py.File(io.BytesIO(z.read("model.weights.h5")), "r")
        model_layers = [l for l in config["config"]["layers"] if l["class_name"] != "InputLayer"]
        counters, weights = {}, []
        for layer in model_layers:
            base = snake(layer["class_name"])
            name = base if base not in counters else "%s_%d" % (base, counters[base] + 1)
            counters[base] = counters.get(base, -1) + 1
            group = h5["layers"][name]

            def var_list(g):
                if "vars" not in g:
                    return []
                return [g["vars"][k][()] for k in sorted(g["vars"].keys(), key=int)]

            def with_cell(g):
                return var_list(g) + (var_list(g["cell"]) if "cell" in g else [])

            if layer["class_name"] == "Bidirectional":
                weights.append(with_cell(group["forward_layer"]) + with_cell(group["backward_layer"]))
            else:
                weights.append(with_cell(group))
        total = 0

        def count(_name, obj):
            nonlocal total
            if isinstance(obj, h5py.Dataset):
                total += obj.size

        h5["layers"].visititems(count)
    else:
        h5 = h5py.File(path, "r")
        config = json.load(open(arch)) if arch else json.loads(text(h5.attrs["model_config"]))
        root = h5["model_weights"] if "model_weights" in h5 else h5
        version = text(h5.attrs.get("keras_version", root.attrs.get("keras_version", "2")))
        keras3 = int(version.split(".")[0]) >= 3
        layers_cfg = config["config"] if isinstance(config["config"], list) else config["config"]["layers"]
        model_layers = [l for l in layers_cfg if l["class_name"] != "InputLayer"]
        by_name = {}
        total = 0
        for name in [text(n) for n in root.attrs["layer_names"]]:
            weight_names = [text(n) for n in root[name].attrs["weight_names"]]
            by_name[name] = [root[name][wn][()] for wn in weight_names]
            total += sum(v.size for v in by_name[name])
        weights = [by_name.get(l["config"]["name"], []) for l in model_layers]
    layers = [(l["class_name"], l["config"]) for l in model_layers]
    out = forward(layers, weights, ids, keras3)
    print(json.dumps({"outputs": out.reshape(out.shape[0], -1).tolist(), "totalParams": int(total)}))


main()
