"""Mapping a function over tensors as Keras's: map, vectorized_map, vectorize and associative_scan.

map runs through `scan` (one graph loop on the static engine, a Python loop on the dynamic one).
vectorized_map calls the function once per element of the leading axis and stacks the results, as Keras's
numpy backend does: the static engine unrolls it over the static leading dimension. vectorize broadcasts
numpy-style (with a gufunc `signature` for core dimensions) and maps over the flattened loop dimensions.
associative_scan is JAX's parallel prefix scan: log2(n) rounds of the function on strided slices.
"""

import math
import re

from .. import dispatch
from ..tree import flatten_with_spec, unflatten
from .registry import broadcast_shapes, export, normalize_axis, ops, shape_of


@export
def map(f, xs):
    """`f` applied to each element of the leading axis of xs (a tensor or a structure of them), stacked."""
    if not callable(f):
        raise TypeError(f"map: `f` should be a callable. Received: f={f}")
    leaves = flatten_with_spec(xs)[0]
    if dispatch.control_flow(leaves) is None:  # an eager loop: it needs the count now
        _leading_size("map", leaves)
    return ops.scan(lambda carry, x: (carry, f(x)), (), xs)[1]


def _stack_results(results):
    leaves = [flatten_with_spec(result) for result in results]
    spec = leaves[0][1]
    return unflatten(spec, [ops.stack(list(column)) for column in zip(*(flat for flat, _ in leaves))])


def _leading_size(name, tensors):
    sizes = {shape_of(t)[0] if shape_of(t) else None for t in tensors}
    if len(sizes) != 1 or None in sizes:
        raise ValueError(
            f"{name}: needs inputs with one known leading dimension, received shapes {[shape_of(t) for t in tensors]}"
        )
    return sizes.pop()


@export
def vectorized_map(function, elements):
    """`function` applied to each element of the leading axis of `elements` (a tensor, or a list or tuple of
    tensors handed to `function` as a list), the results stacked."""
    if not isinstance(elements, (list, tuple)):
        return _stack_results([function(elements[i]) for i in range(_leading_size("vectorized_map", [elements]))])
    size = _leading_size("vectorized_map", elements)
    return _stack_results([function([x[i] for x in elements]) for i in range(size)])


_DIMENSION = r"\w+"
_DIMENSIONS = rf"\((?:{_DIMENSION}(?:,{_DIMENSION})*)?\)"
_SIGNATURE = rf"^{_DIMENSIONS}(?:,{_DIMENSIONS})*->{_DIMENSIONS}(?:,{_DIMENSIONS})*$"


def _parse_signature(signature):
    if not re.match(_SIGNATURE, signature.replace(" ", "")):
        raise ValueError(f"vectorize: not a valid gufunc signature: {signature}")
    return [
        [tuple(re.findall(_DIMENSION, argument)) for argument in re.findall(_DIMENSIONS, side)]
        for side in signature.replace(" ", "").split("->")
    ]


@export
def vectorize(pyfunc, *, excluded=None, signature=None):
    """`pyfunc` made to broadcast over its inputs' leading (loop) dimensions, as numpy.vectorize: a `signature`
    such as "(n),(n)->()" names the trailing core dimensions each input and output has; `excluded` names the
    positional indices or keywords passed through unchanged."""
    excluded = set(excluded or ())

    def wrapped(*args, **kwargs):
        fixed = {i: a for i, a in enumerate(args) if i in excluded or a is None}
        mapped = [ops.convert_to_tensor(a) for i, a in enumerate(args) if i not in fixed]
        fixed_kwargs = {k: v for k, v in kwargs.items() if k in excluded}
        mapped_kwargs = {k: ops.convert_to_tensor(v) for k, v in kwargs.items() if k not in excluded}
        names = list(mapped_kwargs)
        tensors = mapped + [mapped_kwargs[k] for k in names]
        cores, outputs = _parse_signature(signature) if signature else ([()] * len(tensors), None)
        if len(cores) != len(tensors):
            raise TypeError(
                f"vectorize: wrong number of positional arguments: expected {len(cores)}, got {len(tensors)}"
            )
        loops = []
        for tensor, core in zip(tensors, cores):
            shape = shape_of(tensor)
            if len(shape) < len(core):
                raise ValueError(
                    f"vectorize: input with shape {shape} does not have enough dimensions for all core "
                    f"dimensions {core}"
                )
            loops.append(shape[: len(shape) - len(core)])
        loop = broadcast_shapes("vectorize", *loops)
        if None in loop:
            raise ValueError(f"vectorize: needs known loop dimensions, received inputs of shapes {loops}")
        count = math.prod(loop)
        flat = [
            ops.reshape(ops.broadcast_to(t, loop + shape_of(t)[len(s) :]), (count,) + shape_of(t)[len(s) :])
            for t, s in zip(tensors, loops)
        ]

        def call(i):
            values = iter(t[i] for t in flat[: len(mapped)])
            positional = [fixed[j] if j in fixed else next(values) for j in range(len(args))]
            keywords = dict(fixed_kwargs, **{k: t[i] for k, t in zip(names, flat[len(mapped) :])})
            return pyfunc(*positional, **keywords)

        if count == 0:
            raise ValueError(f"vectorize: cannot map over empty loop dimensions {loop}")
        results = _stack_results([call(i) for i in range(count)])
        if isinstance(results, (tuple, list)):
            if outputs is not None and len(outputs) != len(results):
                raise ValueError(
                    f"vectorize: the function returned {len(results)} outputs; its signature names {len(outputs)}"
                )
            return type(results)(_unflatten_loop(r, loop) for r in results)
        return _unflatten_loop(results, loop)

    return wrapped


def _unflatten_loop(result, loop):
    """A result stacked over the flattened loop dimensions, with those dimensions restored."""
    return ops.reshape(result, loop + shape_of(result)[1:])


def _along(x, start, stop, step, axis):
    return ops.getitem(x, (slice(None),) * axis + (slice(start, stop, step),))


def _interleave(a, b, axis):
    """[a0, b0, a1, b1, ...] along `axis`, where a has as many elements as b or one more."""
    count = shape_of(b)[axis]
    pairs = ops.stack([_along(a, 0, count, None, axis), b], axis=axis + 1)
    shape = list(shape_of(b))
    shape[axis] = 2 * count
    merged = ops.reshape(pairs, shape)
    if shape_of(a)[axis] == count:
        return merged
    return ops.concatenate([merged, _along(a, count, None, None, axis)], axis=axis)


@export
def associative_scan(f, elems, reverse=False, axis=0):
    """The inclusive scan of `elems` (a tensor or a structure of them) along `axis` with an associative `f`:
    result[i] = f(result[i - 1], elems[i]), computed in parallel rounds as jax.lax.associative_scan does."""
    if not callable(f):
        raise TypeError(f"associative_scan: `f` should be a callable. Received: f={f}")
    leaves, spec = flatten_with_spec(elems)
    leaves = [ops.convert_to_tensor(leaf) for leaf in leaves]
    axis = normalize_axis("associative_scan", axis, len(shape_of(leaves[0])))[0]
    sizes = [shape_of(leaf)[axis] if len(shape_of(leaf)) > axis else None for leaf in leaves]
    if None in sizes or len(set(sizes)) != 1 or any(None in shape_of(leaf) for leaf in leaves):
        raise ValueError(
            "associative_scan: Array inputs to associative_scan must have the same known size along the scanned "
            f"axis. (saw: {[shape_of(leaf) for leaf in leaves]})"
        )
    if reverse:
        leaves = [ops.flip(leaf, axis=axis) for leaf in leaves]

    def combine(a, b):
        return flatten_with_spec(f(unflatten(spec, a), unflatten(spec, b)))[0]

    def scan(values):
        count = shape_of(values[0])[axis]
        if count < 2:
            return values
        reduced = combine([_along(v, 0, -1, 2, axis) for v in values], [_along(v, 1, None, 2, axis) for v in values])
        odd = scan(reduced)
        if count % 2 == 0:
            even = combine([_along(v, 0, -1, None, axis) for v in odd], [_along(v, 2, None, 2, axis) for v in values])
        else:
            even = combine(odd, [_along(v, 2, None, 2, axis) for v in values])
        even = [ops.concatenate([_along(v, 0, 1, None, axis), e], axis=axis) for v, e in zip(values, even)]
        return [_interleave(e, o, axis) for e, o in zip(even, odd)]

    results = scan(leaves)
    if reverse:
        results = [ops.flip(result, axis=axis) for result in results]
    return unflatten(spec, results)
