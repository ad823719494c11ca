"""Normalisation ops with Keras's names: `moments`, `batch_normalization`, `layer_normalization`,
`rms_normalization`, composed from reductions and elementwise ops (gradients flow through the
statistics too)."""
from .. import config
from .registry import export, normalize_axis, ops, shape_of


def _axes(axes):
    return tuple(int(a) for a in axes) if isinstance(axes, (list, tuple)) else int(axes)


@export
def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) over `axes`; the variance is the mean squared deviation from the mean."""
    if synchronized:
        raise NotImplementedError("moments: synchronized=True (cross-replica statistics) is not supported")
    axes = _axes(axes)
    mean = ops.mean(x, axis=axes, keepdims=True)
    variance = ops.mean(ops.square(x - mean), axis=axes, keepdims=True)
    if keepdims:
        return mean, variance
    return ops.squeeze(mean, axis=axes), ops.squeeze(variance, axis=axes)


def _check_vector(name, value, length):
    if value is not None and length is not None and tuple(shape_of(value)) != (length,):
        raise ValueError(f"batch_normalization: argument `{name}` must be a vector of length `x.shape[axis]`. "
                         f"Expected: `{(length,)}`. Received: `{tuple(shape_of(value))}`.")


@export
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """(x - mean) / sqrt(variance + epsilon) * scale + offset, the statistics laid along `axis`."""
    shape = shape_of(x)
    axis = normalize_axis("batch_normalization", axis, len(shape))[0]
    for name, value in (("mean", mean), ("variance", variance), ("offset", offset), ("scale", scale)):
        _check_vector(name, value, shape[axis])

    def along_axis(vector):
        if axis == len(shape) - 1:
            return vector
        return ops.reshape(vector, tuple(-1 if i == axis else 1 for i in range(len(shape))))

    inverse = 1.0 / ops.sqrt(variance + epsilon)
    if scale is not None:
        inverse = inverse * scale
    shift = -mean * inverse
    if offset is not None:
        shift = shift + offset
    return x * along_axis(inverse) + along_axis(shift)


def _broadcast_parameter(value, shape, axes):
    """gamma/beta of shape x.shape[axes] reshaped to broadcast against x (as Keras does)."""
    if value is None or len(shape_of(value)) == len(shape) or axes == (len(shape) - 1,):
        return value
    return ops.reshape(value, tuple(shape[i] if i in axes else 1 for i in range(len(shape))))


@export
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None):
    """Normalise over `axis` (int or ints), then scale by gamma and shift by beta."""
    epsilon = config.epsilon() if epsilon is None else epsilon
    shape = shape_of(x)
    axes = normalize_axis("layer_normalization", axis, len(shape))
    mean, variance = moments(x, axes, keepdims=True)
    inverse = 1.0 / ops.sqrt(variance + epsilon)
    gamma, beta = _broadcast_parameter(gamma, shape, axes), _broadcast_parameter(beta, shape, axes)
    if gamma is not None:
        inverse = inverse * gamma
    shift = -mean * inverse
    if beta is not None:
        shift = shift + beta
    return x * inverse + shift


@export
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """x / sqrt(mean(x ** 2) + epsilon) over `axis`, times `scale`."""
    epsilon = config.epsilon() if epsilon is None else epsilon
    axes = normalize_axis("rms_normalization", axis, len(shape_of(x)))
    outputs = x / ops.sqrt(ops.mean(ops.square(x), axis=axes, keepdims=True) + epsilon)
    return outputs if scale is None else outputs * scale
