"""numpy's array constructors as Keras's: array, empty, empty_like, tri, logspace, geomspace, meshgrid, vander
and the window functions bartlett, blackman, hamming, hanning and kaiser.

Ranges and windows of concrete numbers are computed on the host in float64, as `linspace` is, and become
tensors on the current device in the requested dtype (floatx by default); tri, meshgrid and vander are built
with ops, so they follow their inputs' engine and device, and vander and meshgrid pass gradients through.
"""

import numpy

from .. import config
from .creation import convert_to_tensor, dtype_name, zeros, zeros_like
from .registry import export, int_argument, ops, shape_of


@export
def array(x, dtype=None):
    return convert_to_tensor(x, dtype)


@export
def empty(shape, dtype=None):
    """A tensor of `shape` whose values do not matter: zeros here."""
    return zeros(shape, dtype)


@export
def empty_like(x, dtype=None):
    return zeros_like(x, dtype)


@export
def tri(N, M=None, k=0, dtype=None):
    """Ones at and below the k-th diagonal of an N x M matrix, zeros above."""
    rows = int_argument("tri", "N", N)
    columns = rows if M is None else int_argument("tri", "M", M)
    below = ops.greater_equal(
        ops.expand_dims(ops.arange(rows), 1) + int_argument("tri", "k", k), ops.expand_dims(ops.arange(columns), 0)
    )
    return ops.cast(below, dtype_name(dtype or config.floatx()))


def _host_range(name, numbers):
    values = [ops.convert_to_numpy(v) for v in numbers]
    if not all(numpy.issubdtype(numpy.asarray(v).dtype, numpy.number) for v in values):
        raise TypeError(f"{name}: start and stop must be numbers or arrays of numbers, received {numbers!r:.80}")
    return values


@export
def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    start, stop = _host_range("logspace", (start, stop))
    values = numpy.logspace(start, stop, int_argument("logspace", "num", num), endpoint=endpoint, base=base, axis=axis)
    return convert_to_tensor(values, dtype or config.floatx())


@export
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    start, stop = _host_range("geomspace", (start, stop))
    if numpy.any(numpy.asarray(start) == 0) or numpy.any(numpy.asarray(stop) == 0):
        raise ValueError(f"geomspace: start and stop must be non-zero, received start={start}, stop={stop}")
    values = numpy.geomspace(start, stop, int_argument("geomspace", "num", num), endpoint=endpoint, axis=axis)
    return convert_to_tensor(values, dtype or config.floatx())


@export
def meshgrid(*x, indexing="xy"):
    """Coordinate matrices from 1-D coordinate vectors: with indexing "xy" the first two axes are swapped."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: Valid values for `indexing` are 'xy' and 'ij'. Received: indexing={indexing}")
    for i, vector in enumerate(x):
        if len(shape_of(vector)) != 1:
            raise ValueError(f"meshgrid: every input must be 1-D, input {i} has shape {shape_of(vector)}")
    sizes = [shape_of(vector)[0] for vector in x]
    if None in sizes:
        raise ValueError(f"meshgrid: needs the length of every input, not known in shapes {[shape_of(v) for v in x]}")
    if indexing == "xy" and len(x) > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, vector in enumerate(x):
        axis = {0: 1, 1: 0}.get(i, i) if indexing == "xy" and len(x) > 1 else i
        grids.append(ops.broadcast_to(ops.reshape(vector, [-1 if a == axis else 1 for a in range(len(x))]), sizes))
    return grids


@export
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-D `x`: columns are powers of x, decreasing unless `increasing`."""
    if len(shape_of(x)) != 1:
        raise ValueError(f"vander: x must be a 1-D tensor, received x of shape {shape_of(x)}")
    columns = shape_of(x)[0] if N is None else int_argument("vander", "N", N)
    if columns is None:
        raise ValueError(f"vander: needs N or a known length of x (shape {shape_of(x)})")
    if columns < 0:
        raise ValueError(f"vander: N must be non-negative, received N={columns}")
    powers = numpy.arange(columns) if increasing else numpy.arange(columns)[::-1]
    return ops.power(ops.expand_dims(x, 1), numpy.ascontiguousarray(powers).astype("int32"))


def _window(name, function, x, *arguments):
    size = int_argument(name, "x", ops.convert_to_numpy(x).item() if hasattr(x, "shape") else x)
    return convert_to_tensor(function(size, *arguments), config.floatx())


@export
def bartlett(x):
    return _window("bartlett", numpy.bartlett, x)


@export
def blackman(x):
    return _window("blackman", numpy.blackman, x)


@export
def hamming(x):
    return _window("hamming", numpy.hamming, x)


@export
def hanning(x):
    return _window("hanning", numpy.hanning, x)


@export
def kaiser(x, beta):
    return _window("kaiser", numpy.kaiser, x, float(beta))
