"""Order statistics and counts as Keras's: quantile, percentile, median and their NaN-ignoring forms, ptp,
corrcoef, histogram, bincount and digitize.

The quantiles sort along the reduced axes and gather the two neighbours of each quantile's position
(numpy's methods: linear, lower, higher, midpoint, nearest), so their gradient is the gather's: it reaches
the one or two elements each quantile reads. The NaN-ignoring forms place the position among the numbers
of each slice (NaNs sort last); an all-NaN slice gives NaN.
"""

import numpy

from .. import config
from .checks import check_range
from .elementwise import arithmetic_dtype
from .reduction import axis_attr
from .registry import dtype_of, export, int_argument, normalize_axis, ops, primitive, result_dtype, shape_of

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _float(x):
    if numpy.dtype(result_dtype(dtype_of(x))).kind in "fc":
        return x
    return ops.cast(x, config.floatx())


def _check_quantiles(name, q, scale):
    if ops.is_tensor(q):
        return q
    values = numpy.asarray(q, dtype="float64")
    if values.ndim > 1 or not numpy.all((values >= 0) & (values <= scale)):
        raise ValueError(f"{name}: q must be a number or 1-D list of numbers in [0, {scale}], received q={q!r:.80}")
    return values / scale


def _quantile(name, x, q, axis, method, keepdims, ignore_nan):
    if method not in _METHODS:
        raise ValueError(f"{name}: method must be one of {_METHODS}, received method={method!r}")
    x = _float(x)
    shape = shape_of(x)
    axes = normalize_axis(name, axis_attr(axis), len(shape))
    kept = [a for a in range(len(shape)) if a not in axes]
    if None in [shape[a] for a in axes]:
        raise ValueError(f"{name}: needs the sizes of the reduced axes {axes}, not known in shape {shape}")
    size = int(numpy.prod([shape[a] for a in axes], dtype=numpy.int64))
    if size == 0:
        raise ValueError(f"{name}: cannot take a quantile over an empty axis (input shape {shape}, axis {axis})")
    rows = ops.transpose(x, kept + list(axes))
    if len(axes) != 1:
        if [shape[a] for a in kept].count(None) > 1:
            raise ValueError(f"{name}: needs the sizes of all but one kept axis, not known in shape {shape}")
        rows = ops.reshape(rows, [-1 if shape[a] is None else shape[a] for a in kept] + [size])
    rows = ops.sort(rows, axis=-1)
    quantiles = ops.cast(q, dtype_of(rows)) if ops.is_tensor(q) else numpy.asarray(q, dtype_of(rows))
    flat = ops.reshape(quantiles, (-1,))
    if ignore_nan:
        count = ops.sum(ops.cast(ops.logical_not(ops.isnan(rows)), dtype_of(rows)), axis=-1, keepdims=True)
    else:
        count = size
    position = ops.multiply(flat, ops.subtract(count, 1))
    lower, upper = ops.floor(position), ops.ceil(position)
    if method == "lower":
        upper = lower
    elif method == "higher":
        lower = upper
    elif method == "nearest":
        lower = upper = ops.round(position)

    def gather(index):
        """The sorted values at `index`: one index vector for every row, or (NaN-ignoring) one per row."""
        index = ops.cast(ops.clip(index, 0, size - 1), "int32")
        if not ignore_nan:
            return ops.take(rows, index, axis=-1)
        if None in shape_of(rows):
            raise ValueError(f"{name}: needs a fully known static shape, got {shape}")
        return ops.take_along_axis(rows, index, axis=-1)

    low = gather(lower)
    if method in ("linear", "midpoint"):
        fraction = 0.5 if method == "midpoint" else ops.subtract(position, lower)
        high = gather(upper)
        result = ops.where(ops.equal(lower, upper), low, ops.add(low, ops.multiply(ops.subtract(high, low), fraction)))
    else:
        result = low
    if ignore_nan:
        result = ops.where(ops.greater(count, 0), result, numpy.nan)
    if keepdims:
        result = ops.expand_dims(result, axes)
    if len(shape_of(quantiles)) == 0:
        return ops.squeeze(result, -1)
    return ops.moveaxis(result, -1, 0)


@export
def quantile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile("quantile", x, _check_quantiles("quantile", q, 1), axis, method, keepdims, False)


@export
def percentile(x, q, axis=None, method="linear", keepdims=False):
    q = ops.divide(q, 100) if ops.is_tensor(q) else _check_quantiles("percentile", q, 100)
    return _quantile("percentile", x, q, axis, method, keepdims, False)


@export
def median(x, axis=None, keepdims=False):
    return _quantile("median", x, 0.5, axis, "linear", keepdims, False)


@export
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile("nanquantile", x, _check_quantiles("nanquantile", q, 1), axis, method, keepdims, True)


@export
def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    q = ops.divide(q, 100) if ops.is_tensor(q) else _check_quantiles("nanpercentile", q, 100)
    return _quantile("nanpercentile", x, q, axis, method, keepdims, True)


@export
def nanmedian(x, axis=None, keepdims=False):
    return _quantile("nanmedian", x, 0.5, axis, "linear", keepdims, True)


@export
def ptp(x, axis=None, keepdims=False):
    """The range (maximum - minimum) along `axis`."""
    return ops.subtract(ops.max(x, axis=axis, keepdims=keepdims), ops.min(x, axis=axis, keepdims=keepdims))


@export
def corrcoef(x):
    """Pearson correlation coefficients of the rows of `x` (each row a variable, each column an observation),
    clipped to [-1, 1] as numpy does."""
    rank = len(shape_of(x))
    if rank not in (1, 2):
        raise ValueError(f"corrcoef: x must be 1-D or 2-D, received x of shape {shape_of(x)}")
    x = _float(x if rank == 2 else ops.expand_dims(x, 0))
    centred = ops.subtract(x, ops.mean(x, axis=1, keepdims=True))
    covariance = ops.matmul(centred, ops.transpose(centred))
    scale = ops.sqrt(ops.diagonal(covariance))
    result = ops.clip(ops.divide(ops.divide(covariance, ops.expand_dims(scale, 1)), scale), -1.0, 1.0)
    return ops.squeeze(result) if rank == 1 else result


# ----- counting --------------------------------------------------------------------------------


def _bincount_forward(xp, x, *weights, minlength):
    x = xp.maximum(x, 0)  # negatives are the value check's to refuse, which a graph on a GPU reports after the step
    length = max(x.max().item() + 1 if x.size else 0, minlength)  # the result's size: an explicit host read
    dtype = numpy.dtype("int32") if not weights else arithmetic_dtype(x.dtype, weights[0].dtype)
    if x.ndim == 1:
        return xp.bincount(x, *weights, minlength=length).astype(dtype, copy=False)
    rows = [xp.bincount(row, *(w[i] for w in weights), minlength=length) for i, row in enumerate(x)]
    return (xp.stack(rows) if rows else xp.zeros((0, length))).astype(dtype, copy=False)


def _bincount_infer(shapes, dtypes, minlength):
    if len(shapes[0]) not in (1, 2):
        raise ValueError(f"bincount: x must be 1-D or 2-D, received x of shape {tuple(shapes[0])}")
    if numpy.dtype(result_dtype(dtypes[0])).kind not in "iu":
        raise TypeError(f"bincount: x must hold integers, received dtype {dtypes[0]}")
    if len(shapes) > 1 and len(shapes[1]) != len(shapes[0]):
        raise ValueError(f"bincount: weights of shape {tuple(shapes[1])} must have the shape of x {tuple(shapes[0])}")
    dtype = numpy.dtype("int32") if len(shapes) == 1 else arithmetic_dtype(*dtypes)
    return tuple(shapes[0][:-1]) + (None,), dtype


def _bincount_vjp(g, inputs, out, needs, minlength):
    """The gradient of each weight is the output gradient of its bin."""
    if not needs[1]:
        return None, None
    x = inputs[0]
    if len(shape_of(x)) == 1:
        return None, ops.getitem(g, x)
    rows = shape_of(x)[0]
    if rows is None:
        raise ValueError(f"gradient of bincount: needs the number of rows of x, not known in shape {shape_of(x)}")
    return None, ops.getitem(g, (numpy.arange(rows)[:, None], x))


_bincount = primitive("bincount", _bincount_forward, _bincount_vjp, _bincount_infer, saves=(0,))

NEGATIVE = "{name}: values must be non-negative, received {{value}} (x shape {{shape}})"


@export
def bincount(x, weights=None, minlength=0, sparse=False):
    """Counts of each non-negative integer in x (a 1-D tensor, or a 2-D batch of rows counted each), or the
    sums of their weights; the length is max(max(x) + 1, minlength), known only once x is."""
    if sparse:
        raise ValueError("bincount: kerasish has no sparse tensors (sparse=True)")
    minlength = int_argument("bincount", "minlength", minlength)
    if minlength < 0:
        raise ValueError(f"bincount: minlength must be non-negative, received minlength={minlength}")
    if dtype_of(x).kind in "iu":
        x = check_range(
            x, low=0, high=numpy.iinfo(dtype_of(x)).max, error="ValueError", message=NEGATIVE.format(name="bincount")
        )
    inputs = (x,) if weights is None else (x, weights)
    return _bincount(*inputs, minlength=minlength)


def _digitize_infer(shapes, dtypes):
    if len(shapes[1]) != 1:
        raise ValueError(f"digitize: bins must be 1-D, received bins of shape {tuple(shapes[1])}")
    return tuple(shapes[0]), numpy.dtype("int32")


_digitize = primitive("digitize", lambda xp, x, bins: xp.digitize(x, bins).astype("int32"), None, _digitize_infer)


@export
def digitize(x, bins):
    """The index of the bin each value of x falls in (bins: a 1-D monotonic tensor)."""
    return _digitize(x, bins)


def _histogram_counts_infer(shapes, dtypes):
    (edges,) = shapes[1]
    return (None if edges is None else edges - 1,), numpy.dtype("int32")


def _histogram_counts_forward(xp, x, edges):
    """numpy's histogram counts over the given edges: each bin is half-open but the last, which holds its right
    edge; values outside the edges are not counted."""
    bins = edges.shape[0] - 1
    index = xp.searchsorted(edges, x, side="right") - 1
    index = xp.where(x == edges[-1], bins - 1, index)
    inside = (index >= 0) & (index < bins)
    return xp.bincount(index[inside], minlength=bins).astype("int32")


_histogram_counts = primitive("histogram_counts", _histogram_counts_forward, None, _histogram_counts_infer)


@export
def histogram(x, bins=10, range=None):
    """(counts, bin_edges) of a 1-D x over `bins` equal bins between range[0] and range[1] (default: the minimum
    and maximum of x, widened by 0.5 each way when they are equal)."""
    if not isinstance(bins, int) or isinstance(bins, bool):
        raise TypeError(f"histogram: Argument `bins` must be of type `int`. Received: bins={bins}")
    if bins < 0:
        raise ValueError(f"histogram: Argument `bins` should be a non-negative integer. Received: bins={bins}")
    if range:
        if not isinstance(range, tuple) or len(range) < 2:
            raise ValueError(f"histogram: Argument `range` must be a tuple of two elements. Received: range={range}")
        if range[1] < range[0]:
            raise ValueError(
                f"histogram: The second element of `range` must be greater than the first. Received: range={range}"
            )
    if len(shape_of(x)) != 1:
        raise ValueError(f"histogram: Input tensor must be 1-dimensional. Received: input.shape={shape_of(x)}")
    x = _float(x)
    if range:
        low, high = float(range[0]), float(range[1])
        if low == high:
            low, high = low - 0.5, high + 0.5
        edges = ops.convert_to_tensor(numpy.linspace(low, high, bins + 1), dtype_of(x))
    else:
        low, high = ops.min(x), ops.max(x)
        same = ops.equal(low, high)
        low, high = ops.where(same, low - 0.5, low), ops.where(same, high + 0.5, high)
        steps = ops.divide(ops.arange(bins, dtype=dtype_of(x)), bins)
        inner = ops.add(low, ops.multiply(ops.subtract(high, low), steps))
        edges = ops.concatenate([inner, ops.expand_dims(high, 0)])  # the last edge is the maximum itself
    return _histogram_counts(x, edges), edges
