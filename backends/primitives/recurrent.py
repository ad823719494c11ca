"""The fused LSTM and GRU recurrences: a whole sequence as one primitive, as Keras runs cuDNN's kernel.

The layers project every step's inputs at once (one matmul that adds the input bias too, outside these
primitives, so the input kernel's and bias's gradients are one product) and hand the projected steps to
`lstm_sequence` or `gru_sequence` time-major and feature-major, (steps, gates·units, batch): each step's
values are (features, batch) blocks, contiguous, so every ufunc of the loop runs on whole contiguous blocks
(on strided rows they run 2-10x slower), and the recurrent product is (gates·units, units) @ (units, batch),
which BLAS runs faster than (batch, units) @ (units, gates·units) for the LSTM (units 256, batch 64: 18
against 21 ms for 50 steps; about even for the GRU). The forward is one loop over time writing straight into
its one output, which holds per step what the layer returns and what the backward reads, stacked along axis
1, after a first row of the initial states:
  lstm_sequence: [h, c, i, f, g, o]               (steps + 1, 6·units, batch), gates after their activations
  gru_sequence:  [h, z, r, candidate, inner_h]    (steps + 1, 5·units, batch), inner_h = h_prev @ R_h + b_h
(row 0: [h0, c0, zeros] / [h0, zeros]). The recurrent activation is the sigmoid, computed as
0.5·tanh(0.5·x) + 0.5 (one transcendental; below x ≈ -17 it gives 0 where 1 / (1 + exp(-x)) keeps a value
under 4e-8).

The VJP of each is a second primitive, a loop backwards over time giving, per step, the gradients of the
gate pre-activations, written in place into its output, time-major like the projected steps:
  lstm_sequence_grad: [dz (4·units)]                           (steps + 1, 4·units, batch)
  gru_sequence_grad:  [d projected (3·units), d inner (3·units)]  (steps + 1, 6·units, batch)
its last row holding the initial states' gradients ([dh0, dc0, zeros] / [dh0, zeros]). The parameter
gradients are then single products in `ops` (the recurrent kernel's: one (units, steps·batch) ·
(steps·batch, gates·units) matmul over both operands laid out by feature). Like cuDNN's, the backward has no
gradient of its own: differentiating it is an error that says to pass `use_cudnn=False`, which keeps the
per-step path and its higher orders.
"""

from .registry import ops, primitive, result_dtype


def _sigmoid(xp, x, out):
    """sigmoid(x) into `out` (which may be `x`)."""
    xp.multiply(x, 0.5, out=out)
    xp.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def _sigmoid_slope(xp, s, out):
    """s·(1 - s), the sigmoid's derivative from its value, into `out`."""
    xp.multiply(s, s, out=out)
    xp.subtract(s, out, out=out)
    return out


def _tanh_slope(xp, t, out):
    """1 - t², the tanh's derivative from its value, into `out`."""
    xp.multiply(t, t, out=out)
    xp.subtract(1, out, out=out)
    return out


def _by_feature(steps):
    """(steps, features, batch) as (features, steps·batch), every step's columns side by side."""
    return ops.reshape(ops.transpose(steps, (1, 0, 2)), (steps.shape[1], -1))


# ----- shapes ------------------------------------------------------------------------------------


def _units(name, kernel_shape, gates):
    if len(kernel_shape) != 2:
        raise ValueError(
            f"{name}: the recurrent kernel must have shape (units, {gates} * units). Received: shape={kernel_shape}"
        )
    units, width = kernel_shape
    if units is not None and width is not None and width != gates * units:
        raise ValueError(
            f"{name}: the recurrent kernel must have shape (units, {gates} * units). Received: shape={kernel_shape}"
        )
    return units


def _check(name, label, shape, expected):
    if len(shape) != len(expected) or any(a is not None and b is not None and a != b for a, b in zip(shape, expected)):
        raise ValueError(f"{name}: {label} must have shape {expected}. Received: {label}.shape={shape}")


def _sequence_infer(name, gates, stacked, states):
    def infer(shapes, dtypes):
        projected, kernel = tuple(shapes[0]), tuple(shapes[1 + states])
        units = _units(name, kernel, gates)
        steps, _, batch = (projected + (None, None, None))[:3]
        width = None if units is None else gates * units
        _check(name, "projected", projected, (steps, width, batch))
        for label, shape in zip(("h0", "c0")[:states], shapes[1 : 1 + states]):
            _check(name, label, tuple(shape), (batch, units))
        if len(shapes) > 2 + states:
            _check(name, "recurrent_bias", tuple(shapes[2 + states]), (width,))
        rows = None if steps is None else steps + 1
        return (rows, None if units is None else stacked * units, batch), result_dtype(*dtypes)

    return infer


def _grad_infer(name, stacked):
    def infer(shapes, dtypes):
        output, kernel = tuple(shapes[1]), tuple(shapes[2])
        _check(name, "grad", tuple(shapes[0]), output)
        units = kernel[0]
        return (output[0], None if units is None else stacked * units, output[2]), result_dtype(*dtypes)

    return infer


def _no_second_order(layer, name):
    def vjp(g, inputs, output, needs):
        raise NotImplementedError(
            f"{name}: the fused {layer} recurrence (use_cudnn='auto' or True, Keras's cuDNN path) has no "
            f"gradient of its own, as cuDNN's has none; pass use_cudnn=False to the {layer} layer for "
            "higher-order gradients"
        )

    return vjp


# ----- LSTM (time-major, feature-major) ----------------------------------------------------------


def _lstm_forward(xp, projected, h0, c0, recurrent_kernel):
    steps, width, batch = projected.shape
    units = width // 4
    dtype = result_dtype(projected.dtype, h0.dtype, c0.dtype, recurrent_kernel.dtype)
    output = xp.empty((steps + 1, 6 * units, batch), dtype)
    output[0, :units], output[0, units : 2 * units], output[0, 2 * units :] = h0.T, c0.T, 0
    # (4·units, units) @ (units, batch) runs faster in BLAS than the batch-major (batch, units) @ (units, 4·units)
    transposed = xp.ascontiguousarray(recurrent_kernel.T)
    product = xp.empty((units, batch), dtype)
    for step in range(steps):
        previous, row = output[step], output[step + 1]
        z = row[2 * units :]
        xp.matmul(transposed, previous[:units], out=z)
        z += projected[step]
        i, f, g, o = z[:units], z[units : 2 * units], z[2 * units : 3 * units], z[3 * units :]
        # sigmoid(x) = 0.5·tanh(0.5·x) + 0.5 for i, f and o: one tanh over all four gates
        z[: 2 * units] *= 0.5
        o *= 0.5
        xp.tanh(z, out=z)
        for gate in (z[: 2 * units], o):
            gate *= 0.5
            gate += 0.5
        c, h = row[units : 2 * units], row[:units]
        xp.multiply(f, previous[units : 2 * units], out=c)
        c += xp.multiply(i, g, out=product)
        xp.tanh(c, out=h)
        h *= o
    return output


def _lstm_grad_forward(xp, grad, output, recurrent_kernel):
    steps, batch = output.shape[0] - 1, output.shape[2]
    units = recurrent_kernel.shape[0]
    dtype = output.dtype
    back = xp.empty((steps + 1, 4 * units, batch), dtype)
    dh, dc, tanh_c = (xp.zeros((units, batch), dtype) for _ in range(3))
    slope = xp.empty((4 * units, batch), dtype)
    slope_g = slope[2 * units : 3 * units]
    kernel = xp.ascontiguousarray(recurrent_kernel)
    for step in range(steps, 0, -1):
        row, upstream, dz = output[step], grad[step], back[step - 1]
        z = row[2 * units :]
        i, f, g, o = z[:units], z[units : 2 * units], z[2 * units : 3 * units], z[3 * units :]
        d_i, d_f, d_g, d_o = dz[:units], dz[units : 2 * units], dz[2 * units : 3 * units], dz[3 * units :]
        dh += upstream[:units]
        dc += upstream[units : 2 * units]
        xp.tanh(row[units : 2 * units], out=tanh_c)
        xp.multiply(dh, tanh_c, out=d_o)
        _tanh_slope(xp, tanh_c, tanh_c)
        tanh_c *= o
        tanh_c *= dh
        dc += tanh_c
        xp.multiply(dc, g, out=d_i)
        xp.multiply(dc, output[step - 1, units : 2 * units], out=d_f)
        xp.multiply(dc, i, out=d_g)
        dz += upstream[2 * units :]  # what reaches the gates' values themselves
        _sigmoid_slope(xp, z, slope)
        _tanh_slope(xp, g, slope_g)
        dz *= slope
        dc *= f
        xp.matmul(kernel, dz, out=dh)
    dh += grad[0, :units]
    dc += grad[0, units : 2 * units]
    last = back[steps]
    last[:units], last[units : 2 * units], last[2 * units :] = dh, dc, 0
    return back


def _lstm_vjp(g, inputs, output, needs):
    recurrent_kernel = inputs[3]
    units = recurrent_kernel.shape[0]
    back = _lstm_sequence_grad(g, output, recurrent_kernel)
    gates = back[:-1]  # (steps, 4·units, batch)
    d_kernel = None
    if needs[3]:  # one (units, steps·batch) · (steps·batch, 4·units) product
        d_kernel = ops.matmul(_by_feature(output[:-1, :units]), ops.transpose(_by_feature(gates)))
    return (
        gates if needs[0] else None,
        ops.transpose(back[-1, :units]) if needs[1] else None,
        ops.transpose(back[-1, units : 2 * units]) if needs[2] else None,
        d_kernel,
    )


_lstm_sequence = primitive(
    "lstm_sequence",
    _lstm_forward,
    _lstm_vjp,
    _sequence_infer("lstm_sequence", 4, 6, 2),
    saves=(3, "output"),
    fresh=True,
)
_lstm_sequence_grad = primitive(
    "lstm_sequence_grad",
    _lstm_grad_forward,
    _no_second_order("LSTM", "lstm_sequence_grad"),
    _grad_infer("lstm_sequence_grad", 4),
    saves=(),
    fresh=True,
)


def lstm_sequence(projected, h0, c0, recurrent_kernel):
    """The LSTM recurrence (Keras gate order i, f, c, o) over projected steps, time-major and feature-major
    (steps, 4·units, batch) = (inputs @ kernel + bias)ᵀ per step: (steps + 1, 6·units, batch), per step
    [h, c, i, f, g, o]ᵀ, step 0 holding [h0, c0]ᵀ and zero gates."""
    return _lstm_sequence(projected, h0, c0, recurrent_kernel)


# ----- GRU (reset_after=True; time-major, feature-major) -----------------------------------------


def _gru_forward(xp, projected, h0, recurrent_kernel, recurrent_bias):
    steps, width, batch = projected.shape
    units = width // 3
    dtype = result_dtype(projected.dtype, h0.dtype, recurrent_kernel.dtype, recurrent_bias.dtype)
    output = xp.empty((steps + 1, 5 * units, batch), dtype)
    output[0, :units], output[0, units:] = h0.T, 0
    transposed = xp.ascontiguousarray(recurrent_kernel.T)
    bias = recurrent_bias.reshape(width, 1)
    inner = xp.empty((width, batch), dtype)
    for step in range(steps):
        previous, row, x = output[step, :units], output[step + 1], projected[step]
        xp.matmul(transposed, previous, out=inner)
        inner += bias
        gates, candidate, h = row[units : 3 * units], row[3 * units : 4 * units], row[:units]
        z, r = gates[:units], gates[units:]
        _sigmoid(xp, xp.add(x[: 2 * units], inner[: 2 * units], out=gates), gates)
        xp.multiply(r, inner[2 * units :], out=candidate)
        candidate += x[2 * units :]
        xp.tanh(candidate, out=candidate)
        xp.subtract(previous, candidate, out=h)
        h *= z
        h += candidate
        row[4 * units :] = inner[2 * units :]
    return output


def _gru_grad_forward(xp, grad, output, recurrent_kernel):
    steps, batch = output.shape[0] - 1, output.shape[2]
    units = recurrent_kernel.shape[0]
    dtype = output.dtype
    # per step: the gradients of the projected inputs (z, r, candidate pre-activations), then of inner
    back = xp.empty((steps + 1, 6 * units, batch), dtype)
    dh = xp.zeros((units, batch), dtype)
    slope = xp.empty((2 * units, batch), dtype)
    recurrent = xp.empty((units, batch), dtype)
    kernel = xp.ascontiguousarray(recurrent_kernel)
    for step in range(steps, 0, -1):
        row, upstream, previous = output[step], grad[step], output[step - 1, :units]
        gates, candidate, inner_h = row[units : 3 * units], row[3 * units : 4 * units], row[4 * units :]
        z, r = gates[:units], gates[units:]
        d_projected, d_inner = back[step - 1, : 3 * units], back[step - 1, 3 * units :]
        d_gates, d_candidate = d_projected[: 2 * units], d_projected[2 * units :]
        dh += upstream[:units]
        xp.subtract(previous, candidate, out=d_gates[:units])
        d_gates[:units] *= dh  # d z
        xp.subtract(1, z, out=d_candidate)
        d_candidate *= dh
        d_candidate += upstream[3 * units : 4 * units]
        d_candidate *= _tanh_slope(xp, candidate, recurrent)  # d of the candidate's pre-activation
        xp.multiply(d_candidate, inner_h, out=d_gates[units:])  # d r
        xp.multiply(d_candidate, r, out=d_inner[2 * units :])  # d inner_h
        d_gates += upstream[units : 3 * units]  # what reaches z, r and inner_h themselves
        d_inner[2 * units :] += upstream[4 * units :]
        d_gates *= _sigmoid_slope(xp, gates, slope)
        d_inner[: 2 * units] = d_gates
        dh *= z
        dh += xp.matmul(kernel, d_inner, out=recurrent)
    dh += grad[0, :units]
    back[steps, :units], back[steps, units:] = dh, 0
    return back


def _gru_vjp(g, inputs, output, needs):
    recurrent_kernel = inputs[2]
    units = recurrent_kernel.shape[0]
    back = _gru_sequence_grad(g, output, recurrent_kernel)
    d_inner = _by_feature(back[:-1, 3 * units :])  # (3·units, steps·batch)
    d_kernel = None
    if needs[2]:  # one (units, steps·batch) · (steps·batch, 3·units) product
        d_kernel = ops.matmul(_by_feature(output[:-1, :units]), ops.transpose(d_inner))
    return (
        back[:-1, : 3 * units] if needs[0] else None,
        ops.transpose(back[-1, :units]) if needs[1] else None,
        d_kernel,
        ops.sum(d_inner, axis=1) if needs[3] else None,
    )


_gru_sequence = primitive(
    "gru_sequence",
    _gru_forward,
    _gru_vjp,
    _sequence_infer("gru_sequence", 3, 5, 1),
    saves=(2, "output"),
    fresh=True,
)
_gru_sequence_grad = primitive(
    "gru_sequence_grad",
    _gru_grad_forward,
    _no_second_order("GRU", "gru_sequence_grad"),
    _grad_infer("gru_sequence_grad", 6),
    saves=(),
    fresh=True,
)


def gru_sequence(projected, h0, recurrent_kernel, recurrent_bias):
    """The GRU recurrence with reset_after=True (Keras gate order z, r, h) over projected steps, time-major and
    feature-major (steps, 3·units, batch) = (inputs @ kernel + input bias)ᵀ per step: (steps + 1, 5·units,
    batch), per step [h, z, r, candidate, inner_h]ᵀ (inner_h = h_prev @ R_h + b_h), step 0 holding h0ᵀ and
    zeros."""
    return _gru_sequence(projected, h0, recurrent_kernel, recurrent_bias)
