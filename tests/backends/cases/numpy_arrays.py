"""Cases for the numpy-style array ops: statistics and counts, NaN-ignoring reductions, searching, diagonals,
splits and stacks, flips, products, differences, selection, array creation, mapping and rearrange
(backends/primitives/statistics.py, nan_reductions.py, searching.py, diagonals.py, split_and_stack.py,
flips_and_rotations.py, products.py, differences.py, selection.py, array_creation.py, mapping.py,
einops.py). Most are composites: their cases name the primitive they mainly run on."""

import numpy

from kerasish import ops

from . import Case, randn, rng

X = randn(3, 5)
CUBE = randn(2, 3, 4, seed=1)
WITH_NAN = numpy.array(
    [[1.5, numpy.nan, -0.2, 0.7], [numpy.nan, numpy.nan, numpy.nan, numpy.nan], [0.3, 2.2, -1.1, 0.9]]
)
SPARSE_NAN = numpy.array([[1.5, numpy.nan, -0.2, 0.7], [0.4, -2.0, numpy.nan, 1.1]])
COUNTS = numpy.array([1, 4, 1, 0, 3, 4, 4], "int32")


def _first(function):
    return lambda *xs: function(*xs)[0]


STATISTICS = [
    Case("getitem", lambda x: ops.quantile(x, 0.3), [X], lambda x: numpy.quantile(x, 0.3), id="quantile"),
    Case(
        "getitem",
        lambda x: ops.quantile(x, [0.1, 0.5, 0.95], axis=1, keepdims=True),
        [X],
        lambda x: numpy.quantile(x, [0.1, 0.5, 0.95], axis=1, keepdims=True),
        id="quantile-axis-keepdims",
    ),
    Case(
        "getitem",
        lambda x: ops.quantile(x, 0.4, axis=(0, 2), method="midpoint"),
        [CUBE],
        lambda x: numpy.quantile(x, 0.4, axis=(0, 2), method="midpoint"),
        id="quantile-midpoint-two-axes",
    ),
    Case(
        "getitem",
        lambda x: ops.quantile(x, [0.25, 0.8], axis=0, method="lower"),
        [X],
        lambda x: numpy.quantile(x, [0.25, 0.8], axis=0, method="lower"),
        id="quantile-lower",
    ),
    Case(
        "getitem",
        lambda x: ops.quantile(x, 0.6, method="higher"),
        [X],
        lambda x: numpy.quantile(x, 0.6, method="higher"),
        id="quantile-higher",
    ),
    Case(
        "getitem",
        lambda x: ops.quantile(x, 0.55, axis=1, method="nearest"),
        [X],
        lambda x: numpy.quantile(x, 0.55, axis=1, method="nearest"),
        id="quantile-nearest",
    ),
    Case(
        "getitem",
        lambda x: ops.percentile(x, 70, axis=1),
        [X],
        lambda x: numpy.percentile(x, 70, axis=1),
        id="percentile",
    ),
    Case("getitem", lambda x: ops.median(x, axis=0), [X], lambda x: numpy.median(x, axis=0), id="median"),
    Case(
        "getitem",
        lambda x: ops.nanquantile(x, [0.2, 0.9], axis=1),
        [SPARSE_NAN],
        lambda x: numpy.nanquantile(x, [0.2, 0.9], axis=1),
        id="nanquantile",
    ),
    Case(
        "getitem",
        lambda x: ops.nanpercentile(x, 35, axis=1, method="nearest"),
        [SPARSE_NAN],
        lambda x: numpy.nanpercentile(x, 35, axis=1, method="nearest"),
        grad=False,
        id="nanpercentile",
    ),
    Case(
        "getitem",
        lambda x: ops.nanmedian(x, axis=1),
        [WITH_NAN],
        lambda x: numpy.array([numpy.nanmedian(r) if not numpy.isnan(r).all() else numpy.nan for r in x], x.dtype),
        grad=False,
        id="nanmedian-all-nan-row",
    ),
    Case("max", lambda x: ops.ptp(x, axis=1), [X], lambda x: numpy.ptp(x, axis=1), id="ptp", covers=("min",)),
    Case("max", lambda x: ops.amax(x, axis=0), [X], lambda x: numpy.amax(x, axis=0), id="amax"),
    Case(
        "min",
        lambda x: ops.amin(x, axis=1, keepdims=True),
        [X],
        lambda x: numpy.amin(x, axis=1, keepdims=True),
        id="amin",
    ),
    Case("matmul", ops.corrcoef, [X], numpy.corrcoef, id="corrcoef"),
    Case("bincount", ops.bincount, [COUNTS], numpy.bincount, covers=("check_range",)),
    Case(
        "bincount",
        lambda x, w: ops.bincount(x, weights=w, minlength=7),
        [COUNTS, randn(7)],
        lambda x, w: numpy.bincount(x, w, 7),
        id="bincount-weights",
    ),
    Case(
        "bincount",
        lambda x: ops.bincount(x),
        [numpy.array([[0, 2, 2], [1, 1, 0]], "int32")],
        lambda x: numpy.stack([numpy.bincount(r, minlength=3) for r in x]),
        id="bincount-rows",
    ),
    Case("digitize", ops.digitize, [X, numpy.array([-1.0, 0.0, 0.5, 2.0])], numpy.digitize),
    Case(
        "histogram_counts",
        _first(lambda x: ops.histogram(x, bins=4)),
        [randn(12)],
        lambda x: numpy.histogram(x, bins=4)[0],
        grad=False,
    ),
    Case(
        "histogram_counts",
        lambda x: ops.histogram(x, bins=4, range=(-1.0, 1.0))[0],
        [randn(12)],
        lambda x: numpy.histogram(x, bins=4, range=(-1.0, 1.0))[0],
        grad=False,
        id="histogram-range",
    ),
    Case(
        "histogram_counts",
        lambda x: ops.histogram(x, bins=4)[1],
        [randn(12)],
        lambda x: numpy.histogram(x, bins=4)[1],
        id="histogram-edges",
    ),
]

NAN_REDUCTIONS = [
    Case("sum", lambda x: ops.nansum(x, axis=1), [WITH_NAN], lambda x: numpy.nansum(x, axis=1), id="nansum"),
    Case("prod", lambda x: ops.nanprod(x, axis=1), [WITH_NAN], lambda x: numpy.nanprod(x, axis=1), id="nanprod"),
    Case("max", lambda x: ops.nanmax(x, axis=1), [SPARSE_NAN], lambda x: numpy.nanmax(x, axis=1), id="nanmax"),
    Case("min", lambda x: ops.nanmin(x, axis=1), [SPARSE_NAN], lambda x: numpy.nanmin(x, axis=1), id="nanmin"),
    Case("mean", lambda x: ops.nanmean(x, axis=1), [SPARSE_NAN], lambda x: numpy.nanmean(x, axis=1), id="nanmean"),
    Case("mean", lambda x: ops.nanvar(x, axis=1), [SPARSE_NAN], lambda x: numpy.nanvar(x, axis=1), id="nanvar"),
    Case("mean", lambda x: ops.nanstd(x), [SPARSE_NAN], lambda x: numpy.nanstd(x), id="nanstd"),
    Case(
        "argmax", lambda x: ops.nanargmax(x, axis=1), [SPARSE_NAN], lambda x: numpy.nanargmax(x, axis=1), id="nanargmax"
    ),
    Case(
        "argmin", lambda x: ops.nanargmin(x, axis=1), [SPARSE_NAN], lambda x: numpy.nanargmin(x, axis=1), id="nanargmin"
    ),
    Case(
        "cumsum", lambda x: ops.nancumsum(x, axis=1), [WITH_NAN], lambda x: numpy.nancumsum(x, axis=1), id="nancumsum"
    ),
    Case(
        "cumprod",
        lambda x: ops.nancumprod(x, axis=0),
        [SPARSE_NAN],
        lambda x: numpy.nancumprod(x, axis=0),
        id="nancumprod",
    ),
]

SORTED = numpy.array([-1.0, 0.0, 0.5, 2.0])
SEARCHING = [
    Case("searchsorted", ops.searchsorted, [SORTED, X], numpy.searchsorted, grad=False),
    Case(
        "searchsorted",
        lambda s, v: ops.searchsorted(s, v, side="right"),
        [SORTED, numpy.array([0.0, 0.5, 3.0])],
        lambda s, v: numpy.searchsorted(s, v, side="right"),
        grad=False,
        id="searchsorted-right",
    ),
    Case(
        "argpartition",
        lambda x: ops.sort(ops.argpartition(x, 2)[..., :2], axis=-1),
        [X],
        lambda x: numpy.sort(numpy.argsort(x, axis=-1)[..., :2], axis=-1),
        covers=("argsort",),
    ),
    Case(
        "argwhere",
        _first(ops.nonzero),
        [numpy.array([[0, 3, 0], [2, 0, 1]], "int32")],
        lambda x: numpy.nonzero(x)[0],
        id="nonzero",
    ),
    Case(
        "argwhere",
        lambda x: ops.nonzero(x)[1],
        [numpy.array([[0, 3, 0], [2, 0, 1]], "int32")],
        lambda x: numpy.nonzero(x)[1],
        id="nonzero-columns",
    ),
    Case("unique", ops.unique, [numpy.array([3, 1, 3, 2, 1], "int32")], numpy.unique),
    Case(
        "unique",
        lambda x: ops.unique(x, return_counts=True)[1],
        [numpy.array([3, 1, 3, 2, 1], "int32")],
        lambda x: numpy.unique(x, return_counts=True)[1],
        id="unique-counts",
    ),
    Case(
        "unique",
        lambda x: ops.unique(x, return_inverse=True)[1],
        [numpy.array([3, 1, 3, 2, 1], "int32")],
        lambda x: numpy.unique(x, return_inverse=True)[1],
        id="unique-inverse",
    ),
    Case(
        "unique",
        lambda x: ops.unique(x, return_index=True, size=5, fill_value=-1)[0],
        [numpy.array([3, 1, 3, 2, 1], "int32")],
        lambda x: numpy.array([1, 2, 3, -1, -1]),
        id="unique-size",
    ),
    Case(
        "unique",
        lambda x: ops.unique(x, axis=0),
        [numpy.array([[1, 2], [0, 5], [1, 2]], "int32")],
        lambda x: numpy.unique(x, axis=0),
        id="unique-rows",
    ),
    Case("isin", ops.isin, [numpy.array([[1, 5], [2, 7]], "int32"), numpy.array([2, 5, 9], "int32")], numpy.isin),
    Case(
        "isin",
        lambda a, b: ops.isin(a, b, invert=True),
        [numpy.array([1, 5, 2], "int32"), numpy.array([2, 5], "int32")],
        lambda a, b: numpy.isin(a, b, invert=True),
        id="isin-invert",
    ),
    Case(
        "mod",
        lambda i: ops.unravel_index(i, (3, 4))[1],
        [numpy.array([0, 5, 11], "int32")],
        lambda i: numpy.unravel_index(i, (3, 4))[1],
        id="unravel_index",
        covers=("floor_divide",),
    ),
]

SHAPES = [
    Case("getitem", lambda x: ops.diagonal(x, 1), [X], lambda x: numpy.diagonal(x, 1), id="diagonal"),
    Case(
        "getitem",
        lambda x: ops.diagonal(x, -1, 2, 0),
        [CUBE],
        lambda x: numpy.diagonal(x, -1, 2, 0),
        id="diagonal-axes",
    ),
    Case("getitem", lambda x: ops.trace(x, 0, 1, 2), [CUBE], lambda x: numpy.trace(x, 0, 1, 2), id="trace"),
    Case("scatter", lambda v: ops.diag(v, -1), [randn(3)], lambda v: numpy.diag(v, -1), id="diag-vector"),
    Case("getitem", lambda x: ops.diag(x, 2), [X], lambda x: numpy.diag(x, 2), id="diag-matrix"),
    Case("scatter", lambda x: ops.diagflat(x, 1), [randn(2, 2)], lambda x: numpy.diagflat(x, 1), id="diagflat"),
    Case(
        "getitem",
        lambda x: ops.array_split(x, 3, axis=1)[2],
        [X],
        lambda x: numpy.array_split(x, 3, axis=1)[2],
        id="array_split",
    ),
    Case("getitem", lambda x: ops.hsplit(x, 3)[1], [CUBE], lambda x: numpy.hsplit(x, 3)[1], id="hsplit"),
    Case("getitem", lambda x: ops.vsplit(x, 2)[0], [CUBE], lambda x: numpy.vsplit(x, 2)[0], id="vsplit"),
    Case("getitem", lambda x: ops.dsplit(x, [1, 3])[1], [CUBE], lambda x: numpy.dsplit(x, [1, 3])[1], id="dsplit"),
    Case(
        "concatenate", lambda a, b: ops.hstack([a, b]), [X, randn(3, 2)], lambda a, b: numpy.hstack([a, b]), id="hstack"
    ),
    Case("concatenate", lambda a, b: ops.vstack([a, b]), [randn(5), X], lambda a, b: numpy.vstack([a, b]), id="vstack"),
    Case("concatenate", lambda a, b: ops.dstack([a, b]), [X, X], lambda a, b: numpy.dstack([a, b]), id="dstack"),
    Case("concatenate", ops.append, [X, randn(4)], numpy.append, id="append"),
    Case(
        "concatenate",
        lambda a, b: ops.append(a, b, axis=0),
        [X, randn(1, 5)],
        lambda a, b: numpy.append(a, b, axis=0),
        id="append-axis",
    ),
    Case("getitem", ops.fliplr, [X], numpy.fliplr, id="fliplr"),
    Case("getitem", ops.flipud, [X], numpy.flipud, id="flipud"),
    Case("transpose", lambda x: ops.rot90(x, 1, (1, 2)), [CUBE], lambda x: numpy.rot90(x, 1, (1, 2)), id="rot90"),
    Case("transpose", lambda x: ops.rot90(x, -1), [X], lambda x: numpy.rot90(x, -1), id="rot90-clockwise"),
    Case("getitem", lambda x: ops.rot90(x, 2), [X], lambda x: numpy.rot90(x, 2), id="rot90-half"),
    Case("getitem", ops.diff, [X], numpy.diff, id="diff"),
    Case("getitem", lambda x: ops.diff(x, n=2, axis=0), [X], lambda x: numpy.diff(x, n=2, axis=0), id="diff-twice"),
    Case("getitem", ops.trapezoid, [X], numpy.trapezoid, id="trapezoid"),
    Case(
        "getitem",
        lambda y, x: ops.trapezoid(y, x),
        [X, numpy.cumsum(rng(3).random(5))],
        numpy.trapezoid,
        id="trapezoid-x",
    ),
    Case(
        "where",
        lambda x: ops.select([ops.greater(x, 0.5), ops.less(x, -0.5)], [x, -x], 7.0),
        [X],
        lambda x: numpy.select([x > 0.5, x < -0.5], [x, -x], 7.0),
        id="select",
    ),
    Case("getitem", lambda x: ops.get_item(x, (slice(1, None), 2)), [X], lambda x: x[1:, 2], id="get_item"),
]

PRODUCTS = [
    Case("multiply", ops.kron, [randn(2, 3), randn(2, 2, seed=1)], numpy.kron, id="kron"),
    Case("multiply", ops.kron, [randn(3), randn(2, 2, seed=1)], numpy.kron, id="kron-ranks"),
    Case("multiply", ops.cross, [randn(4, 3), randn(4, 3, seed=1)], numpy.cross, id="cross"),
    Case(
        "multiply",
        lambda a, b: ops.cross(a, b, axisa=0, axisc=0),
        [randn(3, 4), randn(4, 3, seed=1)],
        lambda a, b: numpy.cross(a, b, axisa=0, axisc=0),
        id="cross-axes",
    ),
    Case(
        "multiply",
        ops.cross,
        [randn(4, 3), randn(1, 2, seed=1)],
        lambda a, b: numpy.cross(a, numpy.pad(b, ((0, 0), (0, 1)))),
        id="cross-3-by-2",
    ),
    Case("multiply", ops.vdot, [X, randn(3, 5, seed=1)], numpy.vdot, id="vdot"),
    Case("getitem", ops.correlate, [randn(6), randn(3, seed=1)], numpy.correlate, id="correlate"),
    Case(
        "getitem",
        lambda a, b: ops.correlate(a, b, "same"),
        [randn(4), randn(6, seed=1)],
        lambda a, b: numpy.correlate(a, b, "same"),
        id="correlate-same",
    ),
    Case(
        "getitem",
        lambda a, b: ops.correlate(a, b, "full"),
        [randn(5), randn(2, seed=1)],
        lambda a, b: numpy.correlate(a, b, "full"),
        id="correlate-full",
    ),
]

CREATION = [
    Case("power", lambda x: ops.vander(x, 4), [randn(3)], lambda x: numpy.vander(x, 4), id="vander"),
    Case(
        "power",
        lambda x: ops.vander(x, increasing=True),
        [randn(3)],
        lambda x: numpy.vander(x, increasing=True),
        id="vander-increasing",
    ),
    Case(
        "broadcast_to",
        lambda a, b: ops.meshgrid(a, b)[0] * ops.meshgrid(a, b)[1],
        [randn(3), randn(2, seed=1)],
        lambda a, b: numpy.multiply(*numpy.meshgrid(a, b)),
        id="meshgrid",
    ),
    Case(
        "broadcast_to",
        lambda a, b: ops.meshgrid(a, b, indexing="ij")[1],
        [randn(3), randn(2, seed=1)],
        lambda a, b: numpy.meshgrid(a, b, indexing="ij")[1],
        id="meshgrid-ij",
    ),
    Case(
        "zeros_like", lambda x: ops.empty_like(x) * 0.0, [X], lambda x: numpy.zeros_like(x), grad=False, id="empty_like"
    ),
]

MAPPING = [
    Case(
        "getitem",
        lambda x: ops.map(lambda row: ops.sum(row * row), x),
        [X],
        lambda x: (x * x).sum(axis=1),
        id="map",
        covers=("sum",),
    ),
    Case(
        "getitem",
        lambda x: ops.vectorized_map(lambda row: row * 2.0 + ops.max(row), x),
        [X],
        lambda x: x * 2 + x.max(axis=1, keepdims=True),
        id="vectorized_map",
    ),
    Case(
        "getitem",
        lambda x, y: ops.vectorized_map(lambda pair: pair[0] * pair[1], [x, y]),
        [X, randn(3, 5, seed=1)],
        numpy.multiply,
        id="vectorized_map-list",
    ),
    Case(
        "getitem",
        lambda x, y: ops.vectorize(lambda a, b: ops.sum(a * b), signature="(n),(n)->()")(x, y),
        [CUBE, randn(4, seed=2)],
        lambda x, y: (x * y).sum(axis=-1),
        id="vectorize-signature",
    ),
    Case(
        "getitem", lambda x: ops.vectorize(lambda a: a * a + 1.0)(x), [randn(2, 3)], lambda x: x * x + 1, id="vectorize"
    ),
    Case(
        "concatenate",
        lambda x: ops.associative_scan(lambda a, b: a + b, x, axis=1),
        [randn(3, 7)],
        lambda x: numpy.cumsum(x, axis=1),
        id="associative_scan",
    ),
    Case(
        "concatenate",
        lambda x: ops.associative_scan(ops.multiply, x, reverse=True),
        [randn(6, 2) + 2.0],
        lambda x: numpy.cumprod(x[::-1], axis=0)[::-1],
        id="associative_scan-reverse",
    ),
    Case(
        "transpose",
        lambda x: ops.rearrange(x, "b (h w) c -> b c h w", h=2),
        [randn(2, 6, 3)],
        lambda x: x.reshape(2, 2, 3, 3).transpose(0, 3, 1, 2),
        id="rearrange",
    ),
]

CASES = STATISTICS + NAN_REDUCTIONS + SEARCHING + SHAPES + PRODUCTS + CREATION + MAPPING
