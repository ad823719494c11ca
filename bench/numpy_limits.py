"""What numpy allows: each workload's step (train: forward, loss gradient, backward, SGD update; inference:
the forward pass) written out by hand in numpy, float32, with the work laid out as a careful person would
(the recurrent layers' input projections and kernel gradients as one matmul over all steps, gate residuals
kept from the forward pass; a convolution as one matmul over all its windows, channels-last; the attention
projections as one matmul; ResNet-50's batch norms folded into the convolutions for inference; in training,
only the normalised convolution outputs kept, the windows recomputed for the kernels' gradients). bench/run.py
shows it as the "numpy-limit" column: how far each engine is from the same arithmetic with no framework
around it; tests/bench/test_numpy_limits.py checks it is that arithmetic.

`STEPS` maps a workload name to (`parameters(workload, rng)`, `step(parameters, x, y)`); `seconds` times
one pass over the data as bench/run.py times the frameworks (after a one-batch warm-up). Convolution
kernels are kept as (kernel_height·kernel_width·in_channels, filters) matrices: Keras's kernel reshaped.
"""

import time

import numpy
from numpy.lib.stride_tricks import as_strided
from workloads import RATE

from kerasish.backends import allocator

FLOAT = numpy.float32


def _uniform(rng, shape):
    limit = numpy.sqrt(6.0 / (shape[0] + shape[-1]))
    return rng.uniform(-limit, limit, shape).astype(FLOAT)


def _sigmoid(z):
    """In place: 1 / (1 + exp(-z)) as 0.5 * tanh(0.5 z) + 0.5 (one transcendental, no overflow)."""
    z *= 0.5
    numpy.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


def _softmax(logits):
    """In place, over the last axis."""
    logits -= logits.max(axis=-1, keepdims=True)
    numpy.exp(logits, out=logits)
    logits /= logits.sum(axis=-1, keepdims=True)
    return logits


def _logits_gradient(logits, labels):
    """The gradient of the mean sparse categorical cross-entropy from logits (in place)."""
    _softmax(logits)
    logits[numpy.arange(len(labels)), labels] -= 1
    logits /= len(labels)
    return logits


def _column_sums(rows):
    """A bias's gradient: the sum over the rows, as one matrix-vector product (numpy's `sum(0)` over many rows
    takes ten times as long)."""
    return numpy.ones(len(rows), FLOAT) @ rows


def _update(parameters, gradients):
    for name, gradient in gradients.items():
        parameters[name] -= FLOAT(RATE) * gradient


def _dense_parameters(rng, sizes):
    return {
        key: value
        for index, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:]))
        for key, value in ((f"w{index}", _uniform(rng, (fan_in, fan_out))), (f"b{index}", numpy.zeros(fan_out, FLOAT)))
    }


def _mlp_parameters(workload, rng):
    return _dense_parameters(rng, [784, 512, 512, 10])


def _mlp_step(parameters, x, y):
    h1 = numpy.maximum(x @ parameters["w0"] + parameters["b0"], 0)
    h2 = numpy.maximum(h1 @ parameters["w1"] + parameters["b1"], 0)
    d3 = _logits_gradient(h2 @ parameters["w2"] + parameters["b2"], y)
    d2 = d3 @ parameters["w2"].T
    d2 *= h2 > 0
    d1 = d2 @ parameters["w1"].T
    d1 *= h1 > 0
    _update(
        parameters,
        {
            "w2": h2.T @ d3,
            "b2": _column_sums(d3),
            "w1": h1.T @ d2,
            "b1": _column_sums(d2),
            "w0": x.T @ d1,
            "b0": _column_sums(d1),
        },
    )


def _tiny_parameters(workload, rng):
    return _dense_parameters(rng, [4, 1])


def _tiny_step(parameters, x, y):
    error = x @ parameters["w0"] + parameters["b0"] - y
    error *= 2.0 / error.size
    _update(parameters, {"w0": x.T @ error, "b0": _column_sums(error)})


def _recurrent_parameters(workload, rng, gates):
    features, units = workload.input_shape[-1], 256
    return {
        "kernel": _uniform(rng, (features, gates * units)),
        "recurrent": _uniform(rng, (units, gates * units)),
        "bias": numpy.zeros(gates * units, FLOAT),
        **_dense_parameters(rng, [units, workload.classes]),
    }


def _lstm_parameters(workload, rng):
    return _recurrent_parameters(workload, rng, 4)


def _gru_parameters(workload, rng):
    return {**_recurrent_parameters(workload, rng, 3), "recurrent_bias": numpy.zeros(3 * 256, FLOAT)}


def _feature_major(x):
    """(batch, steps, features) as (steps, features, batch): each step's inputs as columns."""
    return numpy.ascontiguousarray(x.transpose(1, 2, 0))


def _projected(parameters, inputs, bias):
    """kernelᵀ @ each step's columns + bias: (steps, gates·units, batch)."""
    projected = parameters["kernel"].T @ inputs
    projected += bias[:, None]
    return projected


def _rows(steps):
    """(steps, features, batch) as (features, steps·batch): every step's columns side by side."""
    return steps.transpose(1, 0, 2).reshape(steps.shape[1], -1)


def _classifier_backward(parameters, last, y):
    """The logits' gradient through the classifier from the last state (units, batch): the state's gradient
    (units, batch) and the classifier's weights' gradients."""
    gradient = _logits_gradient(last.T @ parameters["w0"] + parameters["b0"], y)
    return parameters["w0"] @ gradient.T, {"w0": last @ gradient, "b0": _column_sums(gradient)}


def lstm_forward(parameters, x):
    """Keras gate order (i, f, c, o); one bias. Time-major and feature-major (state columns per batch item),
    the layout whose recurrent product BLAS runs fastest: (logits, residuals)."""
    inputs = _feature_major(x)
    steps = len(inputs)
    recurrent = numpy.ascontiguousarray(parameters["recurrent"].T)
    units = recurrent.shape[1]
    gates = _projected(parameters, inputs, parameters["bias"])
    cells = numpy.zeros((steps + 1, units, len(x)), FLOAT)
    hiddens = numpy.zeros((steps + 1, units, len(x)), FLOAT)
    for t in range(steps):
        z = gates[t]
        z += recurrent @ hiddens[t]
        _sigmoid(z[: 2 * units])
        _sigmoid(z[3 * units :])
        numpy.tanh(z[2 * units : 3 * units], out=z[2 * units : 3 * units])
        i, f, g, o = z[:units], z[units : 2 * units], z[2 * units : 3 * units], z[3 * units :]
        cells[t + 1] = f * cells[t] + i * g
        hiddens[t + 1] = o * numpy.tanh(cells[t + 1])
    logits = hiddens[steps].T @ parameters["w0"] + parameters["b0"]
    return logits, (inputs, gates, cells, hiddens)


def _lstm_step(parameters, x, y):
    _, (inputs, gates, cells, hiddens) = lstm_forward(parameters, x)
    steps, units = len(inputs), hiddens.shape[1]
    recurrent = parameters["recurrent"]
    dh, gradients = _classifier_backward(parameters, hiddens[steps], y)
    dc = numpy.zeros_like(dh)
    dz = numpy.empty_like(gates)
    for t in reversed(range(steps)):
        z = gates[t]
        i, f, g, o = z[:units], z[units : 2 * units], z[2 * units : 3 * units], z[3 * units :]
        tanh_c = numpy.tanh(cells[t + 1])
        dc += dh * o * (1 - tanh_c * tanh_c)
        dz[t, :units] = dc * g * i * (1 - i)
        dz[t, units : 2 * units] = dc * cells[t] * f * (1 - f)
        dz[t, 2 * units : 3 * units] = dc * i * (1 - g * g)
        dz[t, 3 * units :] = dh * tanh_c * o * (1 - o)
        dc *= f
        dh = recurrent @ dz[t]
    dz = _rows(dz)
    gradients.update(kernel=_rows(inputs) @ dz.T, recurrent=_rows(hiddens[:steps]) @ dz.T, bias=_column_sums(dz.T))
    _update(parameters, gradients)


def gru_forward(parameters, x):
    """Keras's GRU with reset_after=True (gate order z, r, candidate; an input and a recurrent bias), laid out
    as the LSTM: (logits, residuals)."""
    inputs = _feature_major(x)
    steps = len(inputs)
    recurrent = numpy.ascontiguousarray(parameters["recurrent"].T)
    units = recurrent.shape[1]
    projected = _projected(parameters, inputs, parameters["bias"])
    inners = numpy.empty_like(projected)
    hiddens = numpy.zeros((steps + 1, units, len(x)), FLOAT)
    for t in range(steps):
        inner = inners[t]
        numpy.matmul(recurrent, hiddens[t], out=inner)
        inner += parameters["recurrent_bias"][:, None]
        gate = projected[t]
        gate[: 2 * units] += inner[: 2 * units]
        _sigmoid(gate[: 2 * units])
        candidate = gate[2 * units :]
        candidate += gate[units : 2 * units] * inner[2 * units :]
        numpy.tanh(candidate, out=candidate)
        update = gate[:units]
        hiddens[t + 1] = candidate + update * (hiddens[t] - candidate)
    logits = hiddens[steps].T @ parameters["w0"] + parameters["b0"]
    return logits, (inputs, projected, inners, hiddens)


def _gru_step(parameters, x, y):
    _, (inputs, projected, inners, hiddens) = gru_forward(parameters, x)
    steps, units = len(inputs), hiddens.shape[1]
    recurrent = parameters["recurrent"]
    dh, gradients = _classifier_backward(parameters, hiddens[steps], y)
    d_projected = numpy.empty_like(projected)
    d_inner = numpy.empty_like(projected)
    for t in reversed(range(steps)):
        gate = projected[t]
        update, reset, candidate = gate[:units], gate[units : 2 * units], gate[2 * units :]
        d_candidate = dh * (1 - update) * (1 - candidate * candidate)
        d_projected[t, :units] = dh * (hiddens[t] - candidate) * update * (1 - update)
        d_projected[t, units : 2 * units] = d_candidate * inners[t, 2 * units :] * reset * (1 - reset)
        d_projected[t, 2 * units :] = d_candidate
        d_inner[t, : 2 * units] = d_projected[t, : 2 * units]
        d_inner[t, 2 * units :] = d_candidate * reset
        dh = dh * update + recurrent @ d_inner[t]
    d_projected, d_inner = _rows(d_projected), _rows(d_inner)
    gradients.update(
        kernel=_rows(inputs) @ d_projected.T,
        bias=_column_sums(d_projected.T),
        recurrent=_rows(hiddens[:steps]) @ d_inner.T,
        recurrent_bias=_column_sums(d_inner.T),
    )
    _update(parameters, gradients)


def _conv_kernel(rng, size, channels, filters):
    """Keras's Glorot-uniform convolution kernel (size, size, channels, filters) as a matrix."""
    limit = numpy.sqrt(6.0 / (size * size * (channels + filters)))
    return rng.uniform(-limit, limit, (size * size * channels, filters)).astype(FLOAT)


def _windows(padded, size, stride=1):
    """Every size x size window of the channels-last `padded` as one row, in Keras's kernel order (the copy a
    convolution as one matmul takes): (rows, (batch, output height, output width))."""
    batch, height, width, channels = padded.shape
    out_height, out_width = (height - size) // stride + 1, (width - size) // stride + 1
    batch_stride, row_stride, column_stride, channel_stride = padded.strides
    view = as_strided(
        padded,
        (batch, out_height, out_width, size, size, channels),
        (batch_stride, row_stride * stride, column_stride * stride, row_stride, column_stride, channel_stride),
        writeable=False,
    )
    return view.reshape(batch * out_height * out_width, size * size * channels), (batch, out_height, out_width)


def _convolution_input_gradient(d_output, kernel, shape, size):
    """The input gradient of a stride-1 "valid" convolution, for an input of `shape`: per tap, one matmul of the
    output's gradient (rows) with that tap's kernel, added where the tap read (a third faster than one matmul
    for all taps, whose (…, taps·channels) rows add back in pieces of one pixel's channels)."""
    d_input = numpy.zeros(shape, FLOAT)
    batch, height, width, channels = shape
    out_height, out_width = height - size + 1, width - size + 1
    d_tap = numpy.empty((len(d_output), channels), FLOAT)
    for tap, tap_kernel in enumerate(kernel.reshape(size * size, channels, -1)):
        row, column = divmod(tap, size)
        numpy.matmul(d_output, tap_kernel.T, out=d_tap)
        d_input[:, row : row + out_height, column : column + out_width] += d_tap.reshape(
            batch, out_height, out_width, channels
        )
    return d_input


def _conv_relu(x, kernel, bias, size):
    """A stride-1 "valid" convolution with ReLU: (its window rows, for the kernel's gradient; the output)."""
    rows, output_shape = _windows(x, size)
    z = rows @ kernel
    z += bias
    numpy.maximum(z, 0, out=z)
    return rows, z.reshape(*output_shape, -1)


def _max_pool_2(x):
    """2x2 max pooling, stride 2, the odd last row and column dropped (Keras's "valid"): (pooled, windows)."""
    batch, height, width, channels = x.shape
    windows = x[:, : height // 2 * 2, : width // 2 * 2].reshape(batch, height // 2, 2, width // 2, 2, channels)
    pooled = numpy.maximum(windows[:, :, 0, :, 0], windows[:, :, 0, :, 1])
    numpy.maximum(pooled, windows[:, :, 1, :, 0], out=pooled)
    numpy.maximum(pooled, windows[:, :, 1, :, 1], out=pooled)
    return pooled, windows


def _relu_max_pool_2_backward(d_pooled, pooled, windows, shape):
    """The gradient of a ReLU then 2x2 max pooling, to each window's maximum where it is positive (the ReLU's
    gradient is zero elsewhere, and so are the only ties: at zero)."""
    d_pooled *= pooled > 0
    d_input = numpy.zeros(shape, FLOAT)
    batch, height, width, channels = shape
    d_windows = d_input[:, : height // 2 * 2, : width // 2 * 2].reshape(windows.shape)  # a view
    numpy.multiply(windows == pooled[:, :, None, :, None], d_pooled[:, :, None, :, None], out=d_windows)
    return d_input


def _cnn_parameters(workload, rng):
    return {
        "kernel0": _conv_kernel(rng, 3, workload.input_shape[-1], 32),
        "bias0": numpy.zeros(32, FLOAT),
        "kernel1": _conv_kernel(rng, 3, 32, 64),
        "bias1": numpy.zeros(64, FLOAT),
        **_dense_parameters(rng, [5 * 5 * 64, workload.classes]),
    }


def cnn_forward(parameters, x):
    """Conv 3x3 (32) + ReLU, max pool 2, conv 3x3 (64) + ReLU, max pool 2, flatten, dense: (logits, residuals)."""
    rows0, activations0 = _conv_relu(x, parameters["kernel0"], parameters["bias0"], 3)
    pooled0, windows0 = _max_pool_2(activations0)
    rows1, activations1 = _conv_relu(pooled0, parameters["kernel1"], parameters["bias1"], 3)
    pooled1, windows1 = _max_pool_2(activations1)
    flat = pooled1.reshape(len(x), -1)
    logits = flat @ parameters["w0"]
    logits += parameters["b0"]
    return logits, (rows0, activations0, pooled0, windows0, rows1, activations1, pooled1, windows1, flat)


def _cnn_step(parameters, x, y):
    logits, residuals = cnn_forward(parameters, x)
    rows0, activations0, pooled0, windows0, rows1, activations1, pooled1, windows1, flat = residuals
    d_logits = _logits_gradient(logits, y)
    d_pooled1 = (d_logits @ parameters["w0"].T).reshape(pooled1.shape)
    d_z1 = _relu_max_pool_2_backward(d_pooled1, pooled1, windows1, activations1.shape).reshape(len(rows1), -1)
    d_pooled0 = _convolution_input_gradient(d_z1, parameters["kernel1"], pooled0.shape, 3)
    d_z0 = _relu_max_pool_2_backward(d_pooled0, pooled0, windows0, activations0.shape).reshape(len(rows0), -1)
    _update(
        parameters,
        {
            "w0": flat.T @ d_logits,
            "b0": _column_sums(d_logits),
            "kernel1": rows1.T @ d_z1,
            "bias1": _column_sums(d_z1),
            "kernel0": rows0.T @ d_z0,
            "bias0": _column_sums(d_z0),
        },
    )


HEADS = 4  # the transformer workload's attention heads


def _transformer_parameters(workload, rng):
    width, hidden = workload.input_shape[-1], 1024
    return {
        "projection": numpy.concatenate([_uniform(rng, (width, width)) for _ in range(3)], axis=1),
        "projection_bias": numpy.zeros(3 * width, FLOAT),
        "attention_output": _uniform(rng, (width, width)),
        "attention_output_bias": numpy.zeros(width, FLOAT),
        "gamma0": numpy.ones(width, FLOAT),
        "beta0": numpy.zeros(width, FLOAT),
        "feed_forward0": _uniform(rng, (width, hidden)),
        "feed_forward_bias0": numpy.zeros(hidden, FLOAT),
        "feed_forward1": _uniform(rng, (hidden, width)),
        "feed_forward_bias1": numpy.zeros(width, FLOAT),
        "gamma1": numpy.ones(width, FLOAT),
        "beta1": numpy.zeros(width, FLOAT),
        **_dense_parameters(rng, [width, workload.classes]),
    }


def _layer_norm(x, gamma, beta, epsilon=1e-5):
    """Normalises the rows of `x` in place: (the output, the normalised x, 1/σ)."""
    x -= x.mean(axis=1, keepdims=True)
    inverse = numpy.square(x).mean(axis=1, keepdims=True)
    inverse += epsilon
    numpy.sqrt(inverse, out=inverse)
    numpy.reciprocal(inverse, out=inverse)
    x *= inverse
    output = x * gamma
    output += beta
    return output, x, inverse


def _layer_norm_backward(d_output, normalised, inverse, gamma):
    """(the input's gradient, gamma's, beta's)."""
    d_gamma = _column_sums(d_output * normalised)
    d_beta = _column_sums(d_output)
    d_normalised = d_output * gamma
    d_input = d_normalised - d_normalised.mean(axis=1, keepdims=True)
    d_normalised *= normalised
    d_input -= normalised * d_normalised.mean(axis=1, keepdims=True)
    d_input *= inverse
    return d_input, d_gamma, d_beta


def transformer_forward(parameters, x):
    """Keras's MultiHeadAttention (query, key and value projections as one matmul; the query scaled by
    1/sqrt(key_dim)), add & layer norm, ReLU feed-forward, add & layer norm, mean over the sequence,
    dense: (logits, residuals)."""
    batch, length, width = x.shape
    key_dim = width // HEADS
    inputs = x.reshape(batch * length, width)
    projected = inputs @ parameters["projection"]
    projected += parameters["projection_bias"]
    query, key, value = numpy.ascontiguousarray(
        projected.reshape(batch, length, 3, HEADS, key_dim).transpose(2, 0, 3, 1, 4)
    )
    query *= FLOAT(1 / numpy.sqrt(key_dim))
    probabilities = _softmax(query @ key.transpose(0, 1, 3, 2))  # (batch, heads, query position, key position)
    merged = (probabilities @ value).transpose(0, 2, 1, 3).reshape(batch * length, width)
    attended = merged @ parameters["attention_output"]
    attended += parameters["attention_output_bias"]
    attended += inputs
    normed0, normalised0, inverse0 = _layer_norm(attended, parameters["gamma0"], parameters["beta0"])
    hidden = normed0 @ parameters["feed_forward0"]
    hidden += parameters["feed_forward_bias0"]
    numpy.maximum(hidden, 0, out=hidden)
    added = hidden @ parameters["feed_forward1"]
    added += parameters["feed_forward_bias1"]
    added += normed0
    normed1, normalised1, inverse1 = _layer_norm(added, parameters["gamma1"], parameters["beta1"])
    pooled = normed1.reshape(batch, length, width).mean(axis=1)
    logits = pooled @ parameters["w0"]
    logits += parameters["b0"]
    residuals = (inputs, query, key, value, probabilities, merged, normed0, normalised0, inverse0, hidden)
    return logits, residuals + (normalised1, inverse1, pooled)


def _transformer_step(parameters, x, y):
    batch, length, width = x.shape
    logits, residuals = transformer_forward(parameters, x)
    inputs, query, key, value, probabilities, merged, normed0, normalised0, inverse0, hidden = residuals[:10]
    normalised1, inverse1, pooled = residuals[10:]
    d_logits = _logits_gradient(logits, y)
    gradients = {"w0": pooled.T @ d_logits, "b0": _column_sums(d_logits)}
    d_pooled = d_logits @ parameters["w0"].T
    d_pooled /= length
    d_normed1 = numpy.broadcast_to(d_pooled[:, None], (batch, length, width)).reshape(batch * length, width)
    d_added, gradients["gamma1"], gradients["beta1"] = _layer_norm_backward(
        d_normed1, normalised1, inverse1, parameters["gamma1"]
    )
    gradients.update(feed_forward1=hidden.T @ d_added, feed_forward_bias1=_column_sums(d_added))
    d_hidden = d_added @ parameters["feed_forward1"].T
    d_hidden *= hidden > 0
    gradients.update(feed_forward0=normed0.T @ d_hidden, feed_forward_bias0=_column_sums(d_hidden))
    d_normed0 = d_hidden @ parameters["feed_forward0"].T
    d_normed0 += d_added
    d_attended, gradients["gamma0"], gradients["beta0"] = _layer_norm_backward(
        d_normed0, normalised0, inverse0, parameters["gamma0"]
    )
    gradients.update(attention_output=merged.T @ d_attended, attention_output_bias=_column_sums(d_attended))
    d_heads = (d_attended @ parameters["attention_output"].T).reshape(batch, length, HEADS, width // HEADS)
    d_heads = d_heads.transpose(0, 2, 1, 3)
    d_projected = numpy.empty((batch, length, 3, HEADS, width // HEADS), FLOAT)
    d_query, d_key, d_value = d_projected.transpose(2, 0, 3, 1, 4)
    numpy.matmul(probabilities.transpose(0, 1, 3, 2), d_heads, out=d_value)
    d_scores = d_heads @ value.transpose(0, 1, 3, 2)
    d_scores -= (d_scores * probabilities).sum(axis=-1, keepdims=True)
    d_scores *= probabilities
    numpy.matmul(d_scores, key, out=d_query)
    d_query *= FLOAT(1 / numpy.sqrt(width // HEADS))
    numpy.matmul(d_scores.transpose(0, 1, 3, 2), query, out=d_key)  # the query was scaled in the forward pass
    d_projected = d_projected.reshape(batch * length, 3 * width)
    gradients.update(projection=inputs.T @ d_projected, projection_bias=_column_sums(d_projected))
    _update(parameters, gradients)


RESNET50_STAGES = (3, 4, 6, 3)


def _resnet50_blocks():
    """(Keras's name, filters, stride, whether it has a shortcut convolution) of each bottleneck block."""
    for stage, count in enumerate(RESNET50_STAGES):
        for index in range(count):
            yield f"conv{stage + 2}_block{index + 1}", 64 * 2**stage, 2 if stage and not index else 1, index == 0


def resnet50_convolutions():
    """(Keras's name, size, in channels, filters) of each convolution of ResNet-50 (Keras's convention)."""
    yield "conv1", 7, 3, 64
    channels = 64
    for name, filters, _, shortcut in _resnet50_blocks():
        if shortcut:
            yield f"{name}_0", 1, channels, 4 * filters
        yield f"{name}_1", 1, channels, filters
        yield f"{name}_2", 3, filters, filters
        yield f"{name}_3", 1, filters, 4 * filters
        channels = 4 * filters


def fold_batch_norms(convolutions, epsilon=1.001e-5):
    """ResNet-50's inference parameters from Keras's weights ({name: (kernel, bias, gamma, beta, moving mean,
    moving variance)}): each convolution with its batch norm folded in, as (kernel matrix, bias)."""
    folded = {}
    for name, (kernel, bias, gamma, beta, mean, variance) in convolutions.items():
        scale = gamma / numpy.sqrt(variance + epsilon)
        folded[name] = (
            (kernel.reshape(-1, kernel.shape[-1]) * scale).astype(FLOAT),
            ((bias - mean) * scale + beta).astype(FLOAT),
        )
    return folded


def _resnet50_parameters(workload, rng):
    """Keras's initial weights (Glorot-uniform kernels, zero biases, batch norms the identity) folded."""
    weights = {
        name: (
            _conv_kernel(rng, size, channels, filters).reshape(size, size, channels, filters),
            numpy.zeros(filters, FLOAT),
            numpy.ones(filters, FLOAT),
            numpy.zeros(filters, FLOAT),
            numpy.zeros(filters, FLOAT),
            numpy.ones(filters, FLOAT),
        )
        for name, size, channels, filters in resnet50_convolutions()
    }
    predictions = (_uniform(rng, (2048, workload.classes)), numpy.zeros(workload.classes, FLOAT))
    return {**fold_batch_norms(weights), "predictions": predictions}


def _convolution_rows(x, size, stride):
    """ResNet-50's convolution inputs as matmul rows: a 1x1 convolution's strided pixels, a larger one's windows
    after size // 2 zeros on each side (Keras's "same" for 3x3 stride 1, conv1's explicit padding for 7x7):
    (rows, (batch, output height, output width))."""
    if size == 1:
        x = x[:, ::stride, ::stride]
        return x.reshape(-1, x.shape[-1]), x.shape[:3]
    return _windows(_pad(x, size // 2), size, stride)


def _pad(x, padding):
    batch, height, width, channels = x.shape
    padded = numpy.zeros((batch, height + 2 * padding, width + 2 * padding, channels), FLOAT)
    padded[:, padding:-padding, padding:-padding] = x
    return padded


def _convolve(x, weights, size, stride, relu=True):
    """A convolution with its batch norm folded in, as one matmul over all windows."""
    matrix, bias = weights
    rows, output_shape = _convolution_rows(x, size, stride)
    output = rows @ matrix
    output += bias
    if relu:
        numpy.maximum(output, 0, out=output)
    return output.reshape(*output_shape, -1)


def _pool_windows(padded, out_height, out_width):
    """The nine taps of 3x3 windows at stride 2 over `padded`, as strided views."""
    for row in range(3):
        for column in range(3):
            yield padded[:, row : row + 2 * out_height : 2, column : column + 2 * out_width : 2]


def _max_pool_3_2(x):
    """3x3 max pooling, stride 2, after one row and column of zeros on each side (the input follows a ReLU)."""
    batch, height, width, channels = x.shape
    taps = _pool_windows(_pad(x, 1), (height - 1) // 2 + 1, (width - 1) // 2 + 1)
    pooled = next(taps).copy()
    for window in taps:
        numpy.maximum(pooled, window, out=pooled)
    return pooled


def resnet50_logits(parameters, x):
    """ResNet-50 (Keras's convention: conv biases, a bottleneck's stride on its first 1x1 convolution) up to
    the classifier's logits."""
    x = _max_pool_3_2(_convolve(x, parameters["conv1"], 7, 2))
    for name, _, stride, shortcut in _resnet50_blocks():
        residual = _convolve(x, parameters[f"{name}_0"], 1, stride, relu=False) if shortcut else x
        x = _convolve(x, parameters[f"{name}_1"], 1, stride)
        x = _convolve(x, parameters[f"{name}_2"], 3, 1)
        x = _convolve(x, parameters[f"{name}_3"], 1, 1, relu=False)
        x += residual
        numpy.maximum(x, 0, out=x)
    kernel, bias = parameters["predictions"]
    logits = x.mean(axis=(1, 2)) @ kernel
    logits += bias
    return logits


def _resnet50_inference(parameters, x, y):
    """The forward pass with the softmax of Keras's ResNet50 head."""
    return _softmax(resnet50_logits(parameters, x))


def _resnet50_train_parameters(workload, rng):
    """Keras's initial weights: Glorot-uniform kernels (as matrices), zero biases, batch norms the identity."""
    parameters = _dense_parameters(rng, [2048, workload.classes])
    for name, size, channels, filters in resnet50_convolutions():
        parameters[f"{name}_kernel"] = _conv_kernel(rng, size, channels, filters)
        for key, value in (("bias", 0), ("gamma", 1), ("beta", 0), ("moving_mean", 0), ("moving_variance", 1)):
            parameters[f"{name}_{key}"] = numpy.full(filters, value, FLOAT)
    return parameters


def _conv_bn_train(x, parameters, name, size, stride, relu=True, momentum=0.99, epsilon=1.001e-5):
    """A convolution, then batch norm on the batch's statistics (the moving ones updated as Keras does), then
    ReLU: (the output, the residuals: the normalised rows, 1/σ)."""
    rows, output_shape = _convolution_rows(x, size, stride)
    z = rows @ parameters[f"{name}_kernel"]
    z += parameters[f"{name}_bias"]
    mean = _column_sums(z) / len(z)
    z -= mean
    variance = _column_sums(numpy.square(z)) / len(z)
    for key, statistic in (("moving_mean", mean), ("moving_variance", variance)):
        moving = parameters[f"{name}_{key}"]
        moving *= momentum
        moving += (1 - momentum) * statistic
    inverse = 1 / numpy.sqrt(variance + epsilon)
    z *= inverse
    return _batch_norm_output(z, parameters, name, relu).reshape(*output_shape, -1), (z, inverse)


def _batch_norm_output(normalised, parameters, name, relu):
    output = normalised * parameters[f"{name}_gamma"]
    output += parameters[f"{name}_beta"]
    if relu:
        numpy.maximum(output, 0, out=output)
    return output


def _conv_bn_backward(d_output, x, output, residuals, parameters, name, size, stride, gradients):
    """The gradients of `_conv_bn_train` (into `gradients`) from its output's; `output` is that output when it
    went through a ReLU, else None. Returns the gradient of the convolution's output rows."""
    normalised, inverse = residuals
    d_output = d_output.reshape(normalised.shape)
    if output is not None:
        d_output = d_output * (output.reshape(normalised.shape) > 0)
    count = len(normalised)
    d_beta = _column_sums(d_output)
    d_gamma = _column_sums(d_output * normalised)
    d_z = normalised * (-d_gamma / count)
    d_z += d_output
    d_z -= d_beta / count
    d_z *= parameters[f"{name}_gamma"] * inverse
    rows, _ = _convolution_rows(x, size, stride)  # recomputed: keeping every window would take gigabytes
    gradients.update(
        {
            f"{name}_kernel": rows.T @ d_z,
            f"{name}_bias": _column_sums(d_z),
            f"{name}_gamma": d_gamma,
            f"{name}_beta": d_beta,
        }
    )
    return d_z


def _conv_bn_input_gradient(d_output, x, output, residuals, parameters, name, size, stride, gradients):
    """`_conv_bn_backward`, then the gradient of the convolution's input `x`."""
    d_z = _conv_bn_backward(d_output, x, output, residuals, parameters, name, size, stride, gradients)
    kernel = parameters[f"{name}_kernel"]
    if size > 1:  # 3x3 stride 1, "same": the gradient of the padded input, cropped
        padding = size // 2
        batch, height, width, channels = x.shape
        padded_shape = (batch, height + 2 * padding, width + 2 * padding, channels)
        return _convolution_input_gradient(d_z, kernel, padded_shape, size)[:, padding:-padding, padding:-padding]
    d_rows = d_z @ kernel.T
    if stride == 1:
        return d_rows.reshape(x.shape)
    d_input = numpy.zeros(x.shape, FLOAT)
    strided = d_input[:, ::stride, ::stride]
    strided[...] = d_rows.reshape(strided.shape)
    return d_input


def _relu_max_pool_3_2_backward(d_pooled, pooled, x):
    """The gradient of a ReLU then `_max_pool_3_2`, to each window's maximum where it is positive (so it lands
    on positive inputs only, which is the ReLU's gradient too); overlapping windows add up."""
    d_pooled = d_pooled * (pooled > 0)
    batch, height, width, channels = x.shape
    padded = _pad(x, 1)
    d_padded = numpy.zeros(padded.shape, FLOAT)
    out_height, out_width = pooled.shape[1:3]
    for window, d_window in zip(
        _pool_windows(padded, out_height, out_width), _pool_windows(d_padded, out_height, out_width)
    ):
        d_window += (window == pooled) * d_pooled
    return d_padded[:, 1:-1, 1:-1]


def _resnet50_train_step(parameters, x, y):
    """Keras's ResNet50 as the workload trains it: batch norms on the batch's statistics, and the loss from
    logits taken on the softmax of its head (the workload's model keeps `classifier_activation="softmax"`)."""
    gradients = {}
    stem, stem_residuals = _conv_bn_train(x, parameters, "conv1", 7, 2)
    h = _max_pool_3_2(stem)
    pooled = h
    saved = []
    for name, _, stride, shortcut in _resnet50_blocks():
        block_input = h
        if shortcut:
            shortcut_output, shortcut_residuals = _conv_bn_train(h, parameters, f"{name}_0", 1, stride, relu=False)
        else:
            shortcut_output, shortcut_residuals = h, None
        h, residuals1 = _conv_bn_train(h, parameters, f"{name}_1", 1, stride)
        h, residuals2 = _conv_bn_train(h, parameters, f"{name}_2", 3, 1)
        h, residuals3 = _conv_bn_train(h, parameters, f"{name}_3", 1, 1, relu=False)
        h += shortcut_output
        numpy.maximum(h, 0, out=h)
        saved.append((block_input, h, shortcut_residuals, residuals1, residuals2, residuals3))
    batch, height, width, channels = h.shape
    features = h.mean(axis=(1, 2))
    probabilities = features @ parameters["w0"]
    probabilities += parameters["b0"]
    _softmax(probabilities)  # the model's head
    d_probabilities = _logits_gradient(probabilities.copy(), y)
    d_logits = d_probabilities - (d_probabilities * probabilities).sum(axis=1, keepdims=True)
    d_logits *= probabilities
    gradients.update(w0=features.T @ d_logits, b0=_column_sums(d_logits))
    d_features = d_logits @ parameters["w0"].T
    d_features /= height * width
    d_h = numpy.broadcast_to(d_features[:, None, None], h.shape)
    for (name, _, stride, shortcut), (block_input, output, *residuals) in zip(
        reversed(list(_resnet50_blocks())), reversed(saved)
    ):
        shortcut_residuals, residuals1, residuals2, residuals3 = residuals
        d_output = d_h * (output > 0)
        h1 = _batch_norm_output(residuals1[0], parameters, f"{name}_1", True).reshape(output.shape[:3] + (-1,))
        h2 = _batch_norm_output(residuals2[0], parameters, f"{name}_2", True).reshape(h1.shape)
        d_h2 = _conv_bn_input_gradient(d_output, h2, None, residuals3, parameters, f"{name}_3", 1, 1, gradients)
        d_h1 = _conv_bn_input_gradient(d_h2, h1, h2, residuals2, parameters, f"{name}_2", 3, 1, gradients)
        d_h = _conv_bn_input_gradient(d_h1, block_input, h1, residuals1, parameters, f"{name}_1", 1, stride, gradients)
        if shortcut:
            d_h += _conv_bn_input_gradient(
                d_output, block_input, None, shortcut_residuals, parameters, f"{name}_0", 1, stride, gradients
            )
        else:
            d_h += d_output
    d_stem = _relu_max_pool_3_2_backward(d_h, pooled, stem)
    _conv_bn_backward(d_stem, x, None, stem_residuals, parameters, "conv1", 7, 2, gradients)
    _update(parameters, gradients)


STEPS = {
    "mlp": (_mlp_parameters, _mlp_step),
    "cnn": (_cnn_parameters, _cnn_step),
    "tiny": (_tiny_parameters, _tiny_step),
    "lstm": (_lstm_parameters, _lstm_step),
    "gru": (_gru_parameters, _gru_step),
    "transformer": (_transformer_parameters, _transformer_step),
    "resnet50-train": (_resnet50_train_parameters, _resnet50_train_step),
    "resnet50-infer": (_resnet50_parameters, _resnet50_inference),
}


def seconds(workload, x, y, batch):
    """Seconds for one pass over (x, y) in batches, after a one-batch warm-up step, with glibc's allocator tuned
    as kerasish tunes it when training or inference starts (each step's large temporaries reused, not faulted
    in again: the CNN's step 1.45x faster, the transformer's 1.1x, measured)."""
    allocator.tune()
    make_parameters, step = STEPS[workload.name]
    parameters = make_parameters(workload, numpy.random.default_rng(0))
    step(parameters, x[:batch], y[:batch])
    start = time.perf_counter()
    for first in range(0, len(x), batch):
        step(parameters, x[first : first + batch], y[first : first + batch])
    return time.perf_counter() - start
