"""Segment reductions as Keras's ops: segment_max, segment_min, segment_prod (segment_sum is a scatter, in
shape.py). Rows of `data` with the same id in `segment_ids` reduce to one row of the result; as in JAX, an
empty segment holds the reduction's identity (-inf, +inf or 1 for floats; the dtype's extremes for
integers) and rows whose id is outside [0, num_segments) are dropped.

Gradients: max and min share a row's gradient equally among the rows that reach the extreme; prod gives each
row the product of the others in its segment (zeros included).
"""

import numpy

from .registry import export, ops, primitive, shape_of

_UFUNCS = {"segment_max": "maximum", "segment_min": "minimum", "segment_prod": "multiply"}


def _identity(name, dtype):
    if name == "segment_prod":
        return 1
    if dtype.kind == "f":
        return -numpy.inf if name == "segment_max" else numpy.inf
    limits = numpy.iinfo(dtype) if dtype.kind in "iu" else None
    if limits is None:
        return name == "segment_min"  # bool: max starts from False, min from True
    return limits.min if name == "segment_max" else limits.max


def _forward(name):
    def forward(xp, data, segment_ids, num_segments):
        result = xp.full((num_segments, *data.shape[1:]), _identity(name, data.dtype), dtype=data.dtype)
        kept = (segment_ids >= 0) & (segment_ids < num_segments)
        getattr(xp, _UFUNCS[name]).at(result, segment_ids[kept], data[kept])
        return result

    return forward


def _infer(name):
    def infer(shapes, dtypes, num_segments):
        data, ids = (tuple(s) for s in shapes)
        if len(ids) != 1:
            raise ValueError(
                f"{name}: Argument `segment_ids` should be an 1-D vector, got shape: {ids}. Consider either "
                "flatten input with segment_ids.reshape((-1)) and data.reshape((-1, ) + "
                "data.shape[len(segment_ids.shape):]) or vectorize with vmap."
            )
        if not data:
            raise ValueError(f"{name}: `data` must have rank >= 1, received shape {data}")
        if ids[0] is not None and data[0] is not None and ids[0] != data[0]:
            raise ValueError(
                f"{name}: Argument `segment_ids` and `data` should have same leading dimension. Got {ids} v.s. {data}."
            )
        return (num_segments, *data[1:]), dtypes[0]

    return infer


def _rows(values, ids, num_segments):
    """Each row's segment value (zero for rows whose id is out of range), and the in-range mask."""
    kept = ops.logical_and(ops.greater_equal(ids, 0), ops.less(ids, num_segments))
    safe = ops.where(kept, ids, 0)
    mask = ops.reshape(kept, (-1,) + (1,) * (len(shape_of(values)) - 1))
    return ops.take(values, safe, axis=0), safe, mask


def _extremum_vjp(g, inputs, out, needs, num_segments):
    data, ids = inputs
    reached, safe, kept = _rows(out, ids, num_segments)
    hits = ops.cast(ops.logical_and(ops.equal(data, reached), kept), g.dtype)
    counts = ops.segment_sum(hits, safe, num_segments=num_segments)
    share = ops.take(g / ops.maximum(counts, 1), safe, axis=0)
    return share * hits, None


def _prod_vjp(g, inputs, out, needs, num_segments):
    data, ids = inputs
    row_gradient, safe, kept = _rows(g, ids, num_segments)
    zero = ops.equal(data, 0)
    nonzero_product = segment_prod(ops.where(zero, 1, data), ids, num_segments=num_segments)
    zeros = ops.segment_sum(ops.cast(ops.logical_and(zero, kept), g.dtype), safe, num_segments=num_segments)
    others_when_zero = ops.where(
        ops.equal(ops.take(zeros, safe, axis=0), 1), ops.take(nonzero_product, safe, axis=0), 0
    )
    others = ops.where(zero, others_when_zero, ops.take(out, safe, axis=0) / ops.where(zero, 1, data))
    return ops.where(kept, row_gradient * others, 0), None


_PRIMITIVES = {
    name: primitive(name, _forward(name), vjp, _infer(name), saves=(0, 1, "output"))
    for name, vjp in (("segment_max", _extremum_vjp), ("segment_min", _extremum_vjp), ("segment_prod", _prod_vjp))
}


def _segment(name, data, segment_ids, num_segments):
    if num_segments is None:
        num_segments = int(numpy.max(numpy.asarray(segment_ids))) + 1
    if isinstance(num_segments, bool) or not isinstance(num_segments, (int, numpy.integer)) or num_segments < 0:
        raise ValueError(f"{name}: `num_segments` must be a non-negative int. Received: num_segments={num_segments!r}")
    return _PRIMITIVES[name](data, segment_ids, num_segments=int(num_segments))


@export
def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """The maximum of the rows of `data` in each segment; without num_segments the ids must be concrete."""
    return _segment("segment_max", data, segment_ids, num_segments)


@export
def segment_min(data, segment_ids, num_segments=None, sorted=False):
    """The minimum of the rows of `data` in each segment; without num_segments the ids must be concrete."""
    return _segment("segment_min", data, segment_ids, num_segments)


@export
def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    """The product of the rows of `data` in each segment; without num_segments the ids must be concrete."""
    return _segment("segment_prod", data, segment_ids, num_segments)
