"""Crossentropies as Keras's `ops.binary_crossentropy`, `categorical_crossentropy` and
`sparse_categorical_crossentropy`.

From logits they are fused primitives (log-softmax / log-sigmoid inside, stable for any logit), whose
gradients are the classic `softmax - target` and `sigmoid - target`. From probabilities they follow
Keras: normalise (categorical), clip to [epsilon, 1 - epsilon], take the log.
"""

from .. import config
from ..kernels import softmax as kernels
from .checks import check_range
from .registry import describe, dtype_of, export, normalize_axis, ops, primitive, result_dtype, shape_of

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


@export
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target_shape, output_shape = shape_of(target), shape_of(output)
    if len(output_shape) < 1:
        raise ValueError(
            f"sparse_categorical_crossentropy: argument `output` must be at least rank 1. "
            f"Received: output.shape={output_shape}"
        )
    if len(target_shape) == len(output_shape) and len(target_shape) and target_shape[-1] == 1:
        target = ops.squeeze(target, axis=-1)
        target_shape = target_shape[:-1]
    position = normalize_axis("sparse_categorical_crossentropy", axis, len(output_shape))[0]
    if not _compatible(target_shape, output_shape[:position] + output_shape[position + 1 :]):
        raise ValueError(
            "sparse_categorical_crossentropy: arguments `target` and `output` must have the same "
            "shape up until the last dimension: "
            f"target.shape={tuple(shape_of(target))}, output.shape={output_shape}"
        )
    classes = output_shape[position]
    if classes is None:
        raise ValueError(
            f"sparse_categorical_crossentropy: the class axis ({axis}) of argument `output` must "
            f"have a known size, got output.shape={output_shape}"
        )
    target = check_range(target, low=0, high=classes, message=LABEL_RANGE, error="ValueError")
    classes = ops.one_hot(target, classes, axis=axis, dtype=dtype_of(output))
    return categorical_crossentropy(classes, output, from_logits=from_logits, axis=axis)


@export
def binary_crossentropy(target, output, from_logits=False):
    if from_logits:
        return _sigmoid_crossentropy(target, output)
    _same_shapes("binary_crossentropy", [shape_of(target), shape_of(output)])
    output = _clipped(output)
    return -(target * ops.log(output) + (1.0 - target) * ops.log(1.0 - output))
