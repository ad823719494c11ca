"""Numeric gradient check: analytic gradients (dynamic tape) against float64 central differences."""

import numpy


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0, raise_exception=True):
    """Check the gradients of `fn(*inputs)` with respect to every floating-point input.

    The output is projected on a fixed random direction so that every output element counts.
    Returns True, or raises AssertionError naming the input, the worst element and both values
    (returns False instead when raise_exception=False).
    """
    from kerasish import ops
    from kerasish.backends.device import to_numpy
    from kerasish.backends.dynamic import GradientTape, Tensor

    arrays = [
        numpy.array(x, dtype=numpy.float64) if numpy.asarray(x).dtype.kind == "f" else numpy.asarray(x) for x in inputs
    ]
    wanted = [i for i, a in enumerate(arrays) if a.dtype == numpy.float64]
    shape = numpy.shape(to_numpy(fn(*[Tensor(a) for a in arrays])._data))
    direction = numpy.random.default_rng(seed).standard_normal(shape)

    def projected(values):
        return ops.sum(ops.multiply(fn(*values), Tensor(direction)))

    tensors = [Tensor(a) for a in arrays]
    with GradientTape() as tape:
        tape.watch([tensors[i] for i in wanted])
        value = projected(tensors)
    analytic = tape.gradient(value, [tensors[i] for i in wanted])
    for position, index in enumerate(wanted):
        got = numpy.zeros_like(arrays[index]) if analytic[position] is None else analytic[position].numpy()
        expected = _numeric(projected, arrays, index, eps)
        excess = numpy.abs(got - expected) - (atol + rtol * numpy.abs(expected))
        if excess.size and excess.max() > 0:
            worst = numpy.unravel_index(numpy.argmax(excess), excess.shape)
            message = (
                f"gradcheck failed for input {index} (shape {arrays[index].shape}) at element "
                f"{tuple(int(i) for i in worst)}: analytic {got[worst]:.8g}, numeric "
                f"{expected[worst]:.8g} (atol={atol}, rtol={rtol}); "
                f"max abs difference {numpy.abs(got - expected).max():.3g}"
            )
            if raise_exception:
                raise AssertionError(message)
            return False
    return True


def _numeric(projected, arrays, index, eps):
    from kerasish.backends.dynamic import Tensor

    base = arrays[index]
    result = numpy.zeros_like(base)
    for position in numpy.ndindex(base.shape):
        values = []
        for sign in (1, -1):
            moved = base.copy()
            moved[position] += sign * eps
            shifted = [Tensor(moved) if i == index else Tensor(a) for i, a in enumerate(arrays)]
            values.append(float(projected(shifted).numpy()))
        result[position] = (values[0] - values[1]) / (2 * eps)
    return result
