/**
 * The Python sources of a torch-job export, kept as text so a bundled app carries them (as
 * standalone.ts keeps the JavaScript of a tfjs export): `rnnwb.py` (the layers, Keras' weight layout,
 * the app's tokenization and data reading) and `train.py` (the DistributedDataParallel job).
 * `model.py`, which builds the run's own stack from these layers, is written per run by torch-job.ts.
 */
import type { Activation } from '../../src-shared/model';

/**
 * Each activation the app's layers take, as PyTorch computes it (tfjs' and Keras' definitions: elu
 * with alpha 1, selu's constants, swish = x * sigmoid(x), softmax over the last axis, Keras 2's
 * hard_sigmoid clip(0.2x + 0.5, 0, 1)).
 */
const pythonActivations: Record<Activation, string> = {
  linear: 'lambda x: x',
  relu: 'torch.relu',
  sigmoid: 'torch.sigmoid',
  tanh: 'torch.tanh',
  softmax: 'lambda x: torch.softmax(x, dim=-1)',
  elu: 'F.elu',
  selu: 'F.selu',
  softplus: 'F.softplus',
  softsign: 'F.softsign',
  swish: 'lambda x: x * torch.sigmoid(x)',
  hard_sigmoid: 'lambda x: torch.clamp(0.2 * x + 0.5, 0.0, 1.0)',
  hard_sigmoid_k3: 'lambda x: torch.clamp(x / 6 + 0.5, 0.0, 1.0)',
};

const RNNWB_TEMPLATE = String.raw`"""RNN Workbench's layers in PyTorch, Keras' weight layout in and out, and the app's data pipeline.

Written by RNN Workbench into every torch-job export; model.py builds the run's model from these
classes and train.py trains it. Each layer computes what the app's layer computes (Keras' equations):
where a native PyTorch module computes exactly that (nn.LSTM, nn.GRU for reset_after=True, nn.RNN with
tanh or relu, no dropout, no padding mask) it runs that module; otherwise a step loop over the same
parameters does. Parameters keep PyTorch's layout; keras_weights()/set_keras_weights() convert.
"""
import csv
import io
import json
import math
import os
import pickle
import re
import tarfile
import zipfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# The oldest PyTorch this job runs on: torchrun, DistributedSampler.set_epoch and
# dist.broadcast_object_list are all there from 1.10.
MIN_TORCH = (1, 10)


def require_torch(version):
    """Stops with a clear message when "version" (torch.__version__) is older than MIN_TORCH."""
    match = re.match(r"(\d+)\.(\d+)", version)
    if match is None or (int(match.group(1)), int(match.group(2))) < MIN_TORCH:
        raise SystemExit(
            "train.py needs PyTorch %d.%d or newer (torchrun, DistributedSampler, broadcast_object_list). Received: torch %s"
            % (MIN_TORCH[0], MIN_TORCH[1], version)
        )


ACTIVATIONS = {
__ACTIVATIONS__
}

# The activations for which a native PyTorch module computes Keras' cell exactly.
NATIVE_RNN_NONLINEARITY = ("tanh", "relu")


def activation(name):
    if name not in ACTIVATIONS:
        raise ValueError("activation must be one of %s. Received: %r" % (", ".join(sorted(ACTIVATIONS)), name))
    return ACTIVATIONS[name]


def glorot_uniform_(tensor, fan_in, fan_out):
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-limit, limit)
    return tensor


def _keras_init(shape, kind):
    """A fresh tensor in Keras' layout drawn as Keras' default initializer "kind" draws it."""
    t = torch.empty(*shape)
    if kind == "zeros":
        return t.zero_()
    if kind == "uniform":
        return t.uniform_(-0.05, 0.05)
    if kind == "orthogonal":
        return nn.init.orthogonal_(t)
    # glorot_uniform: Keras' fans of a (…, in, out) kernel count the receptive field.
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return glorot_uniform_(t, shape[-2] * receptive, shape[-1] * receptive)


def _np(t):
    return t.detach().cpu().numpy().astype(np.float32)


def _assign(param, value):
    with torch.no_grad():
        param.copy_(torch.as_tensor(np.asarray(value, dtype=np.float32), device=param.device).reshape(param.shape))


def _check_shapes(layer, arrays, expected):
    got = [tuple(np.shape(a)) for a in arrays]
    want = [tuple(s) for s in expected]
    if got != want:
        raise ValueError("%s: expected Keras weights of shapes %s. Received: %s" % (layer, want, got))


class KerasLayer(nn.Module):
    """A layer with Keras' name, its Keras weight shapes, and forward(x, mask) -> (y, mask)."""

    def __init__(self, name, trainable=True):
        super().__init__()
        self.keras_name = name
        self.trainable = trainable

    def keras_shapes(self):
        return []

    def keras_weights(self):
        return []

    def set_keras_weights(self, arrays):
        _check_shapes(self.keras_name, arrays, self.keras_shapes())

    def keras_init(self):
        """Draws fresh weights as Keras' default initializers do."""

    def freeze_if_untrainable(self):
        if not self.trainable:
            for p in self.parameters():
                p.requires_grad_(False)


class Embedding(KerasLayer):
    def __init__(self, name, input_dim, output_dim, mask_zero=False, trainable=True):
        super().__init__(name, trainable)
        self.embedding = nn.Embedding(input_dim, output_dim)
        self.mask_zero = mask_zero

    def forward(self, ids, mask=None):
        return self.embedding(ids), (ids != 0) if self.mask_zero else None

    def keras_shapes(self):
        return [tuple(self.embedding.weight.shape)]

    def keras_weights(self):
        return [_np(self.embedding.weight)]

    def set_keras_weights(self, arrays):
        super().set_keras_weights(arrays)
        _assign(self.embedding.weight, arrays[0])

    def keras_init(self):
        self.set_keras_weights([_keras_init(self.keras_shapes()[0], "uniform").numpy()])


class Dense(KerasLayer):
    def __init__(self, name, input_dim, units, activation="linear", use_bias=True, trainable=True):
        super().__init__(name, trainable)
        self.linear = nn.Linear(input_dim, units, bias=use_bias)
        self.activation = activation

    def forward(self, x, mask=None):
        return ACTIVATIONS[self.activation](self.linear(x)), mask

    def keras_shapes(self):
        out, inp = self.linear.weight.shape
        return [(inp, out)] + ([(out,)] if self.linear.bias is not None else [])

    def keras_weights(self):
        return [_np(self.linear.weight).T] + ([_np(self.linear.bias)] if self.linear.bias is not None else [])

    def set_keras_weights(self, arrays):
        super().set_keras_weights(arrays)
        _assign(self.linear.weight, np.asarray(arrays[0]).T)
        if self.linear.bias is not None:
            _assign(self.linear.bias, arrays[1])

    def keras_init(self):
        shapes = self.keras_shapes()
        self.set_keras_weights([_keras_init(shapes[0], "glorot_uniform").numpy()] + [np.zeros(s, np.float32) for s in shapes[1:]])


class Activation(KerasLayer):
    def __init__(self, name, activation):
        super().__init__(name)
        self.activation = activation

    def forward(self, x, mask=None):
        return ACTIVATIONS[self.activation](x), mask


class Dropout(KerasLayer):
    def __init__(self, name, rate):
        super().__init__(name)
        self.rate = rate

    def forward(self, x, mask=None):
        return F.dropout(x, self.rate, self.training), mask


class SpatialDropout1D(KerasLayer):
    """Drops whole feature channels, the same ones at every step."""

    def __init__(self, name, rate):
        super().__init__(name)
        self.rate = rate

    def forward(self, x, mask=None):
        if not self.training or self.rate == 0:
            return x, mask
        keep = torch.bernoulli(torch.full((x.shape[0], 1, x.shape[2]), 1 - self.rate, device=x.device))
        return x * keep / (1 - self.rate), mask


def _same_padding(length, size, stride, dilation):
    """TensorFlow's 'same' padding (left, right) for one dimension."""
    dilated = (size - 1) * dilation + 1
    out = (length + stride - 1) // stride
    total = max((out - 1) * stride + dilated - length, 0)
    return total // 2, total - total // 2


class Conv1D(KerasLayer):
    def __init__(self, name, input_dim, filters, kernel_size, strides=1, padding="valid", dilation_rate=1, activation="linear", use_bias=True, trainable=True):
        super().__init__(name, trainable)
        self.conv = nn.Conv1d(input_dim, filters, kernel_size, stride=strides, dilation=dilation_rate, bias=use_bias)
        self.padding = padding
        self.activation = activation

    def forward(self, x, mask=None):
        x = x.transpose(1, 2)
        if self.padding == "same":
            x = F.pad(x, _same_padding(x.shape[2], self.conv.kernel_size[0], self.conv.stride[0], self.conv.dilation[0]))
        return ACTIVATIONS[self.activation](self.conv(x).transpose(1, 2)), None

    def keras_shapes(self):
        filters, inp, size = self.conv.weight.shape
        return [(size, inp, filters)] + ([(filters,)] if self.conv.bias is not None else [])

    def keras_weights(self):
        return [_np(self.conv.weight).transpose(2, 1, 0)] + ([_np(self.conv.bias)] if self.conv.bias is not None else [])

    def set_keras_weights(self, arrays):
        super().set_keras_weights(arrays)
        _assign(self.conv.weight, np.asarray(arrays[0]).transpose(2, 1, 0))
        if self.conv.bias is not None:
            _assign(self.conv.bias, arrays[1])

    def keras_init(self):
        shapes = self.keras_shapes()
        self.set_keras_weights([_keras_init(shapes[0], "glorot_uniform").numpy()] + [np.zeros(s, np.float32) for s in shapes[1:]])


class MaxPooling1D(KerasLayer):
    def __init__(self, name, pool_size, strides=None, padding="valid"):
        super().__init__(name)
        self.pool_size = pool_size
        self.strides = strides or pool_size
        self.padding = padding

    def forward(self, x, mask=None):
        x = x.transpose(1, 2)
        if self.padding == "same":
            # Padded positions never win the max, as in TensorFlow.
            x = F.pad(x, _same_padding(x.shape[2], self.pool_size, self.strides, 1), value=float("-inf"))
        return F.max_pool1d(x, self.pool_size, self.strides).transpose(1, 2), None


class GlobalMaxPooling1D(KerasLayer):
    def forward(self, x, mask=None):
        return x.max(dim=1).values, None


class GlobalAveragePooling1D(KerasLayer):
    def forward(self, x, mask=None):
        return x.mean(dim=1), None


class Flatten(KerasLayer):
    def forward(self, x, mask=None):
        return x.reshape(x.shape[0], -1), None


def _dropout_masks(x, rate, count, training):
    """Keras' per-gate dropout masks, the same at every step of the sequence, or None."""
    if not training or rate == 0:
        return None
    keep = torch.full((count,) + tuple(x.shape), 1 - rate, device=x.device)
    return torch.bernoulli(keep) / (1 - rate)


def _gate_matmul(x, weight, gates, masks):
    """x @ weight for "gates" column blocks of weight, each with its own dropout mask on x."""
    if masks is None:
        return x @ weight
    blocks = weight.chunk(gates, dim=1)
    if x.dim() == 3:
        return torch.cat([(x * masks[g].unsqueeze(1)) @ blocks[g] for g in range(gates)], dim=-1)
    return torch.cat([(x * masks[g]) @ blocks[g] for g in range(gates)], dim=-1)


class Recurrent(KerasLayer):
    """What SimpleRNN, LSTM and GRU share: masking, go_backwards, dropout and the choice of native module."""

    gates = 1

    def __init__(self, name, input_dim, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True, return_sequences=False, go_backwards=False, dropout=0.0, recurrent_dropout=0.0, trainable=True):
        super().__init__(name, trainable)
        self.input_dim = input_dim
        self.units = units
        self.activation = activation
        self.recurrent_activation = recurrent_activation
        self.use_bias = use_bias
        self.return_sequences = return_sequences
        self.go_backwards = go_backwards
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout

    def native_ok(self):
        """Whether the native module computes this layer exactly (before looking at the mask)."""
        return self.dropout == 0 and self.recurrent_dropout == 0

    def forward(self, x, mask=None):
        if self.go_backwards:
            x = x.flip(1)
            mask = None if mask is None else mask.flip(1)
        if mask is None and self.native_ok():
            out = self.native(x)
        else:
            out = self.loop(x, mask)
        y = out if self.return_sequences else out[:, -1]
        # The mask follows a returned sequence (as Keras' RNN.compute_mask does), unreversed.
        back = None if mask is None or not self.return_sequences else (mask.flip(1) if self.go_backwards else mask)
        return y, back

    def loop(self, x, mask):
        """The step loop: Keras' cell equations on this layer's parameters."""
        kernel, recurrent_kernel, bias_x, bias_h = self.loop_weights()
        batch = x.shape[0]
        in_masks = _dropout_masks(x[:, 0], self.dropout, self.gates, self.training)
        rec_masks = _dropout_masks(x.new_zeros(batch, self.units), self.recurrent_dropout, self.gates, self.training)
        xs = _gate_matmul(x, kernel, self.gates, in_masks)
        if bias_x is not None:
            xs = xs + bias_x
        state = self.initial_state(x)
        outputs = []
        for t in range(x.shape[1]):
            hs = _gate_matmul(state[0], recurrent_kernel, self.gates, rec_masks)
            if bias_h is not None:
                hs = hs + bias_h
            new = self.step(xs[:, t], hs, state)
            if mask is not None:
                keep = mask[:, t].unsqueeze(1)
                new = tuple(torch.where(keep, n, s) for n, s in zip(new, state))
            state = new
            outputs.append(state[0])
        return torch.stack(outputs, dim=1)

    def initial_state(self, x):
        return (x.new_zeros(x.shape[0], self.units),)


class SimpleRNN(Recurrent):
    gates = 1

    def __init__(self, name, input_dim, units, **options):
        super().__init__(name, input_dim, units, **options)
        nonlinearity = self.activation if self.activation in NATIVE_RNN_NONLINEARITY else "tanh"
        self.rnn = nn.RNN(input_dim, units, nonlinearity=nonlinearity, bias=self.use_bias, batch_first=True)
        self._freeze_second_bias()

    def _freeze_second_bias(self):
        # Keras has one bias; PyTorch adds two. The second stays 0 and untrained, so the update of the
        # one bias is Keras' update.
        if self.use_bias:
            with torch.no_grad():
                self.rnn.bias_hh_l0.zero_()
            self.rnn.bias_hh_l0.requires_grad_(False)

    def native_ok(self):
        return super().native_ok() and self.activation in NATIVE_RNN_NONLINEARITY

    def native(self, x):
        return self.rnn(x)[0]

    def loop_weights(self):
        r = self.rnn
        bias = (r.bias_ih_l0 + r.bias_hh_l0) if self.use_bias else None
        return r.weight_ih_l0.t(), r.weight_hh_l0.t(), bias, None

    def step(self, xs, hs, state):
        return (ACTIVATIONS[self.activation](xs + hs),)

    def keras_shapes(self):
        g = self.gates * self.units
        return [(self.input_dim, g), (self.units, g)] + ([(g,)] if self.use_bias else [])

    def keras_weights(self):
        r = self.rnn
        out = [_np(r.weight_ih_l0).T, _np(r.weight_hh_l0).T]
        if self.use_bias:
            out.append(_np(r.bias_ih_l0) + _np(r.bias_hh_l0))
        return out

    def set_keras_weights(self, arrays):
        super().set_keras_weights(arrays)
        r = self.rnn
        _assign(r.weight_ih_l0, np.asarray(arrays[0]).T)
        _assign(r.weight_hh_l0, np.asarray(arrays[1]).T)
        if self.use_bias:
            _assign(r.bias_ih_l0, arrays[2])
            _assign(r.bias_hh_l0, np.zeros(self.gates * self.units, np.float32))

    def keras_init(self):
        shapes = self.keras_shapes()
        arrays = [_keras_init(shapes[0], "glorot_uniform").numpy(), _keras_init(shapes[1], "orthogonal").numpy()]
        if self.use_bias:
            arrays.append(self.initial_bias())
        self.set_keras_weights(arrays)

    def initial_bias(self):
        return np.zeros(self.gates * self.units, np.float32)


class LSTM(SimpleRNN):
    """Keras' LSTM: gates i, f, c, o, in nn.LSTM's order i, f, g, o, so the kernels only transpose."""

    gates = 4

    def __init__(self, name, input_dim, units, unit_forget_bias=True, **options):
        Recurrent.__init__(self, name, input_dim, units, **options)
        self.unit_forget_bias = unit_forget_bias
        self.rnn = nn.LSTM(input_dim, units, bias=self.use_bias, batch_first=True)
        self._freeze_second_bias()

    def native_ok(self):
        return Recurrent.native_ok(self) and self.activation == "tanh" and self.recurrent_activation == "sigmoid"

    def initial_state(self, x):
        zeros = x.new_zeros(x.shape[0], self.units)
        return (zeros, zeros)

    def step(self, xs, hs, state):
        z = xs + hs
        i, f, g, o = z.chunk(4, dim=1)
        act, rec = ACTIVATIONS[self.activation], ACTIVATIONS[self.recurrent_activation]
        c = rec(f) * state[1] + rec(i) * act(g)
        return (rec(o) * act(c), c)

    def initial_bias(self):
        bias = np.zeros(4 * self.units, np.float32)
        if self.unit_forget_bias:
            bias[self.units : 2 * self.units] = 1
        return bias


def _zrh_to_rzn(a, units, axis):
    """Keras' GRU gate blocks z, r, h → PyTorch's r, z, n (and back: the swap is its own inverse)."""
    z, r, h = np.split(np.asarray(a), 3, axis=axis)
    return np.concatenate([r, z, h], axis=axis)


class GRU(Recurrent):
    """Keras' GRU. reset_after=True is nn.GRU (gates r, z, n); reset_after=False has no native module."""

    gates = 3

    def __init__(self, name, input_dim, units, reset_after=True, **options):
        super().__init__(name, input_dim, units, **options)
        self.reset_after = reset_after
        if reset_after:
            self.rnn = nn.GRU(input_dim, units, bias=self.use_bias, batch_first=True)
        else:
            # Keras' own layout: the reset gate multiplies the state before the recurrent kernel.
            self.kernel = nn.Parameter(torch.zeros(input_dim, 3 * units))
            self.recurrent_kernel = nn.Parameter(torch.zeros(units, 3 * units))
            self.bias = nn.Parameter(torch.zeros(3 * units)) if self.use_bias else None

    def native_ok(self):
        return super().native_ok() and self.reset_after and self.activation == "tanh" and self.recurrent_activation == "sigmoid"

    def native(self, x):
        return self.rnn(x)[0]

    def loop_weights(self):
        if not self.reset_after:
            return self.kernel, self.recurrent_kernel, self.bias, None
        r = self.rnn
        # Columns in PyTorch's order r, z, n.
        return r.weight_ih_l0.t(), r.weight_hh_l0.t(), r.bias_ih_l0 if self.use_bias else None, r.bias_hh_l0 if self.use_bias else None

    def loop(self, x, mask):
        if self.reset_after:
            return super().loop(x, mask)
        return self._loop_reset_before(x, mask)

    def step(self, xs, hs, state):
        act, rec = ACTIVATIONS[self.activation], ACTIVATIONS[self.recurrent_activation]
        xr, xz, xn = xs.chunk(3, dim=1)
        hr, hz, hn = hs.chunk(3, dim=1)
        r = rec(xr + hr)
        z = rec(xz + hz)
        n = act(xn + r * hn)
        return (z * state[0] + (1 - z) * n,)

    def _loop_reset_before(self, x, mask):
        act, rec = ACTIVATIONS[self.activation], ACTIVATIONS[self.recurrent_activation]
        batch, units = x.shape[0], self.units
        in_masks = _dropout_masks(x[:, 0], self.dropout, 3, self.training)
        rec_masks = _dropout_masks(x.new_zeros(batch, units), self.recurrent_dropout, 3, self.training)
        xs = _gate_matmul(x, self.kernel, 3, in_masks)
        if self.bias is not None:
            xs = xs + self.bias
        uz, ur, uh = self.recurrent_kernel.chunk(3, dim=1)
        h = x.new_zeros(batch, units)
        outputs = []
        for t in range(x.shape[1]):
            xz, xr, xh = xs[:, t].chunk(3, dim=1)
            hz_in = h if rec_masks is None else h * rec_masks[0]
            hr_in = h if rec_masks is None else h * rec_masks[1]
            hh_in = h if rec_masks is None else h * rec_masks[2]
            z = rec(xz + hz_in @ uz)
            r = rec(xr + hr_in @ ur)
            hh = act(xh + (r * hh_in) @ uh)
            new = z * h + (1 - z) * hh
            if mask is not None:
                new = torch.where(mask[:, t].unsqueeze(1), new, h)
            h = new
            outputs.append(h)
        return torch.stack(outputs, dim=1)

    def keras_shapes(self):
        g = 3 * self.units
        bias = [((2, g) if self.reset_after else (g,))] if self.use_bias else []
        return [(self.input_dim, g), (self.units, g)] + bias

    def keras_weights(self):
        u = self.units
        if not self.reset_after:
            return [_np(self.kernel), _np(self.recurrent_kernel)] + ([_np(self.bias)] if self.use_bias else [])
        r = self.rnn
        out = [_zrh_to_rzn(_np(r.weight_ih_l0).T, u, 1), _zrh_to_rzn(_np(r.weight_hh_l0).T, u, 1)]
        if self.use_bias:
            out.append(np.stack([_zrh_to_rzn(_np(r.bias_ih_l0), u, 0), _zrh_to_rzn(_np(r.bias_hh_l0), u, 0)]))
        return out

    def set_keras_weights(self, arrays):
        super().set_keras_weights(arrays)
        u = self.units
        if not self.reset_after:
            _assign(self.kernel, arrays[0])
            _assign(self.recurrent_kernel, arrays[1])
            if self.use_bias:
                _assign(self.bias, arrays[2])
            return
        r = self.rnn
        _assign(r.weight_ih_l0, _zrh_to_rzn(arrays[0], u, 1).T)
        _assign(r.weight_hh_l0, _zrh_to_rzn(arrays[1], u, 1).T)
        if self.use_bias:
            _assign(r.bias_ih_l0, _zrh_to_rzn(arrays[2][0], u, 0))
            _assign(r.bias_hh_l0, _zrh_to_rzn(arrays[2][1], u, 0))

    def keras_init(self):
        shapes = self.keras_shapes()
        arrays = [_keras_init(shapes[0], "glorot_uniform").numpy(), _keras_init(shapes[1], "orthogonal").numpy()]
        arrays += [np.zeros(s, np.float32) for s in shapes[2:]]
        self.set_keras_weights(arrays)


class Bidirectional(KerasLayer):
    """Keras' Bidirectional: the layer forwards and a copy with go_backwards flipped, outputs merged."""

    def __init__(self, name, forward_layer, backward_layer, merge_mode="concat", trainable=True):
        super().__init__(name, trainable)
        self.forward_layer = forward_layer
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode

    def forward(self, x, mask=None):
        y, out_mask = self.forward_layer(x, mask)
        yb, _ = self.backward_layer(x, mask)
        if self.forward_layer.return_sequences:
            yb = yb.flip(1)
        if self.merge_mode == "concat":
            y = torch.cat([y, yb], dim=-1)
        elif self.merge_mode == "sum":
            y = y + yb
        elif self.merge_mode == "mul":
            y = y * yb
        else:
            y = (y + yb) / 2
        return y, out_mask

    def keras_shapes(self):
        return self.forward_layer.keras_shapes() + self.backward_layer.keras_shapes()

    def keras_weights(self):
        return self.forward_layer.keras_weights() + self.backward_layer.keras_weights()

    def set_keras_weights(self, arrays):
        super().set_keras_weights(arrays)
        n = len(self.forward_layer.keras_shapes())
        self.forward_layer.set_keras_weights(arrays[:n])
        self.backward_layer.set_keras_weights(arrays[n:])

    def keras_init(self):
        self.forward_layer.keras_init()
        self.backward_layer.keras_init()


class Sequential(nn.Module):
    """The stack, first layer first; the padding mask travels with the activations."""

    def __init__(self, layers):
        super().__init__()
        self.layers = nn.ModuleList(layers)
        for layer in layers:
            layer.freeze_if_untrainable()

    def forward(self, ids):
        x, mask = ids, None
        for layer in self.layers:
            x, mask = layer(x, mask)
        return x

    def keras_init(self):
        for layer in self.layers:
            layer.keras_init()

    def keras_weights(self):
        """{keras layer name: [arrays in Keras' order]} for the layers that have weights."""
        return {layer.keras_name: layer.keras_weights() for layer in self.layers if layer.keras_shapes()}

    def set_keras_weights(self, by_layer):
        for layer in self.layers:
            if layer.keras_shapes():
                if layer.keras_name not in by_layer:
                    raise ValueError("expected weights for layer %s. Received: layers %s" % (layer.keras_name, ", ".join(by_layer)))
                layer.set_keras_weights(by_layer[layer.keras_name])


# ---------------------------------------------------------------------------------------------------
# Keras 2 HDF5 files: read the run's weights, write the trained model in the layout the app writes.


def read_keras_weights(path):
    """{layer name: [arrays]} from a Keras 2 .h5 model file (model_weights/<layer>/weight_names)."""
    import h5py

    with h5py.File(path, "r") as f:
        group = f["model_weights"] if "model_weights" in f else f
        names = [n.decode("utf8") if isinstance(n, bytes) else str(n) for n in group.attrs["layer_names"]]
        out = {}
        for name in names:
            layer = group[name]
            weight_names = [n.decode("utf8") if isinstance(n, bytes) else str(n) for n in layer.attrs["weight_names"]]
            out[name] = [np.asarray(layer[w], dtype=np.float32) for w in weight_names]
        return out


def _ascii(values):
    """Fixed-length ASCII strings with one byte for the terminator, as the app (and h5py from Keras) write names."""
    width = max([1] + [len(v) for v in values]) + 1
    return np.array([v.encode("ascii") for v in values], dtype="S%d" % width)


def write_keras_h5(path, layout, weights):
    """Writes the model as the app's own Keras 2 .h5 export lays it out.

    Args:
      layout: job.json's "keras": model_config, keras_version, backend, app_version and per layer its
        name and weight names.
      weights: {layer name: [arrays in Keras' order]}.
    """
    import h5py

    def string_attr(target, name, value):
        target.attrs[name] = np.array(value.encode("ascii"), dtype="S%d" % (len(value) + 1))

    def strings_attr(target, name, values):
        target.attrs[name] = _ascii(values) if values else np.zeros((0,), np.float64)

    with h5py.File(path, "w") as f:
        string_attr(f, "keras_version", layout["keras_version"])
        string_attr(f, "backend", layout["backend"])
        string_attr(f, "model_config", json.dumps(layout["model_config"], separators=(",", ":")))
        string_attr(f, "rnn_workbench_version", layout["app_version"])
        group = f.create_group("model_weights")
        strings_attr(group, "layer_names", [layer["name"] for layer in layout["layers"]])
        string_attr(group, "backend", layout["backend"])
        string_attr(group, "keras_version", layout["keras_version"])
        for layer in layout["layers"]:
            g = group.create_group(layer["name"])
            strings_attr(g, "weight_names", layer["weight_names"])
            arrays = weights.get(layer["name"], [])
            if len(arrays) != len(layer["weight_names"]):
                raise ValueError("%s: expected %d weights. Received: %d" % (layer["name"], len(layer["weight_names"]), len(arrays)))
            for weight_name, array in zip(layer["weight_names"], arrays):
                g.create_dataset(weight_name, data=np.asarray(array, dtype="<f4"))


# ---------------------------------------------------------------------------------------------------
# Text to ids, exactly as the app encodes (Keras' text_to_word_sequence, Tokenizer, imdb.load_data).


class Tokenizer:
    def __init__(self, spec):
        self.spec = spec
        self.rank = {word: i + 1 for i, word in enumerate(spec["words"] or [])}
        self.table = str.maketrans(spec["filters"], spec["split"] * len(spec["filters"]))

    def words(self, text):
        s = self.spec
        if s["stripHtmlBreaks"]:
            text = text.replace("<br />", " ")
        if s["lower"]:
            text = text.lower()
        return [w for w in text.translate(self.table).split(s["split"]) if w]

    def imdb_id(self, i):
        """imdb.load_data's cut: ids outside [skip_top, num_words) become oov_char; -1 drops the word."""
        s = self.spec
        if s["skipTop"] <= i < s["numWords"]:
            return i
        return -1 if s["oovChar"] is None else s["oovChar"]

    def ids(self, text):
        s = self.spec
        imdb = s["scheme"] == "keras-imdb"
        out = [s["startChar"]] if imdb and s["startChar"] is not None else []
        for word in self.words(text):
            rank = self.rank.get(word, 0)
            i = (rank if 0 < rank < s["numWords"] else -1) if not imdb else self.imdb_id(rank + s["indexFrom"] if rank > 0 else -1)
            if i >= 0:
                out.append(i)
        return out

    def ids_of_ranks(self, ranks):
        """A Keras imdb.npz row of word ranks as imdb.load_data turns it into ids."""
        s = self.spec
        start = [s["startChar"]] if s["startChar"] is not None else []
        return start + [self.imdb_id(r + s["indexFrom"]) for r in ranks]


def pad_pre(rows, maxlen):
    """pad_sequences(maxlen, padding='pre', truncating='pre')."""
    x = np.zeros((len(rows), maxlen), dtype=np.int64)
    for i, ids in enumerate(rows):
        ids = ids[-maxlen:]
        if ids:
            x[i, maxlen - len(ids) :] = ids
    return x


# ---------------------------------------------------------------------------------------------------
# The sources the app reads, split and shuffled as the app does.

EXPECTED_FORMATS = "an aclImdb archive (.tar.gz) or folder, a Keras imdb.npz, or a CSV of reviews and labels"
REVIEW_PATH = re.compile(r"(?:^|/)(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")
DATASET_SHUFFLE_SEED = 113


class DataError(Exception):
    """A data path the job cannot read, in the house style: expected …, Received: …."""


def detect_format(path):
    if not os.path.exists(path):
        raise DataError("%s: no such file or folder. Expected %s." % (path, EXPECTED_FORMATS))
    if os.path.isdir(path):
        return "aclImdb-folder"
    with open(path, "rb") as f:
        head = f.read(512)
    if not head:
        raise DataError("%s: expected %s. Received: an empty file." % (path, EXPECTED_FORMATS))
    if head[:2] == b"\x1f\x8b" or (len(head) >= 262 and head[257:262] == b"ustar"):
        return "aclImdb-tar"
    if head[:2] == b"PK":
        return "keras-npz"
    utf16 = head[:2] in (b"\xff\xfe", b"\xfe\xff")
    if not utf16 and b"\x00" in head:
        raise DataError("%s: expected %s. Received: binary data of an unknown kind (starting %s)." % (path, EXPECTED_FORMATS, head[:8].hex()))
    return "csv"


def _decode(data):
    # As the app's TextDecoder: invalid bytes become U+FFFD, a leading byte-order mark is dropped.
    text = data.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def _canonical(reviews):
    """aclImdb reviews in the app's canonical order: neg then pos, by file id, then rating."""
    reviews.sort(key=lambda r: (r[1], r[2], r[3]))
    return [(text, label) for text, label, _id, _rating in reviews]


def _require_aclimdb(path, train, test):
    pos = sum(1 for r in train if r[1] == 1)
    if pos == 0 or pos == len(train):
        raise DataError(
            "%s: expected an aclImdb archive or folder with review files under train/pos and train/neg (like aclImdb/train/pos/123_9.txt). "
            "Received: %d train/pos and %d train/neg reviews, %d test reviews." % (path, pos, len(train) - pos, len(test))
        )


def read_aclimdb_tar(path):
    train, test = [], []
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                m = REVIEW_PATH.search(member.name)
                if m is None or not member.isfile():
                    continue
                review = (_decode(tar.extractfile(member).read()), 1 if m.group(2) == "pos" else 0, int(m.group(3)), int(m.group(4)))
                (train if m.group(1) == "train" else test).append(review)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise DataError("%s: expected a complete aclImdb tar archive. Received: %s." % (path, error))
    _require_aclimdb(path, train, test)
    return _canonical(train), _canonical(test)


def read_aclimdb_folder(path):
    names = os.listdir(path)
    if os.path.isdir(os.path.join(path, "train")):
        root = path
    elif os.path.isdir(os.path.join(path, "aclImdb")):
        root = os.path.join(path, "aclImdb")
    else:
        raise DataError("%s: expected an aclImdb folder (with train/pos and train/neg) or a folder holding one. Received: a folder with %s." % (path, ", ".join(map(repr, names[:5])) or "nothing in it"))
    train, test = [], []
    for split in ("train", "test"):
        for label in ("neg", "pos"):
            folder = os.path.join(root, split, label)
            if not os.path.isdir(folder):
                continue
            for entry in os.scandir(folder):
                m = REVIEW_PATH.search("%s/%s/%s" % (split, label, entry.name))
                if m is None or not entry.is_file(follow_symlinks=False):
                    continue
                with open(entry.path, "rb") as f:
                    review = (_decode(f.read()), 1 if label == "pos" else 0, int(m.group(3)), int(m.group(4)))
                (train if split == "train" else test).append(review)
    _require_aclimdb(path, train, test)
    return _canonical(train), _canonical(test)


POSITIVE = {"positive", "pos", "1", "1.0", "true", "yes"}
NEGATIVE = {"negative", "neg", "0", "0.0", "false", "no"}
LABEL_NAMES = ["sentiment", "label", "labels", "polarity", "class", "target", "y"]
TEXT_NAMES = ["review", "text", "reviews", "sentence", "content", "comment", "body"]
SPLIT_NAMES = ["split", "set", "subset", "partition"]


def _label_of(value):
    v = value.strip().lower()
    return 1 if v in POSITIVE else 0 if v in NEGATIVE else None


def _distinct(rows, column, limit=50):
    seen = []
    for row in rows:
        v = row[column].strip().lower()
        if v not in seen:
            seen.append(v)
            if len(seen) > limit:
                break
    return seen


def read_csv(path, options):
    """The app's CSV reading: encoding and delimiter sniffed, columns chosen (or given), a split column or a seeded hold-out."""
    with open(path, "rb") as f:
        raw = f.read()
    encoding = "utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    text = raw.decode(encoding, errors="replace")
    first = re.split(r"\r?\n", text[: 64 * 1024], maxsplit=1)[0]
    counts = sorted([(first.count(d), -i, d) for i, d in enumerate([",", ";", "\t"])], reverse=True)
    delimiter = counts[0][2] if counts[0][0] > 0 else ","
    records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if r]
    if not records:
        raise DataError("%s: expected a CSV with a header row and reviews. Received: no rows." % path)
    header = [h.strip() for h in records[0]]
    rows = records[1:]
    if not rows:
        raise DataError("%s: expected review rows under the header. Received: only the header (%s)." % (path, ", ".join(header)))
    for n, row in enumerate(rows):
        if len(row) != len(header):
            raise DataError("%s: expected a CSV of reviews and labels with as many fields per row as the header. Received: %d fields in record %d under a header of %d." % (path, len(row), n + 2, len(header)))
    lower = [h.lower() for h in header]
    split_col = next((i for i, h in enumerate(lower) if h in SPLIT_NAMES), -1)
    split = split_col if split_col >= 0 and all(v in ("train", "test") for v in _distinct(rows, split_col)) else None

    def column(name, role):
        for i, h in enumerate(header):
            if h.lower() == name.lower():
                return i
        raise DataError("%s: expected a %s column named %r. Received: columns %s." % (path, role, name, ", ".join(header)))

    if options.get("labelColumn") is not None:
        label = column(options["labelColumn"], "label")
    else:
        usable = [i for i in range(len(header)) if i != split and len(_distinct(rows, i, 2)) <= 2 and all(_label_of(v) is not None for v in _distinct(rows, i, 2))]
        named = [i for i in usable if lower[i] in LABEL_NAMES]
        if len(named) == 1 or (not named and len(usable) == 1):
            label = named[0] if named else usable[0]
        elif len(usable) > 1:
            raise DataError("%s: expected one label column; several fit (%s). Choose one in the app." % (path, ", ".join(header[i] for i in usable)))
        else:
            label = next((i for i, h in enumerate(lower) if h in LABEL_NAMES), -1)
            if label < 0:
                raise DataError("%s: expected a label column (positive/negative, pos/neg or 1/0). Received: columns %s." % (path, ", ".join(header)))
    bad = next((v for v in _distinct(rows, label) if _label_of(v) is None), None)
    if bad is not None:
        raise DataError("%s: expected label column %s to be positive/negative, pos/neg or 1/0. Received: %r." % (path, header[label], bad))
    if options.get("textColumn") is not None:
        text_col = column(options["textColumn"], "text")
    else:
        text_col = next((i for i, h in enumerate(lower) if i != label and h in TEXT_NAMES), -1)
        if text_col < 0:
            sample = rows[:1000]
            lengths = [(-1 if i in (label, split) else sum(len(r[i]) for r in sample), -i) for i in range(len(header))]
            best = max(range(len(header)), key=lambda i: lengths[i])
            if best in (label, split):
                raise DataError("%s: expected a text column beside the label column %s. Received: columns %s." % (path, header[label], ", ".join(header)))
            text_col = best
    reviews = [(row[text_col], _label_of(row[label])) for row in rows]
    if split is not None:
        is_test = [row[split].strip().lower() == "test" for row in rows]
    else:
        test_count = int(math.floor(len(rows) * options.get("testSplit", 0.5) + 0.5))
        order = np.random.RandomState(DATASET_SHUFFLE_SEED).permutation(len(rows))
        is_test = [False] * len(rows)
        for i in range(len(rows) - test_count, len(rows)):
            is_test[order[i]] = True
    train = [r for r, t in zip(reviews, is_test) if not t]
    test = [r for r, t in zip(reviews, is_test) if t]
    pos = sum(1 for r in train if r[1] == 1)
    if pos == 0 or pos == len(train):
        raise DataError("%s: expected both classes among the training rows. Received: %d training rows, %d positive." % (path, len(train), pos))
    return train, test


class _NpyUnpickler(pickle.Unpickler):
    """Unpickles numpy object arrays of int lists, and nothing else (a pickle can run any code)."""

    def find_class(self, module, name):
        # numpy 2 pickles name numpy._core, numpy 1 numpy.core; either loads with this numpy's own.
        if module in ("numpy.core.multiarray", "numpy._core.multiarray") and name in ("_reconstruct", "scalar"):
            return getattr((getattr(np, "_core", None) or np.core).multiarray, name)
        if module == "numpy" and name in ("ndarray", "dtype"):
            return getattr(np, name)
        raise pickle.UnpicklingError("refused pickle global %s.%s" % (module, name))


def read_npz(path):
    """Keras' imdb.npz: x_train/x_test (object arrays of word-rank lists), y_train/y_test."""
    from numpy.lib import format as npy

    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            missing = [k for k in ("x_train", "y_train", "x_test", "y_test") if k + ".npy" not in names]
            if missing:
                raise DataError("%s: expected a Keras imdb.npz (x_train, y_train, x_test, y_test). Received: missing %s." % (path, ", ".join(missing)))
            arrays = {}
            for key in ("x_train", "y_train", "x_test", "y_test"):
                with z.open(key + ".npy") as f:
                    version = npy.read_magic(f)
                    shape, _fortran, dtype = npy._read_array_header(f, version)
                    if dtype.hasobject:
                        arrays[key] = [list(map(int, row)) for row in _NpyUnpickler(f).load()]
                    else:
                        arrays[key] = np.frombuffer(f.read(), dtype=dtype).reshape(shape)
    except (zipfile.BadZipFile, pickle.UnpicklingError, ValueError, EOFError) as error:
        raise DataError("%s: expected a Keras imdb.npz. Received: %s." % (path, error))
    for x, y in (("x_train", "y_train"), ("x_test", "y_test")):
        if len(arrays[x]) != len(arrays[y]):
            raise DataError("%s: expected as many labels as sequences. Received: %s %d / %s %d." % (path, x, len(arrays[x]), y, len(arrays[y])))
    return list(zip(arrays["x_train"], arrays["y_train"].tolist())), list(zip(arrays["x_test"], arrays["y_test"].tolist()))


def load_splits(path, tokenizer_spec, options):
    """Train and test as the app builds them: padded ids and labels, each split shuffled by the
    one RandomState(shuffleSeed) the app (and Keras' imdb.load_data) uses, train first.

    Args:
      path: the data file or folder.
      tokenizer_spec: the run's tokenizer.json.
      options: the run's dataset options (csv column choices).
    """
    fmt = detect_format(path)
    tokenizer = Tokenizer(tokenizer_spec)
    imdb = tokenizer_spec["scheme"] == "keras-imdb"
    if imdb != (fmt == "keras-npz"):
        kinds = {"aclImdb-tar": "an aclImdb archive", "aclImdb-folder": "an aclImdb folder", "keras-npz": "a Keras imdb.npz", "csv": "a CSV of reviews"}
        expected = "a Keras imdb.npz (the run's ids are imdb.load_data's)" if imdb else "review text: an aclImdb archive or folder, or a CSV (the run's tokenizer encodes text)"
        raise DataError("%s: expected the kind of data the run trained on, %s. Received: %s." % (path, expected, kinds[fmt]))
    if fmt == "keras-npz":
        train, test = read_npz(path)
        encode = tokenizer.ids_of_ranks
    else:
        reader = {"aclImdb-tar": read_aclimdb_tar, "aclImdb-folder": read_aclimdb_folder}.get(fmt)
        train, test = reader(path) if reader else read_csv(path, options.get("csv") or {})
        encode = tokenizer.ids
    maxlen = tokenizer_spec["maxlen"]
    rng = np.random.RandomState(tokenizer_spec["shuffleSeed"])
    out = []
    for split in (train, test):
        x = pad_pre([encode(item) for item, _label in split], maxlen)
        y = np.array([label for _item, label in split], dtype=np.float32)
        order = rng.permutation(len(split))
        out.append((x[order], y[order]))
    return out[0], out[1]
`;

/** `rnnwb.py`. */
export const RNNWB_PY = RNNWB_TEMPLATE.replace(
  '__ACTIVATIONS__',
  Object.entries(pythonActivations)
    .map(([name, code]) => `    ${JSON.stringify(name)}: ${code},`)
    .join('\n'),
);

/** `train.py`. */
export const TRAIN_PY = String.raw`"""Trains the run's model with PyTorch DistributedDataParallel; see README.md for the torchrun commands.

    torchrun --standalone --nproc_per_node=2 train.py --data aclImdb_v1.tar.gz --out result

Every rank reads and tokenizes --data as RNN Workbench does, takes its shard of the training split
(DistributedSampler) and averages gradients with the others (gloo on CPU, nccl on GPU). Rank 0 writes
a checkpoint after each epoch and, at the end, RESULT/ for "rnn-workbench import RESULT".
"""
import argparse
import datetime
import hashlib
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import h5py  # noqa: E402,F401  (rnnwb writes RESULT/model.h5 with it: checked before hours of training, not after)
    import numpy as np  # noqa: E402
    import torch  # noqa: E402
except ImportError as missing:
    raise SystemExit("train.py needs PyTorch, numpy and h5py (Debian: apt install python3-torch python3-h5py; pip: pip install torch numpy h5py). Received: %s" % missing)

import rnnwb  # noqa: E402

rnnwb.require_torch(torch.__version__)

import torch.distributed as dist  # noqa: E402
from torch.nn.parallel import DistributedDataParallel  # noqa: E402
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset  # noqa: E402

from model import build_model  # noqa: E402

CHECKPOINT = "checkpoint.pt"
# Keras' backend epsilon: binary crossentropy clips probabilities to [EPSILON, 1 - EPSILON].
EPSILON = 1e-7
# Messages of a collective whose peer is gone (gloo, nccl, the c10d store).
LOST_PEER = ("Connection closed by peer", "Connection reset by peer", "Broken pipe", "Timed out", "timed out", "NCCL", "Socket Timeout", "connect() failed")


def parse_args(argv):
    p = argparse.ArgumentParser(description="Train the exported RNN Workbench model with PyTorch DDP.")
    p.add_argument("--data", required=True, help="an aclImdb .tar.gz or folder, a reviews CSV, or a Keras imdb.npz")
    p.add_argument("--out", required=True, help="the RESULT folder (rank 0 writes it; checkpoints go there too)")
    p.add_argument("--epochs", type=int, help="default: the run's")
    p.add_argument("--batch-size", type=int, help="the global batch, split across ranks; default: the run's")
    p.add_argument("--lr", type=float, help="the learning rate; default: the run's")
    p.add_argument("--from-weights", action="store_true", help="start from the run's trained weights (weights.h5)")
    args = p.parse_args(argv)
    for name in ("epochs", "batch_size"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            p.error("--%s must be a positive integer. Received: %d" % (name.replace("_", "-"), value))
    if args.lr is not None and not (args.lr > 0 and math.isfinite(args.lr)):
        p.error("--lr must be a positive number. Received: %s" % args.lr)
    return args


class Ranks:
    """This process's place in the job; a job started without torchrun is one rank."""

    def __init__(self):
        self.distributed = "WORLD_SIZE" in os.environ
        self.rank = int(os.environ.get("RANK", 0))
        self.world = int(os.environ.get("WORLD_SIZE", 1))
        self.local = int(os.environ.get("LOCAL_RANK", 0))
        cuda = torch.cuda.is_available()
        self.device = torch.device("cuda", self.local) if cuda else torch.device("cpu")
        self.backend = "nccl" if cuda else "gloo"
        if self.distributed:
            if cuda:
                torch.cuda.set_device(self.device)
            dist.init_process_group(self.backend, timeout=datetime.timedelta(minutes=10))

    def sum(self, values):
        """Element-wise sum of "values" over all ranks."""
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        if self.distributed:
            dist.all_reduce(t)
        return t.tolist()

    def from_rank0(self, value):
        if not self.distributed:
            return value
        box = [value]
        dist.broadcast_object_list(box, src=0)
        return box[0]


def make_optimizer(config, params, lr):
    name = config["name"]
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(config["beta1"], config["beta2"]), eps=config["epsilon"])
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=config["momentum"])
    return AppRMSprop(params, lr=lr, rho=config["rho"], eps=config["epsilon"])


class AppRMSprop(torch.optim.Optimizer):
    """RMSprop as the app (TensorFlow.js) steps it: epsilon inside the square root, g / sqrt(ms + eps).

    torch.optim.RMSprop adds it outside (as Keras does); with eps 1e-7 they differ only near zero gradients.
    """

    def __init__(self, params, lr, rho, eps):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "ms" not in state:
                    state["ms"] = torch.zeros_like(p)
                ms = state["ms"]
                ms.mul_(group["rho"]).addcmul_(p.grad, p.grad, value=1 - group["rho"])
                p.addcdiv_(p.grad, (ms + group["eps"]).sqrt(), value=-group["lr"])


def bce(p, y):
    p = p.reshape(-1).clamp(EPSILON, 1 - EPSILON)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p))


def evaluate(model, split, ranks, batch_size):
    """Loss, accuracy and confusion matrix over a whole split, each rank taking every world-th row."""
    x, y = split
    rows = np.arange(ranks.rank, len(y), ranks.world)
    loss_sum, confusion = 0.0, np.zeros((2, 2))
    model.eval()
    with torch.no_grad():
        for i in range(0, len(rows), batch_size):
            idx = rows[i : i + batch_size]
            xb = torch.as_tensor(x[idx], device=ranks.device)
            yb = torch.as_tensor(y[idx], device=ranks.device)
            p = model(xb)
            loss_sum += bce(p, yb).sum().item()
            predicted = (p.reshape(-1) > 0.5).long().cpu().numpy()
            for t, q in zip(y[idx].astype(int), predicted):
                confusion[t, q] += 1
    total = ranks.sum([loss_sum] + confusion.reshape(-1).tolist())
    count = sum(total[1:])
    matrix = [[int(total[1]), int(total[2])], [int(total[3]), int(total[4])]]
    if count == 0:
        return None
    return {"loss": total[0] / count, "acc": (matrix[0][0] + matrix[1][1]) / count, "count": int(count), "confusion": matrix}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_json(path, value):
    tmp = path + ".tmp-%d" % os.getpid()
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def write_result(out, job, tokenizer, training, dataset, history, test, ranks, seconds, weights):
    """RESULT/: model.h5, history.json, metrics.json, tokenizer.json and, last, metadata.json (an
    RNN Workbench export of the trained run, with every file's SHA-256, so "import" checks them)."""
    tmp = os.path.join(out, "model.h5.tmp-%d" % os.getpid())
    rnnwb.write_keras_h5(tmp, job["keras"], weights)
    os.replace(tmp, os.path.join(out, "model.h5"))
    write_json(os.path.join(out, "history.json"), [{k: row[k] for k in ("epoch", "loss", "acc", "val_loss", "val_acc", "seconds") if k in row} for row in history])
    metrics = {"test_loss": test["loss"] if test else None, "test_acc": test["acc"] if test else None, "world_size": ranks.world, "device": ranks.device.type, "seconds": seconds}
    write_json(os.path.join(out, "metrics.json"), metrics)
    write_json(os.path.join(out, "tokenizer.json"), tokenizer)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    engine = {"backend": "pytorch %s" % torch.__version__, "recurrent": "DistributedDataParallel, %d rank(s), %s on %s" % (ranks.world, ranks.backend, ranks.device.type)}
    run = dict(job["metadata"]["run"])
    run.update(
        name="%s (PyTorch DDP)" % run["name"],
        status="done",
        updatedAt=now,
        epochs=training["epochs"],
        epochsDone=len(history),
        last=history[-1] if history else None,
        test=test,
        engine=engine,
        training=training,
        dataset=dataset,
        history=history,
        warnings=[],
    )
    run["project"] = dict(run["project"], training=training)
    # Trained by this job: neither a checkpoint of the app's nor a model imported from a Keras file.
    run.pop("checkpointEpoch", None)
    run.pop("message", None)
    run.pop("imported", None)
    if test is None:
        run.pop("test")
    files = ["model.h5", "history.json", "metrics.json", "tokenizer.json"]
    metadata = dict(job["metadata"])
    metadata.update(
        exportedAt=now,
        backend=engine["backend"],
        engine=engine,
        dataset=dataset,
        training=training,
        history=history,
        test=test,
        run=run,
        files={name: {"bytes": os.path.getsize(os.path.join(out, name)), "sha256": sha256(os.path.join(out, name))} for name in files},
    )
    write_json(os.path.join(out, "metadata.json"), metadata)
    return metrics


def train(args, ranks):
    started = time.time()
    with open(os.path.join(HERE, "job.json"), encoding="utf-8") as f:
        job = json.load(f)
    with open(os.path.join(HERE, "tokenizer.json"), encoding="utf-8") as f:
        tokenizer = json.load(f)
    run = job["metadata"]["run"]
    training = dict(run["training"])
    if args.epochs is not None:
        training["epochs"] = args.epochs
    if args.batch_size is not None:
        training["batchSize"] = args.batch_size
    if args.lr is not None:
        training["optimizer"] = dict(training["optimizer"], learningRate=args.lr)
    out = os.path.abspath(args.out)

    (x_train, y_train), test = rnnwb.load_splits(os.path.abspath(args.data), tokenizer, run["dataset"]["options"])
    if training.get("limit"):
        x_train, y_train = x_train[: training["limit"]], y_train[: training["limit"]]
    # Keras' validation_split: the last share of the training rows, before any epoch shuffling.
    n_val = int(math.floor(len(y_train) * training["validationSplit"]))
    n_fit = len(y_train) - n_val
    if n_fit == 0:
        raise rnnwb.DataError("%s: expected training reviews left after the validation split. Received: %d reviews, validationSplit %s." % (args.data, len(y_train), training["validationSplit"]))
    fit, validation = (x_train[:n_fit], y_train[:n_fit]), (x_train[n_fit:], y_train[n_fit:])
    # Every rank must have read the same data, or the shards would not be a partition of one split.
    digest = hashlib.sha256(x_train.tobytes() + y_train.tobytes() + test[0].tobytes()).hexdigest()
    digests = [digest] if not ranks.distributed else [None] * ranks.world
    if ranks.distributed:
        dist.all_gather_object(digests, digest)
    if len(set(digests)) > 1:
        raise rnnwb.DataError("%s: expected every rank to read the same data. Received: ranks %s read different contents (a different file at this path on some node?)." % (args.data, [i for i, d in enumerate(digests) if d != digests[0]]))
    dataset = dict(run["dataset"], path=os.path.abspath(args.data), fingerprint="sha256:" + digest, trainCount=n_fit, validationCount=n_val, testCount=len(test[1]))
    # Only now, with the data read and checked, does the job write anything.
    if ranks.rank == 0:
        os.makedirs(out, exist_ok=True)

    seed = training.get("seed")
    torch.manual_seed(seed if seed is not None else int.from_bytes(os.urandom(4), "little"))
    model = build_model()
    if args.from_weights:
        model.set_keras_weights(rnnwb.read_keras_weights(os.path.join(HERE, "weights.h5")))
    else:
        model.keras_init()
    model.to(ranks.device)
    optimizer = make_optimizer(training["optimizer"], [p for p in model.parameters() if p.requires_grad], training["optimizer"]["learningRate"])

    # Resume: rank 0 reads the last checkpoint and hands it to the others (no shared disk needed).
    checkpoint_path = os.path.join(out, CHECKPOINT)
    state = None
    if ranks.rank == 0 and os.path.exists(checkpoint_path):
        state = torch.load(checkpoint_path, map_location="cpu")
        if state.get("run") != run["id"] or state.get("digest") != digest:
            raise rnnwb.DataError("%s: expected a checkpoint of this job (run %s) on this data. Received: one of run %s on other data; use another --out." % (checkpoint_path, run["id"], state.get("run")))
    state = ranks.from_rank0(state)
    history, start_epoch, best = [], 0, None
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        history, start_epoch, best = state["history"], state["epoch"], state["best"]
        if ranks.rank == 0:
            print("Resuming after epoch %d from %s" % (start_epoch, checkpoint_path), flush=True)

    ddp = DistributedDataParallel(model, device_ids=[ranks.local] if ranks.device.type == "cuda" else None) if ranks.distributed else model
    per_rank = max(1, math.ceil(training["batchSize"] / ranks.world))
    data = TensorDataset(torch.as_tensor(fit[0]), torch.as_tensor(fit[1]))
    sampler = DistributedSampler(data, num_replicas=ranks.world, rank=ranks.rank, shuffle=True, seed=seed or 0)
    loader = DataLoader(data, batch_size=per_rank, sampler=sampler)
    clipnorm = training.get("clipnorm")
    early = training.get("earlyStopping")
    params = [p for p in model.parameters() if p.requires_grad]

    for epoch in range(start_epoch + 1, training["epochs"] + 1):
        t0 = time.time()
        sampler.set_epoch(epoch)
        ddp.train()
        loss_sum = correct = seen = norm_sum = batches = 0.0
        for xb, yb in loader:
            xb, yb = xb.to(ranks.device), yb.to(ranks.device)
            optimizer.zero_grad()
            p = ddp(xb)
            loss = bce(p, yb).mean()
            loss.backward()
            if not torch.isfinite(loss):
                raise FloatingPointError("Training stopped at epoch %d: the loss became %s. Lower the learning rate (%s) or set clipnorm." % (epoch, loss.item(), training["optimizer"]["learningRate"]))
            norms = [p_.grad.norm() for p_ in params if p_.grad is not None]
            norm_sum += float(torch.sqrt(sum(n * n for n in norms)))
            if clipnorm is not None:
                # Keras' per-variable clipnorm, on the gradients DDP has averaged over the ranks.
                for p_, n in zip([q for q in params if q.grad is not None], norms):
                    if n > clipnorm:
                        p_.grad.mul_(clipnorm / n)
            optimizer.step()
            n = len(yb)
            loss_sum += loss.item() * n
            correct += ((p.reshape(-1) > 0.5).float() == yb).sum().item()
            seen += n
            batches += 1
        loss_sum, correct, seen, norm_sum, batches = ranks.sum([loss_sum, correct, seen, norm_sum, batches])
        row = {"epoch": epoch, "loss": loss_sum / seen, "acc": correct / seen}
        val = evaluate(model, validation, ranks, per_rank)
        if val is not None:
            row.update(val_loss=val["loss"], val_acc=val["acc"])
        row["seconds"] = time.time() - t0
        row["gradNorm"] = norm_sum / batches
        history.append(row)
        stop = False
        if early is not None:
            monitor = early["monitor"]
            value = row.get(monitor)
            if value is None:
                raise ValueError("Early stopping monitors %s, which needs a validation split above 0. Received: validationSplit %s" % (monitor, training["validationSplit"]))
            better = best is None or (value < best["value"] if monitor.endswith("loss") else value > best["value"])
            if better:
                best = {"value": value, "epoch": epoch, "wait": 0, "weights": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()} if early["restoreBestWeights"] else None}
            else:
                best["wait"] += 1
                stop = best["wait"] >= early["patience"]
        if ranks.rank == 0:
            print(json.dumps(row), flush=True)
            tmp = checkpoint_path + ".tmp-%d" % os.getpid()
            torch.save({"run": run["id"], "digest": digest, "epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict(), "history": history, "best": best}, tmp)
            os.replace(tmp, checkpoint_path)
        if stop:
            if best["weights"] is not None:
                model.load_state_dict(best["weights"])
            break

    test_metrics = evaluate(model, test, ranks, per_rank)
    if ranks.rank == 0:
        metrics = write_result(out, job, tokenizer, training, dataset, history, test_metrics, ranks, time.time() - started, model.keras_weights())
        print(json.dumps(metrics), flush=True)


def main(argv):
    args = parse_args(argv)
    ranks = None
    try:
        ranks = Ranks()
        train(args, ranks)
        if ranks.distributed:
            dist.barrier()
            dist.destroy_process_group()
        return 0
    except (rnnwb.DataError, FloatingPointError, ValueError) as error:
        print("train.py: %s" % error, file=sys.stderr, flush=True)
        return 2
    except RuntimeError as error:
        text = str(error)
        if ranks is not None and ranks.distributed and any(s in text for s in LOST_PEER):
            print(
                "train.py rank %d: lost contact with another rank, which stopped or died (%s). Its own output says why. "
                "Run the same command again to resume from the last checkpoint in %s." % (ranks.rank, text.splitlines()[0], os.path.join(os.path.abspath(args.out), CHECKPOINT)),
                file=sys.stderr,
                flush=True,
            )
            return 3
        raise


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
`;
