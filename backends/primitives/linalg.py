"""Linear algebra as Keras's ops: matmul, einsum, qr (primitives), and tensordot, dot, inner, outer (einsum
or matmul underneath).

matmul follows numpy: batch dimensions broadcast, a 1-D operand is a vector. einsum takes explicit or
implicit subscripts with "..." (an output without it sums the axes it stands for); its gradient for each
operand is another einsum of the output gradient with the other operands. A label repeated within one
operand (a diagonal or trace) is refused.
"""

import functools
import math
import string

import numpy

from ..dispatch import traced
from .elementwise import float_dtype, floating
from .registry import (
    PRIMITIVES,
    broadcast_like,
    broadcast_shapes,
    describe,
    export,
    is_bfloat16,
    ops,
    primitive,
    result_dtype,
    shape_of,
)

# ----- matmul -------------------------------------------------------------------------------


def _matmul_infer(shapes, dtypes):
    a, b = (tuple(s) for s in shapes)
    if not a or not b:
        raise ValueError(f"matmul: operands must have at least one dimension, got shapes {a} and {b}")
    inner_a, inner_b = a[-1], b[-2] if len(b) > 1 else b[0]
    if inner_a is not None and inner_b is not None and inner_a != inner_b:
        raise ValueError(f"matmul: cannot multiply shapes {a} and {b}: inner dimensions {inner_a} and {inner_b} differ")
    try:
        batch = broadcast_shapes("matmul", a[:-2], b[:-2])
    except ValueError:
        raise ValueError(
            f"matmul: the batch dimensions of shapes {a} and {b} cannot be broadcast together ({a[:-2]} and {b[:-2]})"
        ) from None
    return batch + a[-2:-1] + b[-1:] if len(b) > 1 else batch + a[-2:-1], result_dtype(*dtypes)


class _Welcome:
    """In a rule's `needs`: this input's gradient is wanted, and may come back as a PendingProduct."""

    __slots__ = ()

    def __bool__(self):
        return True

    def __repr__(self):
        return "WELCOME"


WELCOME = _Welcome()


class PendingProduct:
    """A variable's gradient `leftᵀ @ right` (2-D engine tensors: a Dense kernel's `xᵀ @ g`), not computed yet:
    what the matmul rule returns for an input offered WELCOME (see backends/product_updates.py). `left` is kept
    as it is: gemm and `value()` read its transposed view, so no transpose op is made for it."""

    __slots__ = ("left", "right", "shape", "dtype", "_value")

    def __init__(self, left, right):
        self.left, self.right = left, right
        self.shape = (left.shape[1], right.shape[1])
        self.dtype = result_dtype(left.dtype, right.dtype)
        self._value = None

    def value(self):
        """The product, computed once."""
        if self._value is None:
            self._value = matmul_left_transposed(self.left, self.right)
        return self._value


def _swap(x, rank):
    """`x` (of rank `rank`) with its last two axes swapped: the transpose primitive with axes made here, which
    need none of the public op's checks."""
    return PRIMITIVES["transpose"](x, axes=tuple(range(rank - 2)) + (rank - 1, rank - 2))


def _matmul_vjp(g, inputs, out, needs):
    """On matrices: dA = G Bᵀ, dB = Aᵀ G; a vector operand is a 1-row (A) or 1-column (B) matrix. Two matrices
    outside a trace: `matrix_gradients`, the products of transposes as one op each (the same kernels on the same
    views), where a trace keeps transpose and matmul for the static passes."""
    a, b = inputs
    rank_a, rank_b = len(shape_of(a)), len(shape_of(b))
    if rank_a == rank_b == 2 and not traced(g):
        return matrix_gradients(g, a, b, needs)
    vector_a, vector_b = rank_a == 1, rank_b == 1
    if vector_a:
        a = ops.expand_dims(a, 0)
    if vector_b:
        b = ops.expand_dims(b, -1)
    if vector_a or vector_b:
        g = ops.expand_dims(g, (-2,) * vector_a + (-1,) * vector_b)
    d_a = d_b = None
    rank_a, rank_b = rank_a + vector_a, rank_b + vector_b
    if needs[0]:
        d_a = matmul(g, _swap(b, rank_b))
        d_a = ops.squeeze(d_a, -2) if vector_a else d_a
    if needs[1]:
        pending = needs[1] is WELCOME and not vector_b
        d_b = _shared_matrix_gradient(a, b, g, pending, rank_a, rank_b)
        if d_b is None:
            pending = pending and rank_a == rank_b == 2
            d_b = PendingProduct(a, g) if pending else matmul(_swap(a, rank_a), g)
        d_b = ops.squeeze(d_b, -1) if vector_b else d_b
    return d_a, d_b


def matrix_gradients(g, a, b, needs):
    """matmul's gradients of two matrices outside a trace: G Bᵀ and Aᵀ G as one op each, Aᵀ G left pending where
    `needs[1]` is WELCOME."""
    d_a = matmul_right_transposed(g, b) if needs[0] else None
    if not needs[1]:
        return d_a, None
    return d_a, PendingProduct(a, g) if needs[1] is WELCOME else matmul_left_transposed(a, g)


def _shared_matrix_gradient(a, b, g, pending, rank_a, rank_b):
    """dB for a batch of A times one matrix B (a Dense layer on sequences): one matmul over the flattened
    batch, instead of a gradient per batch element summed afterwards (left pending if `pending`). None when
    that does not apply."""
    if rank_a < 3 or rank_b != 2 or None in shape_of(b):
        return None
    rows, columns = shape_of(b)
    left, right = ops.reshape(a, (-1, rows)), ops.reshape(g, (-1, columns))
    return PendingProduct(left, right) if pending else matmul(_swap(left, 2), right)


def _in_float32(forward, xp, operands, attrs):
    """`forward` of bfloat16 operands computed in float32 and rounded back; None when no operand is bfloat16."""
    for operand in operands:  # a loop, not a list: this runs for every product of every step
        narrow = operand.dtype
        if narrow.kind == "V" and is_bfloat16(narrow):
            wide = [x.astype("float32") if x.dtype == narrow else x for x in operands]
            return forward(xp, *wide, **attrs).astype(narrow)
    return None


def bfloat16_through_float32(forward):
    """numpy (with ml_dtypes) has no bfloat16 matmul (its result comes out float32) nor einsum: bfloat16
    operands are multiplied in float32, as bfloat16 hardware accumulates, and the result rounded back."""

    @functools.wraps(forward)
    def wrapped(xp, *operands, **attrs):
        result = _in_float32(forward, xp, operands, attrs)
        return forward(xp, *operands, **attrs) if result is None else result

    return wrapped


SMALL = 4096  # elements of each operand up to which a matrix product calls the `dot` method
_FLOAT32, _FLOAT64 = numpy.dtype("float32"), numpy.dtype("float64")


def _matmul_forward(xp, a, b):
    """A stack of matrices times one matrix (a Dense layer on sequences) is one matrix product of the rows:
    numpy would loop over the stack, several times slower. Two small matrices of numbers: the `dot` method, the same
    product (the same BLAS call) without the microsecond of `matmul`'s ufunc machinery; large transposed
    operands stay with `matmul`, which hands them to BLAS without a copy. bfloat16 operands are multiplied
    as `bfloat16_through_float32` does it, checked here rather than by its wrapper (a product of small
    matrices costs little more than the wrapper's call)."""
    if a.ndim == 2 and b.ndim == 2 and a.size <= SMALL and b.size <= SMALL:
        # numbers only (`matmul` words the error for strings and objects; bfloat16 below); the usual float32 or
        # float64 pair is named by identity first (numpy's float dtypes are singletons), the cheaper test
        dtype = a.dtype
        if (dtype is _FLOAT32 or dtype is _FLOAT64) and b.dtype is dtype or dtype.kind in "fc" and b.dtype.kind != "V":
            return a.dot(b)
    if a.dtype.kind == "V" or b.dtype.kind == "V":
        result = _in_float32(_matmul_forward, xp, (a, b), {})
        if result is not None:
            return result
    if a.ndim > 2 and b.ndim == 2 and a.flags.c_contiguous:
        return xp.matmul(a.reshape(-1, a.shape[-1]), b).reshape(a.shape[:-1] + b.shape[-1:])
    return xp.matmul(a, b)


matmul = export(
    primitive("matmul", _matmul_forward, _matmul_vjp, _matmul_infer, saves=(0, 1), fresh=True),
    name="matmul",
)


def _transposed_infer(transposed):
    def infer(shapes, dtypes):
        if len(shapes[transposed]) != 2:
            raise ValueError(f"matmul: the transposed operand must be a matrix, got shape {tuple(shapes[transposed])}")
        shapes = list(shapes)
        shapes[transposed] = tuple(shapes[transposed])[::-1]
        return _matmul_infer(shapes, dtypes)

    return infer


# matmul's eager gradient of two matrices: G Bᵀ and Aᵀ G as one op each, the product of the transposed view (a
# transpose op fewer per product); closed under differentiation with matmul, so higher orders run too
matmul_right_transposed = primitive(
    "matmul_right_transposed",
    lambda xp, a, b: _matmul_forward(xp, a, b.T),
    lambda g, inputs, out, needs: (
        matmul(g, inputs[1]) if needs[0] else None,
        matmul_left_transposed(g, inputs[0]) if needs[1] else None,
    ),
    _transposed_infer(1),
    saves=(0, 1),
    fresh=True,
)
matmul_left_transposed = primitive(
    "matmul_left_transposed",
    lambda xp, a, b: _matmul_forward(xp, a.T, b),
    lambda g, inputs, out, needs: (
        matmul_right_transposed(inputs[1], g) if needs[0] else None,
        matmul(inputs[0], g) if needs[1] else None,
    ),
    _transposed_infer(0),
    saves=(0, 1),
    fresh=True,
)


# ----- einsum -------------------------------------------------------------------------------

_ELLIPSIS = "."  # "..." is one token; inside the parser it is this one character


def _tokens(term):
    return term.replace("...", _ELLIPSIS)


def _explicit(subscripts):
    """Subscripts with "->" and no spaces (implicit form: output = ellipsis + labels seen once, sorted)."""
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        return subscripts
    labels = _tokens(subscripts).replace(",", "")
    output = ("..." if _ELLIPSIS in labels else "") + "".join(
        sorted(c for c in set(labels) if c != _ELLIPSIS and labels.count(c) == 1)
    )
    return f"{subscripts}->{output}"


def _split(subscripts):
    inputs, output = subscripts.split("->")
    return [_tokens(t) for t in inputs.split(",")], _tokens(output)


def _labels(term):
    """The labels of one operand's term; the gradient rule cannot handle a label repeated within it."""
    labels = term.replace(_ELLIPSIS, "")
    if len(set(labels)) != len(labels):
        raise ValueError(
            f"einsum: a subscript repeated within one operand ('{term.replace(_ELLIPSIS, '...')}') is not supported"
        )
    return labels


def _axes_of(term, shape, position, shapes):
    """{label: size} of one operand and the sizes its ellipsis stands for."""
    labels = _labels(term)
    spread = len(shape) - len(labels)
    if spread < 0 or (spread and _ELLIPSIS not in term):
        raise ValueError(
            f"einsum: operand {position} has shape {tuple(shape)} but its subscripts "
            f"'{term.replace(_ELLIPSIS, '...')}' name {len(labels)} axes (shapes {describe(shapes)})"
        )
    start = term.find(_ELLIPSIS)
    if start < 0:
        return dict(zip(labels, shape)), ()
    dims = tuple(shape[:start]) + tuple(shape[start + spread :])
    return dict(zip(labels, dims)), tuple(shape[start : start + spread])


def _einsum_infer(shapes, dtypes, subscripts):
    terms, output = _split(subscripts)
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: subscripts '{subscripts}' name {len(terms)} operands, got {len(shapes)}")
    sizes, spreads = {}, []
    for position, (term, shape) in enumerate(zip(terms, shapes)):
        axes, spread = _axes_of(term, shape, position, shapes)
        spreads.append(spread)
        for label, size in axes.items():
            known, first = sizes.get(label, (None, None))
            if known is not None and size is not None and known != size:
                raise ValueError(
                    f"einsum: subscript '{label}' has size {known} in operand {first} but {size} in "
                    f"operand {position} (subscripts '{subscripts}', shapes {describe(shapes)})"
                )
            if known is None:
                sizes[label] = (size, position)
    for label in output.replace(_ELLIPSIS, ""):
        if label not in sizes:
            raise ValueError(f"einsum: output subscript '{label}' appears in no operand ('{subscripts}')")
    uses_ellipsis = any(_ELLIPSIS in t for t in terms)  # an output without it sums the axes it stands for
    broadcast = broadcast_shapes("einsum", *spreads) if uses_ellipsis else ()
    shape = []
    for label in output:
        shape.extend(broadcast if label == _ELLIPSIS else (sizes[label][0],))
    return tuple(shape), result_dtype(*dtypes)


def _einsum_vjp(g, inputs, out, needs, subscripts):
    terms, output = _split(subscripts)
    if _ELLIPSIS not in output and any(_ELLIPSIS in t for t in terms):
        terms, output = _split(_spelled_out(subscripts, tuple(len(shape_of(x)) for x in inputs)))
    grads = []
    for position, (x, term, need) in enumerate(zip(inputs, terms, needs)):
        if not need:
            grads.append(None)
            continue
        others = [t for i, t in enumerate(terms) if i != position]
        available = set(output).union(*others)
        kept = "".join(c for c in term if c in available)
        spec = ",".join([output, *others]) + "->" + kept
        operands = [y for i, y in enumerate(inputs) if i != position]
        grad = einsum_product(g, *operands, subscripts=spec.replace(_ELLIPSIS, "..."))
        if kept != term:  # a label summed within this operand alone: the gradient is constant along it
            grad = broadcast_like(ops.expand_dims(grad, _positions(term, kept, len(shape_of(x)))), x)
        grads.append(grad)
    return tuple(grads)


def _positions(term, kept, rank):
    """Axes of an operand (of the given rank) whose labels are in `term` but not in `kept`."""
    start = term.find(_ELLIPSIS)
    positions = []
    for index, label in enumerate(term):
        if label == _ELLIPSIS and label not in kept:
            positions.extend(range(start, start + rank - len(term) + 1))
        elif label not in kept:
            after = start >= 0 and index > start
            positions.append(index - len(term) + rank if after else index)
    return tuple(positions)


@bfloat16_through_float32
def _einsum_forward(xp, *operands, subscripts):
    terms, output = _split(subscripts)
    if _ELLIPSIS not in output and any(_ELLIPSIS in t for t in terms):
        subscripts = _spelled_out(subscripts, tuple(len(x.shape) for x in operands))
    if len(operands) == 2 and _ELLIPSIS not in subscripts and getattr(operands[0], "size", 1) > 1024:
        plan = _pair_plan(subscripts, tuple(operands[0].shape), tuple(operands[1].shape))
        if plan is not None:
            return _contract_pair(xp, *operands, *plan)
    return xp.einsum(subscripts, *operands, optimize=_worth_optimizing(subscripts, operands))


@functools.lru_cache(maxsize=256)
def _pair_plan(subscripts, shape_a, shape_b):
    """Two operands as one (batched) matmul, the way a dense or attention projection is computed: labels of
    both operands and the output are the batch, of both operands alone are contracted, of one operand and
    the output are its rows or columns; a label of one operand alone is summed first. numpy's own optimised
    path is many times slower for these (numpy 2.4). None where sizes differ (broadcast labels)."""
    (term_a, term_b), output = _split(subscripts)
    sizes = {}
    for term, shape in ((term_a, shape_a), (term_b, shape_b)):
        for label, size in zip(term, shape):
            if sizes.setdefault(label, size) != size:
                return None
    batch = [c for c in term_a if c in term_b and c in output]
    contracted = [c for c in term_a if c in term_b and c not in output]
    rows = [c for c in term_a if c not in term_b and c in output]
    columns = [c for c in term_b if c not in term_a and c in output]
    alone_a = tuple(i for i, c in enumerate(term_a) if c not in term_b and c not in output)
    alone_b = tuple(i for i, c in enumerate(term_b) if c not in term_a and c not in output)
    kept_a = [c for i, c in enumerate(term_a) if i not in alone_a]
    kept_b = [c for i, c in enumerate(term_b) if i not in alone_b]

    def size(labels):
        return math.prod(sizes[c] for c in labels)

    def layout(kept, first, second):
        """(transpose order or None, shape, swap) viewing an operand as (batch, first, second) matrices; an
        operand stored (batch, second, first) is reshaped as it lies and its matrices swapped (a view: BLAS
        reads it transposed), instead of copied into the other order."""
        straight = tuple(kept.index(c) for c in batch + first + second)
        if straight != tuple(range(len(kept))) and kept == batch + second + first:
            return None, (size(batch), size(second), size(first)), True
        return straight, (size(batch), size(first), size(second)), False

    result_labels = batch + rows + columns
    shape = tuple(sizes[c] for c in result_labels)
    order = tuple(result_labels.index(c) for c in output)
    return alone_a, alone_b, layout(kept_a, rows, contracted), layout(kept_b, contracted, columns), shape, order


def _matrices(xp, x, alone, layout):
    order, shape, swap = layout
    if alone:
        x = x.sum(axis=alone)
    if order is not None:
        x = xp.transpose(x, order)
    x = xp.reshape(x, shape)
    return xp.swapaxes(x, -1, -2) if swap else x


def _contract_pair(xp, a, b, alone_a, alone_b, layout_a, layout_b, shape, order):
    a, b = _matrices(xp, a, alone_a, layout_a), _matrices(xp, b, alone_b, layout_b)
    product = xp.matmul(a[0], b[0]) if a.shape[0] == 1 else xp.matmul(a, b)
    return xp.transpose(xp.reshape(product, shape), order)


@functools.lru_cache(maxsize=256)
def _spelled_out(subscripts, ranks):
    """numpy cannot sum the axes of a "..." the output lacks: name them with unused letters (aligned from
    the right, as broadcasting aligns them)."""
    terms, output = _split(subscripts)
    spreads = [rank - len(t.replace(_ELLIPSIS, "")) for t, rank in zip(terms, ranks)]
    free = [c for c in string.ascii_letters if c not in subscripts][: max(spreads)]
    terms = [t.replace(_ELLIPSIS, "".join(free[len(free) - n :]) if n else "") for t, n in zip(terms, spreads)]
    return ",".join(terms) + "->" + output


def _worth_optimizing(subscripts, operands):
    """numpy's optimised path (BLAS through tensordot) costs ~10 us of planning, so it pays only beyond tiny
    operands; and for two operands it cannot use BLAS when a label is in both and in the output (a batch
    axis, as in a depthwise convolution's "ntg,tgm->ngm"), where it is many times slower than the plain loop."""
    if not any(getattr(x, "size", 1) > 1024 for x in operands):
        return False
    terms, output = _split(subscripts)
    return len(terms) != 2 or not set(terms[0]) & set(terms[1]) & set(output)


einsum_product = primitive("einsum", _einsum_forward, _einsum_vjp, _einsum_infer)  # the primitive


@export
def einsum(subscripts, *operands, **kwargs):
    if kwargs:
        raise TypeError(f"einsum: unexpected keyword arguments {sorted(kwargs)}")
    return einsum_product(*operands, subscripts=_checked(subscripts))


@functools.lru_cache(maxsize=256)
def _checked(subscripts):
    subscripts = _explicit(subscripts)
    for term in _split(subscripts)[0]:
        _labels(term)
    return subscripts


# ----- compositions -------------------------------------------------------------------------


@export
def tensordot(x1, x2, axes=2):
    rank1, rank2 = len(shape_of(x1)), len(shape_of(x2))
    if isinstance(axes, int):
        axes = (list(range(rank1 - axes, rank1)), list(range(axes)))
    first, second = ([a] if isinstance(a, int) else list(a) for a in axes)
    if len(first) != len(second):
        raise ValueError(
            f"tensordot: axes {axes} pair {len(first)} axes of x1 with {len(second)} of x2 "
            f"(shapes {shape_of(x1)} and {shape_of(x2)})"
        )
    letters = iter(string.ascii_letters)
    labels1 = [next(letters) for _ in range(rank1)]
    labels2 = [next(letters) for _ in range(rank2)]
    for a, b in zip(first, second):
        labels2[b % rank2] = labels1[a % rank1]
    contracted = {labels1[a % rank1] for a in first}
    output = [c for c in labels1 if c not in contracted] + [c for c in labels2 if c not in contracted]
    return einsum(f"{''.join(labels1)},{''.join(labels2)}->{''.join(output)}", x1, x2)


@export
def dot(x1, x2):
    """numpy's dot: a scalar operand multiplies, up to matrices it is matmul, beyond it contracts the last
    axis of x1 with the second-to-last of x2."""
    rank1, rank2 = len(shape_of(x1)), len(shape_of(x2))
    if rank1 == 0 or rank2 == 0:
        return ops.multiply(x1, x2)
    if rank2 <= 2:
        return matmul(x1, x2)
    return tensordot(x1, x2, axes=([rank1 - 1], [rank2 - 2]))


@export
def inner(x1, x2):
    rank1, rank2 = len(shape_of(x1)), len(shape_of(x2))
    if rank1 == 0 or rank2 == 0:
        return ops.multiply(x1, x2)
    return tensordot(x1, x2, axes=([rank1 - 1], [rank2 - 1]))


@export
def outer(x1, x2):
    return ops.multiply(ops.reshape(x1, (-1, 1)), ops.reshape(x2, (1, -1)))


# ----- qr -----------------------------------------------------------------------------------

_QR_MODES = ("reduced", "complete")


def _qr_forward(part):
    def forward(xp, x, mode):
        q, r = xp.linalg.qr(floating(x), mode=mode)
        return q if part == "q" else r

    return forward


def _qr_infer(part):
    def infer(shapes, dtypes, mode):
        shape = tuple(shapes[0])
        if len(shape) < 2:
            raise ValueError(
                f"qr: the input must have rank 2 or more (a matrix or a batch of them); received shape {shape}"
            )
        *batch, rows, columns = shape
        size = rows if mode == "complete" else (None if None in (rows, columns) else min(rows, columns))
        result = (rows, size) if part == "q" else (size, columns)
        return tuple(batch) + result, float_dtype(dtypes[0])

    return infer


def _times_r_inverse_transposed(x, r):
    """x @ inv(r).T for an upper-triangular r, by one triangular solve."""
    return ops.swapaxes(ops.solve_triangular(r, ops.swapaxes(x, -1, -2), lower=False), -1, -2)


def _qr_square_or_tall_gradient(q, r, grad_q, grad_r):
    """The gradient of a reduced QR of a matrix with rows >= columns (Walter and Lehmann's rule, as TensorFlow's)."""
    q_grad_q = ops.matmul(ops.swapaxes(q, -1, -2), grad_q)
    r_grad_r = ops.matmul(r, ops.swapaxes(grad_r, -1, -2))
    lower = ops.tril(q_grad_q - ops.swapaxes(q_grad_q, -1, -2) + r_grad_r - ops.swapaxes(r_grad_r, -1, -2))
    through_r = ops.matmul(q, grad_r + _times_r_inverse_transposed(lower, r))
    return through_r + _times_r_inverse_transposed(grad_q - ops.matmul(q, q_grad_q), r)


def _qr_vjp(part):
    def vjp(g, inputs, out, needs, mode):
        x = inputs[0]
        *_, rows, columns = shape_of(x)
        if mode == "complete" and rows > columns:
            raise NotImplementedError(
                f"qr: no gradient for mode='complete' with more rows than columns (input shape {shape_of(x)}): "
                "the extra columns of q are not unique; use mode='reduced'"
            )
        q, r = ops.qr(ops.stop_gradient(x), mode=mode)
        grad_q, grad_r = (g, ops.zeros_like(r)) if part == "q" else (ops.zeros_like(q), g)
        if rows >= columns:
            return (_qr_square_or_tall_gradient(q, r, grad_q, grad_r),)
        # wide: x = [left | right] with left = q @ r[:, :rows] square, and right = q @ r[:, rows:]
        right, grad_right_r = x[..., rows:], grad_r[..., rows:]
        grad_q = grad_q + ops.matmul(right, ops.swapaxes(grad_right_r, -1, -2))
        grad_left = _qr_square_or_tall_gradient(q, r[..., :rows], grad_q, grad_r[..., :rows])
        return (ops.concatenate([grad_left, ops.matmul(q, grad_right_r)], axis=-1),)

    return vjp


_qr_q = primitive("qr_q", _qr_forward("q"), _qr_vjp("q"), _qr_infer("q"), saves=(0,))
_qr_r = primitive("qr_r", _qr_forward("r"), _qr_vjp("r"), _qr_infer("r"), saves=(0,))


@export
def qr(x, mode="reduced"):
    """`(q, r)` with `x = q @ r`, q orthonormal and r upper triangular, over the last two axes (Keras's
    `ops.qr`); differentiable where JAX's is (not for mode="complete" with more rows than columns)."""
    if mode not in _QR_MODES:
        raise ValueError(f"qr: `mode` must be one of {list(_QR_MODES)}; received mode={mode!r}")
    return _qr_q(x, mode=mode), _qr_r(x, mode=mode)
