"""The SGD update as one op: `variable - gradient * learning_rate`, or with momentum
`value * momentum - gradient * learning_rate` (Keras's `m = momentum * m - lr * g`, and Nesterov's
step). Run eagerly, an optimizer step is then one op per variable instead of two or three; each value
is rounded as the separate multiply and subtract rounded it. Static plans fuse the composite
themselves (and write it into the variable's storage), so the optimizers use it only eagerly.
"""

from .registry import elementwise_infer, ops, primitive


def _sgd_update_forward(xp, value, gradient, learning_rate, momentum=None):
    step = xp.multiply(gradient, learning_rate)
    if momentum is not None:
        value = xp.multiply(value, momentum)
    if type(step) is type(value) is xp.ndarray and step.shape == value.shape and step.dtype == value.dtype:
        # `step` is this op's own temporary: the difference goes into it, one fresh array instead of two
        return xp.subtract(value, step, out=step)
    return xp.subtract(value, step)


def _sgd_update_vjp(g, inputs, output, needs, momentum=None):
    _, gradient, learning_rate = inputs
    return (
        g if momentum is None else ops.multiply(g, momentum),
        ops.negative(ops.multiply(g, learning_rate)) if needs[1] else None,
        ops.negative(ops.multiply(g, gradient)) if needs[2] else None,
    )


_sgd_update = primitive(
    "sgd_update",
    _sgd_update_forward,
    _sgd_update_vjp,
    elementwise_infer("sgd_update"),
    saves=(1, 2),
    fresh=True,
)


def sgd_update(value, gradient, learning_rate, momentum=None):
    """`value - gradient * learning_rate`, or `value * momentum - gradient * learning_rate`, in one op."""
    if momentum is None:
        return _sgd_update(value, gradient, learning_rate)  # no attribute: the engine's shorter call
    return _sgd_update(value, gradient, learning_rate, momentum=float(momentum))
