"""Crossentropies as Keras's `ops.binary_crossentropy`, `categorical_crossentropy` and
`sparse_categorical_crossentropy`.

From logits they are fused primitives (log-softmax / log-sigmoid inside, stable for any logit), whose
gradients are the classic `softmax - target` and `sigmoid - target`. The sparse one gathers each label's
score (no one-hot); its gradient is a second primitive, `softmax - one_hot` times the incoming gradient in
one pass, whose own gradient is written with ops. From probabilities they follow Keras: normalise
(categorical), clip to [epsilon, 1 - epsilon], take the log (the sparse one of the one-hot labels). Sparse
labels pass `check_range` first, from logits or probabilities; run eagerly from logits, the fused op checks them
itself (`checked_sparse_softmax_crossentropy`, one op fewer), and for a loss's mean takes the mean too (and its
gradient op spreads the mean's gradient): one op where there were three, and one where there were two.
"""

import functools

from .. import config, dispatch
from ..kernels import softmax as kernels
from .checks import check_range
from .elementwise import float_dtype, floating
from .registry import PRIMITIVES, describe, dtype_of, export, normalize_axis, ops, primitive, result_dtype, shape_of

LABEL_RANGE = (
    "sparse_categorical_crossentropy: label {value:g} is out of range for {high} classes; labels must be "
    "integers in [0, {high}) (labels shape {shape})"
)


def _compatible(shape, other):
    return len(shape) == len(other) and all(a is None or b is None or a == b for a, b in zip(shape, other))


def _same_shapes(name, shapes):
    if not _compatible(shapes[0], shapes[1]):
        raise ValueError(
            f"{name}: arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={tuple(shapes[0])}, output.shape={tuple(shapes[1])}"
        )


def _softmax_crossentropy_forward(xp, target, logits, axis):
    return -(target.astype(logits.dtype, copy=False) * kernels.log_softmax(xp, logits, axis)).sum(axis=axis)


def _softmax_crossentropy_vjp(g, inputs, output, needs, axis):
    target, logits = inputs
    g = ops.expand_dims(g, axis)
    d_target = -g * ops.log_softmax(logits, axis=axis) if needs[0] else None
    d_logits = (
        g * (ops.softmax(logits, axis=axis) * ops.sum(target, axis=axis, keepdims=True) - target) if needs[1] else None
    )
    return d_target, d_logits


def _categorical_infer(shapes, dtypes, axis):
    _same_shapes("categorical_crossentropy", shapes)
    if len(shapes[1]) < 1:
        raise ValueError(
            f"categorical_crossentropy: arguments `target` and `output` must be at least rank 1. "
            f"Received: shapes {describe(shapes)}"
        )
    position = normalize_axis("categorical_crossentropy", axis, len(shapes[1]))[0]
    shape = tuple(d for i, d in enumerate(shapes[1]) if i != position)
    return shape, result_dtype(dtypes[1])


_softmax_crossentropy = primitive(
    "softmax_crossentropy", _softmax_crossentropy_forward, _softmax_crossentropy_vjp, _categorical_infer
)


def _sigmoid_crossentropy_forward(xp, target, logits):
    target = target.astype(logits.dtype, copy=False)
    return xp.maximum(logits, 0) - logits * target + xp.log1p(xp.exp(-xp.abs(logits)))


def _sigmoid_crossentropy_vjp(g, inputs, output, needs):
    target, logits = inputs
    return (-g * logits if needs[0] else None, g * (ops.sigmoid(logits) - target) if needs[1] else None)


def _sigmoid_crossentropy_infer(shapes, dtypes):
    _same_shapes("binary_crossentropy", shapes)
    return tuple(shapes[1]), result_dtype(dtypes[1])


_sigmoid_crossentropy = primitive(
    "sigmoid_crossentropy", _sigmoid_crossentropy_forward, _sigmoid_crossentropy_vjp, _sigmoid_crossentropy_infer
)


def _clipped(probabilities):
    epsilon = config.epsilon()
    return ops.clip(probabilities, epsilon, 1.0 - epsilon)


@export
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    if from_logits:
        return _softmax_crossentropy(target, output, axis=int(axis))
    # the same shape checks as the fused primitive
    _categorical_infer([shape_of(target), shape_of(output)], [dtype_of(target), dtype_of(output)], int(axis))
    output = _clipped(output / ops.sum(output, axis=axis, keepdims=True))
    return -ops.sum(target * ops.log(output), axis=axis)


def _sparse_softmax_crossentropy_forward(xp, target, logits, axis):
    return kernels.sparse_softmax_crossentropy(xp, target, floating(logits), axis)


def _sparse_softmax_crossentropy_vjp(g, inputs, output, needs, **attrs):
    """The gradient op with the forward's attributes (the class axis, and whether the forward took the mean)."""
    target, logits = inputs
    return None, sparse_softmax_crossentropy_gradient(target, logits, g, **attrs) if needs[1] else None


def _sparse_shape(target_shape, output_shape, axis):
    """The loss's shape (the scores' without the class axis, which `target`, its trailing 1 squeezed, must
    match) and the class axis as a non-negative int."""
    if len(output_shape) < 1:
        raise ValueError(
            f"sparse_categorical_crossentropy: argument `output` must be at least rank 1. "
            f"Received: output.shape={output_shape}"
        )
    position = normalize_axis("sparse_categorical_crossentropy", axis, len(output_shape))[0]
    shape = tuple(output_shape[:position]) + tuple(output_shape[position + 1 :])
    if not _compatible(tuple(target_shape), shape):
        raise ValueError(
            "sparse_categorical_crossentropy: arguments `target` and `output` must have the same "
            "shape up until the last dimension: "
            f"target.shape={tuple(target_shape)}, output.shape={output_shape}"
        )
    return shape, position


def _checked_class_axis(target_shape, output_shape, axis):
    """The class axis of `output` (a non-negative int), after checking the shapes; its size must be known."""
    position = _sparse_shape(target_shape, output_shape, axis)[1]
    if output_shape[position] is None:
        raise ValueError(
            f"sparse_categorical_crossentropy: the class axis ({axis}) of argument `output` must "
            f"have a known size, got output.shape={output_shape}"
        )
    return position


_class_axis = functools.lru_cache(maxsize=256)(_checked_class_axis)  # for an int axis: every step asks


def _sparse_infer(shapes, dtypes, axis):
    return _sparse_shape(shapes[0], tuple(shapes[1]), axis)[0], float_dtype(dtypes[1])


sparse_softmax_crossentropy = primitive(
    "sparse_softmax_crossentropy",
    _sparse_softmax_crossentropy_forward,
    _sparse_softmax_crossentropy_vjp,
    _sparse_infer,
    saves=(0, 1),
    fresh=True,
)


def _checked_forward(xp, target, logits, axis, mean):
    """The label check, the loss and (`mean`) the mean of every loss value: the kernels of `check_range`,
    `sparse_softmax_crossentropy` and `mean`, so the values and the errors are theirs."""
    check_range.forward(xp, target, low=0, high=logits.shape[axis], message=LABEL_RANGE, error="ValueError")
    losses = _sparse_softmax_crossentropy_forward(xp, target, logits, axis)
    return PRIMITIVES["mean"].forward(xp, losses) if mean else losses


def _checked_infer(shapes, dtypes, axis, mean):
    shape, dtype = _sparse_infer(shapes, dtypes, axis)
    return (() if mean else shape), dtype


# The eager op (labels checked by no op of their own). Traced, the check stays a node of its own, which the loss
# and its gradient both read: a static plan that needs only the gradient keeps it.
checked_sparse_softmax_crossentropy = primitive(
    "checked_sparse_softmax_crossentropy",
    _checked_forward,
    _sparse_softmax_crossentropy_vjp,
    _checked_infer,
    saves=(0, 1),
    checks=True,
    fresh=True,
)


def _sparse_gradient_forward(xp, target, logits, g, axis, mean=False):
    """`mean`: `g` is the gradient of the mean of the loss values (which have the labels' shape): each of them has
    `g / count`, the value the mean's rule (`spread_reduced`) writes out for each, taken once."""
    if mean:
        g = xp.true_divide(g, target.size)
    return kernels.sparse_softmax_crossentropy_gradient(xp, target, floating(logits), g, axis)


def _sparse_gradient_vjp(h, inputs, output, needs, axis, mean=False):
    target, logits, g = inputs
    if mean:
        g = PRIMITIVES["spread_reduced"](g, target, mean=True)
    hot = ops.one_hot(target, shape_of(logits)[axis], axis=axis, dtype=dtype_of(logits))
    # 0 for a float label that names no class (1.5): the forward gave its row no gradient
    probabilities = ops.softmax(logits, axis=axis) * ops.sum(hot, axis=axis, keepdims=True)
    d_logits = d_g = None
    if needs[1]:
        scaled = h * ops.expand_dims(g, axis)
        d_logits = probabilities * (scaled - ops.sum(scaled * probabilities, axis=axis, keepdims=True))
    if needs[2]:
        d_g = ops.sum(h * (probabilities - hot), axis=axis)
        if mean:  # the spread's own gradient
            d_g = ops.mean(d_g)
    return None, d_logits, d_g


sparse_softmax_crossentropy_gradient = primitive(
    "sparse_softmax_crossentropy_gradient",
    _sparse_gradient_forward,
    _sparse_gradient_vjp,
    lambda shapes, dtypes, axis, mean=False: (tuple(shapes[1]), float_dtype(dtypes[1])),
    saves=(0, 1, 2),
    fresh=True,
)


def _labels_and_class_axis(target, output, axis):
    """`target` with a trailing axis of size 1 squeezed, and the class axis of `output` (a non-negative int),
    after checking the shapes."""
    target_shape, output_shape = shape_of(target), shape_of(output)
    if len(target_shape) == len(output_shape) and len(target_shape) and target_shape[-1] == 1:
        target = ops.squeeze(target, axis=-1)
        target_shape = target_shape[:-1]
    return target, (_class_axis if type(axis) is int else _checked_class_axis)(target_shape, output_shape, axis)


def _eager(target, output):
    return not (dispatch.traced(output) or dispatch.traced(target))


@export
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, position = _labels_and_class_axis(target, output, axis)
    if from_logits and _eager(target, output):
        return checked_sparse_softmax_crossentropy(target, output, axis=position, mean=False)
    classes = shape_of(output)[position]
    target = check_range(target, low=0, high=classes, message=LABEL_RANGE, error="ValueError")
    if from_logits:
        return sparse_softmax_crossentropy(target, output, axis=position)
    classes = ops.one_hot(target, classes, axis=axis, dtype=dtype_of(output))
    return categorical_crossentropy(classes, output, axis=axis)


def sparse_softmax_crossentropy_mean(target, output, axis=-1):
    """`mean(sparse_categorical_crossentropy(target, output, from_logits=True, axis=axis))`, a loss's
    "sum_over_batch_size": eagerly one op (its gradient one op too), traced those ops."""
    if _eager(target, output):
        target, position = _labels_and_class_axis(target, output, axis)
        return checked_sparse_softmax_crossentropy(target, output, axis=position, mean=True)
    return ops.mean(sparse_categorical_crossentropy(target, output, from_logits=True, axis=axis))


@export
def binary_crossentropy(target, output, from_logits=False):
    if from_logits:
        return _sigmoid_crossentropy(target, output)
    _same_shapes("binary_crossentropy", [shape_of(target), shape_of(output)])
    output = _clipped(output)
    return -(target * ops.log(output) + (1.0 - target) * ops.log(1.0 - output))
