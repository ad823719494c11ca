"""The fused LSTM and GRU recurrences: a whole sequence as one primitive, as Keras runs cuDNN's kernel.

The layers project every step's inputs at once (one matmul and the input bias, outside these
primitives, so the input kernel's gradient is one product) and hand the projected steps, batch-major
(batch, steps, gates·units) as Keras lays sequences out, to `lstm_sequence` or `gru_sequence`. Their
forward is one loop over time in preallocated contiguous buffers (ufuncs on strided rows run at half
speed), each step copied out once; their one output holds, per step, what the layer returns and what
the backward reads, side by side along the last axis:
  lstm_sequence: [h, c, i, f, g, o]               (batch, steps, 6·units), gates after their activations
  gru_sequence:  [h, z, r, candidate, inner_h]    (batch, steps, 5·units), inner_h = h_prev @ R_h + b_h
The recurrent activation is the sigmoid, computed as 0.5·tanh(0.5·x) + 0.5 (one transcendental; below
x ≈ -17 it gives 0 where 1 / (1 + exp(-x)) keeps a value under 4e-8).

The VJP of each is a second primitive, a loop backwards over time giving the gradients of the gate
pre-activations and of the previous state at every step:
  lstm_sequence_grad: [dz (4·units), dh_prev, dc_prev]                       (batch, steps, 6·units)
  gru_sequence_grad:  [d projected (3·units), d inner (3·units), dh_prev]   (batch, steps, 7·units)
and the parameter gradients are then single products in `ops` (the recurrent kernel's: one
(batch·steps, units)ᵀ·(batch·steps, gates·units) matmul). Like cuDNN's, the backward has no gradient
of its own: differentiating it is an error that says to pass `use_cudnn=False`, which keeps the
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


def _previous(output, initial, step, columns):
    return output[:, step - 1, columns] if step else initial


def _previous_states(output, h0, units):
    """h before each step, (batch·steps, units) in the order of the gradients' rows."""
    return ops.reshape(ops.concatenate([ops.expand_dims(h0, 1), output[:, :-1, :units]], axis=1), (-1, units))


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
        batch, steps = (projected + (None, None))[:2]
        width = None if units is None else gates * units
        _check(name, "projected", projected, (batch, steps, width))
        for label, shape in zip(("h0", "c0")[:states], shapes[1 : 1 + states]):
            _check(name, label, tuple(shape), (batch, units))
        if len(shapes) > 2 + states:
            _check(name, "recurrent_bias", tuple(shapes[2 + states]), (width,))
        return (batch, steps, None if units is None else stacked * units), result_dtype(*dtypes)

    return infer


def _grad_infer(name, stacked):
    def infer(shapes, dtypes):
        output, kernel = tuple(shapes[1]), tuple(shapes[-1])
        _check(name, "grad", tuple(shapes[0]), output)
        units = kernel[0]
        return output[:2] + (None if units is None else stacked * units,), result_dtype(*dtypes)

    return infer


def _no_second_order(layer, name):
    def vjp(g, inputs, output, needs):
        raise NotImplementedError(
            f"{name}: the fused {layer} recurrence (use_cudnn='auto' or True, Keras's cuDNN path) has no "
            f"gradient of its own, as cuDNN's has none; pass use_cudnn=False to the {layer} layer for "
            "higher-order gradients"
        )

    return vjp


# ----- LSTM --------------------------------------------------------------------------------------


def _lstm_forward(xp, projected, h0, c0, recurrent_kernel):
    batch, steps, width = projected.shape
    units = width // 4
    dtype = result_dtype(projected.dtype, h0.dtype, c0.dtype, recurrent_kernel.dtype)
    output = xp.empty((batch, steps, 6 * units), dtype)
    # the step's work in contiguous buffers (ufuncs run at half speed on strided rows), copied out once
    z = xp.empty((batch, width), dtype)
    h = xp.empty((batch, units), dtype)
    c = xp.empty((batch, units), dtype)
    h[...], c[...] = h0, c0
    product = xp.empty((batch, units), dtype)
    i, f, g, o = (z[:, k * units : (k + 1) * units] for k in range(4))
    # the gates in one pass each: tanh(scale·z)·scale + shift is the sigmoid (scale 0.5, shift 0.5) for
    # i, f and o, and tanh for g (scale 1, shift 0)
    scale = xp.full((width,), 0.5, dtype)
    scale[2 * units : 3 * units] = 1
    shift = 1 - scale
    # the layers' kernels come Fortran-ordered (orthogonal initializer): BLAS runs h @ kernel faster on a C copy
    recurrent_kernel = xp.ascontiguousarray(recurrent_kernel)
    for step in range(steps):
        xp.matmul(h, recurrent_kernel, out=z)
        z += projected[:, step]
        z *= scale
        xp.tanh(z, out=z)
        z *= scale
        z += shift
        c *= f
        c += xp.multiply(i, g, out=product)
        xp.tanh(c, out=h)
        h *= o
        row = output[:, step]
        row[:, :units], row[:, units : 2 * units], row[:, 2 * units :] = h, c, z
    return output


def _lstm_grad_forward(xp, grad, output, c0, recurrent_kernel):
    batch, steps, _ = output.shape
    units = recurrent_kernel.shape[0]
    dtype = output.dtype
    back = xp.empty((batch, steps, 6 * units), dtype)
    dh = xp.zeros((batch, units), dtype)
    dc = xp.zeros((batch, units), dtype)
    gates, dz, slope = (xp.empty((batch, 4 * units), dtype) for _ in range(3))  # contiguous, as in the forward
    i, f, g, o = (gates[:, k * units : (k + 1) * units] for k in range(4))
    d_i, d_f, d_g, d_o = (dz[:, k * units : (k + 1) * units] for k in range(4))
    tanh_c = xp.empty((batch, units), dtype)
    transposed = xp.ascontiguousarray(recurrent_kernel.T)  # BLAS runs the per-step product faster on it
    for step in range(steps - 1, -1, -1):
        row, upstream, grads = output[:, step], grad[:, step], back[:, step]
        gates[...] = row[:, 2 * units :]
        dh += upstream[:, :units]
        dc += upstream[:, units : 2 * units]
        xp.tanh(row[:, units : 2 * units], out=tanh_c)
        xp.multiply(dh, tanh_c, out=d_o)
        _tanh_slope(xp, tanh_c, tanh_c)
        tanh_c *= o
        tanh_c *= dh
        dc += tanh_c
        xp.multiply(dc, g, out=d_i)
        xp.multiply(dc, _previous(output, c0, step, slice(units, 2 * units)), out=d_f)
        xp.multiply(dc, i, out=d_g)
        dz += upstream[:, 2 * units :]  # what reaches the gates' values themselves
        _sigmoid_slope(xp, gates, slope)
        _tanh_slope(xp, g, slope[:, 2 * units : 3 * units])
        dz *= slope
        dc *= f
        xp.matmul(dz, transposed, out=dh)
        grads[:, : 4 * units], grads[:, 4 * units : 5 * units], grads[:, 5 * units :] = dz, dh, dc
    return back


def _lstm_vjp(g, inputs, output, needs):
    _, h0, c0, recurrent_kernel = inputs
    units = recurrent_kernel.shape[0]
    back = _lstm_sequence_grad(g, output, c0, recurrent_kernel)
    dz = back[:, :, : 4 * units]
    d_kernel = None
    if needs[3]:
        d_kernel = ops.matmul(ops.transpose(_previous_states(output, h0, units)), ops.reshape(dz, (-1, 4 * units)))
    return (
        dz if needs[0] else None,
        back[:, 0, 4 * units : 5 * units] if needs[1] else None,
        back[:, 0, 5 * units :] if needs[2] else None,
        d_kernel,
    )


_lstm_sequence = primitive(
    "lstm_sequence",
    _lstm_forward,
    _lstm_vjp,
    _sequence_infer("lstm_sequence", 4, 6, 2),
    saves=(1, 2, 3, "output"),
    fresh=True,
)
_lstm_sequence_grad = primitive(
    "lstm_sequence_grad",
    _lstm_grad_forward,
    _no_second_order("LSTM", "lstm_sequence_grad"),
    _grad_infer("lstm_sequence_grad", 6),
    saves=(),
    fresh=True,
)


def lstm_sequence(projected, h0, c0, recurrent_kernel):
    """The LSTM recurrence (Keras gate order i, f, c, o) over projected steps (batch, steps, 4·units) =
    inputs @ kernel + bias: per step [h, c, i, f, g, o], (batch, steps, 6·units)."""
    return _lstm_sequence(projected, h0, c0, recurrent_kernel)


# ----- GRU (reset_after=True) --------------------------------------------------------------------


def _gru_forward(xp, projected, h0, recurrent_kernel, recurrent_bias):
    batch, steps, width = projected.shape
    units = width // 3
    dtype = result_dtype(projected.dtype, h0.dtype, recurrent_kernel.dtype, recurrent_bias.dtype)
    output = xp.empty((batch, steps, 5 * units), dtype)
    # the step's work in contiguous buffers, copied out once
    inner = xp.empty((batch, width), dtype)
    gates = xp.empty((batch, 2 * units), dtype)
    z, r = gates[:, :units], gates[:, units:]
    candidate = xp.empty((batch, units), dtype)
    h = xp.empty((batch, units), dtype)
    h[...] = h0
    # the layers' kernels come Fortran-ordered (orthogonal initializer): BLAS runs h @ kernel faster on a C copy
    recurrent_kernel = xp.ascontiguousarray(recurrent_kernel)
    for step in range(steps):
        xp.matmul(h, recurrent_kernel, out=inner)
        inner += recurrent_bias
        x = projected[:, step]
        _sigmoid(xp, xp.add(x[:, : 2 * units], inner[:, : 2 * units], out=gates), gates)
        xp.multiply(r, inner[:, 2 * units :], out=candidate)
        candidate += x[:, 2 * units :]
        xp.tanh(candidate, out=candidate)
        h -= candidate
        h *= z
        h += candidate
        row = output[:, step]
        row[:, :units], row[:, units : 3 * units], row[:, 3 * units : 4 * units] = h, gates, candidate
        row[:, 4 * units :] = inner[:, 2 * units :]
    return output


def _gru_grad_forward(xp, grad, output, h0, recurrent_kernel):
    batch, steps, _ = output.shape
    units = recurrent_kernel.shape[0]
    dtype = output.dtype
    back = xp.empty((batch, steps, 7 * units), dtype)
    # contiguous buffers, as in the forward
    dh = xp.zeros((batch, units), dtype)
    gates, slope = xp.empty((batch, 2 * units), dtype), xp.empty((batch, 2 * units), dtype)
    z, r = gates[:, :units], gates[:, units:]
    d_inner = xp.empty((batch, 3 * units), dtype)
    d_candidate = xp.empty((batch, units), dtype)
    recurrent = xp.empty((batch, units), dtype)
    transposed = xp.ascontiguousarray(recurrent_kernel.T)  # BLAS runs the per-step product faster on it
    for step in range(steps - 1, -1, -1):
        row, upstream, grads = output[:, step], grad[:, step], back[:, step]
        gates[...] = row[:, units : 3 * units]
        candidate, inner_h = row[:, 3 * units : 4 * units], row[:, 4 * units :]
        dh += upstream[:, :units]
        xp.subtract(_previous(output, h0, step, slice(0, units)), candidate, out=d_inner[:, :units])
        d_inner[:, :units] *= dh  # d z
        xp.subtract(1, z, out=d_candidate)
        d_candidate *= dh
        d_candidate += upstream[:, 3 * units : 4 * units]
        d_candidate *= _tanh_slope(xp, candidate, recurrent)  # d of the candidate's pre-activation
        xp.multiply(d_candidate, inner_h, out=d_inner[:, units : 2 * units])  # d r
        xp.multiply(d_candidate, r, out=d_inner[:, 2 * units :])  # d inner_h
        d_inner[:, : 2 * units] += upstream[:, units : 3 * units]  # what reaches z, r and inner_h themselves
        d_inner[:, 2 * units :] += upstream[:, 4 * units :]
        d_inner[:, : 2 * units] *= _sigmoid_slope(xp, gates, slope)
        dh *= z
        dh += xp.matmul(d_inner, transposed, out=recurrent)
        grads[:, : 2 * units], grads[:, 2 * units : 3 * units] = d_inner[:, : 2 * units], d_candidate
        grads[:, 3 * units : 6 * units], grads[:, 6 * units :] = d_inner, dh
    return back


def _gru_vjp(g, inputs, output, needs):
    _, h0, recurrent_kernel, _ = inputs
    units = recurrent_kernel.shape[0]
    back = _gru_sequence_grad(g, output, h0, recurrent_kernel)
    d_inner = back[:, :, 3 * units : 6 * units]
    d_kernel = None
    if needs[2]:
        d_kernel = ops.matmul(ops.transpose(_previous_states(output, h0, units)), ops.reshape(d_inner, (-1, 3 * units)))
    return (
        back[:, :, : 3 * units] if needs[0] else None,
        back[:, 0, 6 * units :] if needs[1] else None,
        d_kernel,
        ops.sum(d_inner, axis=(0, 1)) if needs[3] else None,
    )


_gru_sequence = primitive(
    "gru_sequence",
    _gru_forward,
    _gru_vjp,
    _sequence_infer("gru_sequence", 3, 5, 1),
    saves=(1, 2, "output"),
    fresh=True,
)
_gru_sequence_grad = primitive(
    "gru_sequence_grad",
    _gru_grad_forward,
    _no_second_order("GRU", "gru_sequence_grad"),
    _grad_infer("gru_sequence_grad", 7),
    saves=(),
    fresh=True,
)


def gru_sequence(projected, h0, recurrent_kernel, recurrent_bias):
    """The GRU recurrence with reset_after=True (Keras gate order z, r, h) over projected steps
    (batch, steps, 3·units) = inputs @ kernel + input bias: per step [h, z, r, candidate, inner_h],
    (batch, steps, 5·units)."""
    return _gru_sequence(projected, h0, recurrent_kernel, recurrent_bias)
