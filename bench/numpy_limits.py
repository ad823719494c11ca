"""What numpy allows: each train workload's step (forward, loss gradient, backward, SGD update) written out
by hand in numpy, float32, with the work laid out as a careful person would (the recurrent layers' input
projections and kernel gradients as one matmul over all steps, gate residuals kept from the forward pass).
bench/run.py shows it as the "numpy-limit" column: how far each engine is from the same arithmetic with no
framework around it.

`STEPS` maps a workload name to (`parameters(workload, rng)`, `step(parameters, x, y)`); `seconds` times
one pass over the data as bench/run.py times the frameworks (after a one-batch warm-up).
"""

import time

import numpy
from workloads import RATE

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


def _logits_gradient(logits, labels):
    """The gradient of the mean sparse categorical cross-entropy from logits."""
    logits -= logits.max(axis=1, keepdims=True)
    numpy.exp(logits, out=logits)
    logits /= logits.sum(axis=1, keepdims=True)
    logits[numpy.arange(len(labels)), labels] -= 1
    logits /= len(labels)
    return logits


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
            "b2": d3.sum(0),
            "w1": h1.T @ d2,
            "b1": d2.sum(0),
            "w0": x.T @ d1,
            "b0": d1.sum(0),
        },
    )


def _tiny_parameters(workload, rng):
    return _dense_parameters(rng, [4, 1])


def _tiny_step(parameters, x, y):
    error = x @ parameters["w0"] + parameters["b0"] - y
    error *= 2.0 / error.size
    _update(parameters, {"w0": x.T @ error, "b0": error.sum(0)})


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


def _time_major(x):
    batch, steps, features = x.shape
    return numpy.ascontiguousarray(x.transpose(1, 0, 2)).reshape(steps * batch, features), steps, batch


def _classifier_backward(parameters, last, y):
    gradient = _logits_gradient(last @ parameters["w0"] + parameters["b0"], y)
    return gradient @ parameters["w0"].T, {"w0": last.T @ gradient, "b0": gradient.sum(0)}


def _lstm_step(parameters, x, y):
    """Keras gate order (i, f, c, o); one bias."""
    inputs, steps, batch = _time_major(x)
    recurrent = parameters["recurrent"]
    units = recurrent.shape[0]
    gates = (inputs @ parameters["kernel"] + parameters["bias"]).reshape(steps, batch, 4 * units)
    cells = numpy.zeros((steps + 1, batch, units), FLOAT)
    hiddens = numpy.zeros((steps + 1, batch, units), FLOAT)
    for t in range(steps):
        z = gates[t]
        z += hiddens[t] @ recurrent
        _sigmoid(z[:, : 2 * units])
        _sigmoid(z[:, 3 * units :])
        numpy.tanh(z[:, 2 * units : 3 * units], out=z[:, 2 * units : 3 * units])
        i, f, g, o = z[:, :units], z[:, units : 2 * units], z[:, 2 * units : 3 * units], z[:, 3 * units :]
        cells[t + 1] = f * cells[t] + i * g
        hiddens[t + 1] = o * numpy.tanh(cells[t + 1])
    dh, gradients = _classifier_backward(parameters, hiddens[steps], y)
    dc = numpy.zeros_like(dh)
    dz = numpy.empty_like(gates)
    for t in reversed(range(steps)):
        z = gates[t]
        i, f, g, o = z[:, :units], z[:, units : 2 * units], z[:, 2 * units : 3 * units], z[:, 3 * units :]
        tanh_c = numpy.tanh(cells[t + 1])
        dc += dh * o * (1 - tanh_c * tanh_c)
        dz[t, :, :units] = dc * g * i * (1 - i)
        dz[t, :, units : 2 * units] = dc * cells[t] * f * (1 - f)
        dz[t, :, 2 * units : 3 * units] = dc * i * (1 - g * g)
        dz[t, :, 3 * units :] = dh * tanh_c * o * (1 - o)
        dc *= f
        dh = dz[t] @ recurrent.T
    dz = dz.reshape(steps * batch, 4 * units)
    gradients.update(
        kernel=inputs.T @ dz,
        recurrent=hiddens[:steps].reshape(steps * batch, units).T @ dz,
        bias=dz.sum(0),
    )
    _update(parameters, gradients)


def _gru_step(parameters, x, y):
    """Keras's GRU with reset_after=True (gate order z, r, candidate; an input and a recurrent bias)."""
    inputs, steps, batch = _time_major(x)
    recurrent = parameters["recurrent"]
    units = recurrent.shape[0]
    projected = (inputs @ parameters["kernel"] + parameters["bias"]).reshape(steps, batch, 3 * units)
    inners = numpy.empty_like(projected)
    hiddens = numpy.zeros((steps + 1, batch, units), FLOAT)
    for t in range(steps):
        inner = inners[t]
        numpy.matmul(hiddens[t], recurrent, out=inner)
        inner += parameters["recurrent_bias"]
        gate = projected[t]
        gate[:, : 2 * units] += inner[:, : 2 * units]
        _sigmoid(gate[:, : 2 * units])
        candidate = gate[:, 2 * units :]
        candidate += gate[:, units : 2 * units] * inner[:, 2 * units :]
        numpy.tanh(candidate, out=candidate)
        update = gate[:, :units]
        hiddens[t + 1] = candidate + update * (hiddens[t] - candidate)
    dh, gradients = _classifier_backward(parameters, hiddens[steps], y)
    d_projected = numpy.empty_like(projected)
    d_inner = numpy.empty_like(projected)
    for t in reversed(range(steps)):
        gate = projected[t]
        update, reset, candidate = gate[:, :units], gate[:, units : 2 * units], gate[:, 2 * units :]
        d_candidate = dh * (1 - update) * (1 - candidate * candidate)
        d_projected[t, :, :units] = dh * (hiddens[t] - candidate) * update * (1 - update)
        d_projected[t, :, units : 2 * units] = d_candidate * inners[t, :, 2 * units :] * reset * (1 - reset)
        d_projected[t, :, 2 * units :] = d_candidate
        d_inner[t, :, : 2 * units] = d_projected[t, :, : 2 * units]
        d_inner[t, :, 2 * units :] = d_candidate * reset
        dh = dh * update + d_inner[t] @ recurrent.T
    d_projected = d_projected.reshape(steps * batch, 3 * units)
    d_inner = d_inner.reshape(steps * batch, 3 * units)
    gradients.update(
        kernel=inputs.T @ d_projected,
        bias=d_projected.sum(0),
        recurrent=hiddens[:steps].reshape(steps * batch, units).T @ d_inner,
        recurrent_bias=d_inner.sum(0),
    )
    _update(parameters, gradients)


STEPS = {
    "mlp": (_mlp_parameters, _mlp_step),
    "tiny": (_tiny_parameters, _tiny_step),
    "lstm": (_lstm_parameters, _lstm_step),
    "gru": (_gru_parameters, _gru_step),
}


def seconds(workload, x, y, batch):
    """Seconds for one pass over (x, y) in batches, after a one-batch warm-up step."""
    make_parameters, step = STEPS[workload.name]
    parameters = make_parameters(workload, numpy.random.default_rng(0))
    step(parameters, x[:batch], y[:batch])
    start = time.perf_counter()
    for first in range(0, len(x), batch):
        step(parameters, x[first : first + batch], y[first : first + batch])
    return time.perf_counter() - start
