"""Inverses, determinants and linear solves as Keras's ops: inv, det, slogdet, logdet, solve, solve_triangular,
cholesky_inverse, lstsq, pinv, matrix_rank, over the last two axes of a batch of matrices.

Gradients as JAX gives them: inv, det, slogdet's log-determinant, solve and solve_triangular (both
operands), pinv and lstsq (both operands, for a matrix of constant rank); none for slogdet's sign and
matrix_rank (integer-valued). `b` of shape `(..., M)` is a vector right-hand side when `a` has one more axis,
as in Keras.
"""

import numpy

from .decompositions import matrix_shape, square_infer, swap
from .elementwise import float_dtype, floating
from .registry import broadcast_shapes, dtype_of, export, ops, primitive, result_dtype, shape_of


def _scalar_per_matrix(x):
    return ops.expand_dims(x, (-2, -1))


_inv = primitive(
    "inv",
    lambda xp, x: xp.linalg.inv(floating(x)),
    lambda g, inputs, out, needs: (-ops.matmul(ops.matmul(swap(out), g), swap(out)),),
    square_infer("inv"),
    saves=("output",),
)


@export
def inv(x):
    return _inv(x)


_det = primitive(
    "det",
    lambda xp, x: xp.linalg.det(floating(x)),
    lambda g, inputs, out, needs: (_scalar_per_matrix(g * out) * swap(ops.inv(inputs[0])),),
    square_infer("det", reduce=2),
)


@export
def det(x):
    return _det(x)


_slogdet_sign = primitive(
    "slogdet_sign", lambda xp, x: xp.linalg.slogdet(floating(x))[0], None, square_infer("slogdet", reduce=2)
)
_slogdet_log = primitive(
    "slogdet_logabsdet",
    lambda xp, x: xp.linalg.slogdet(floating(x))[1],
    lambda g, inputs, out, needs: (_scalar_per_matrix(g) * swap(ops.inv(inputs[0])),),
    square_infer("slogdet", reduce=2),
    saves=(0,),
)


@export
def slogdet(x):
    """`(sign, log|det x|)`; the gradient flows through the log-determinant."""
    return _slogdet_sign(x), _slogdet_log(x)


@export
def logdet(x):
    """log|det x|, as Keras's JAX backend computes it (the log-determinant of slogdet)."""
    return _slogdet_log(x)


# ----- solves -------------------------------------------------------------------------------


def _solve_infer(name):
    def infer(shapes, dtypes, **attrs):
        a = matrix_shape(name, shapes[0])
        b = tuple(shapes[1])
        if len(b) < 2:
            raise ValueError(f"{name}: `b` must have rank >= 2 here, received a.shape={a}, b.shape={b}")
        if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
            raise ValueError(
                f"{name}: Incompatible shapes between `a` and `b`. Expected `a.shape[-2] == b.shape[-2]`. "
                f"Received: a.shape={a}, b.shape={b}"
            )
        batch = broadcast_shapes(name, a[:-2], b[:-2])
        return batch + b[-2:], float_dtype(result_dtype(*dtypes))

    return infer


def _triangle(x, lower):
    return ops.tril(x) if lower else ops.triu(x)


def _matrix_solve(xp, a, b):
    a, b = floating(a), floating(b)
    dtype = numpy.result_type(a.dtype, b.dtype)
    return xp.linalg.solve(a.astype(dtype, copy=False), b.astype(dtype, copy=False))


def _solve_vjp(g, inputs, out, needs):
    a = inputs[0]
    grad_b = _solve(swap(a), g)
    return (-ops.matmul(grad_b, swap(out)) if needs[0] else None, grad_b)


def _solve_triangular_forward(xp, a, b, lower):
    a = xp.tril(a) if lower else xp.triu(a)
    return _matrix_solve(xp, a, b)


def _solve_triangular_vjp(g, inputs, out, needs, lower):
    a = inputs[0]
    grad_b = _solve_triangular(swap(a), g, lower=not lower)
    return (_triangle(-ops.matmul(grad_b, swap(out)), lower) if needs[0] else None, grad_b)


_solve = primitive("solve", _matrix_solve, _solve_vjp, _solve_infer("solve"), saves=(0, "output"))
_solve_triangular = primitive(
    "solve_triangular",
    _solve_triangular_forward,
    _solve_triangular_vjp,
    _solve_infer("solve_triangular"),
    saves=(0, "output"),
)


def _vector_solve(name, prim, a, b, vector, **attrs):
    """`prim(a, b)`, for a batch of vector right-hand sides `b` where `vector` says so."""
    matrix_shape(name, shape_of(a))
    if not shape_of(b):
        raise ValueError(f"{name}: `b` must have rank >= 1. Received: a.shape={shape_of(a)}, b.shape={shape_of(b)}")
    if not vector:
        return prim(a, b, **attrs)
    return ops.squeeze(prim(a, ops.expand_dims(b, -1), **attrs), -1)


@export
def solve(a, b):
    """x with `a @ x = b`; a 1-D `b` is a vector (numpy's and JAX's rule), any other a batch of matrices."""
    return _vector_solve("solve", _solve, a, b, len(shape_of(b)) == 1)


@export
def solve_triangular(a, b, lower=False):
    """x with `a @ x = b` for a triangular `a` (lower with `lower=True`): the other triangle is not read. `b`
    is a batch of vectors when it has one axis fewer than `a` (scipy's rule), or one axis."""
    vector = len(shape_of(b)) in (1, len(shape_of(a)) - 1)
    return _vector_solve("solve_triangular", _solve_triangular, a, b, vector, lower=bool(lower))


@export
def cholesky_inverse(x, upper=False):
    """The inverse of the matrix whose Cholesky factor is `x` (lower, or upper with `upper=True`)."""
    size = matrix_shape("cholesky_inverse", shape_of(x))[-1]
    if size is None:
        raise ValueError(f"cholesky_inverse: the matrix size must be known. Received input with shape {shape_of(x)}")
    identity = ops.eye(size, dtype=float_dtype(dtype_of(x)))
    inverse_factor = _solve_triangular(x, identity, lower=not upper)
    if upper:
        return ops.matmul(inverse_factor, swap(inverse_factor))
    return ops.matmul(swap(inverse_factor), inverse_factor)


# ----- pseudo-inverse and least squares ------------------------------------------------------


def _pinv_infer(shapes, dtypes, rcond):
    shape = matrix_shape("pinv", shapes[0], square=False)
    return shape[:-2] + (shape[-1], shape[-2]), float_dtype(dtypes[0])


def _pinv_gradient(a, p, g):
    """The gradient of pinv(a) = p for an output gradient g (Golub & Pereyra's derivative, constant rank):
    -pᵀ g pᵀ + (I - a p) gᵀ p pᵀ + pᵀ p gᵀ (I - p a)."""
    p_t, g_t = swap(p), swap(g)
    rows, columns = shape_of(a)[-2:]
    left = ops.eye(rows, dtype=p.dtype) - ops.matmul(a, p)
    right = ops.eye(columns, dtype=p.dtype) - ops.matmul(p, a)
    return (
        -ops.matmul(ops.matmul(p_t, g), p_t)
        + ops.matmul(ops.matmul(left, g_t), ops.matmul(p, p_t))
        + ops.matmul(ops.matmul(p_t, p), ops.matmul(g_t, right))
    )


def _pinv_forward(xp, x, rcond):
    x = floating(x)
    if rcond is None:  # JAX's and numpy's default cut-off: the precision of the dtype, times the matrix size
        rcond = max(x.shape[-2:]) * float(numpy.finfo(x.dtype).eps)
    return xp.linalg.pinv(x, rcond)


_pinv = primitive(
    "pinv",
    _pinv_forward,
    lambda g, inputs, out, needs, rcond: (_pinv_gradient(inputs[0], out, g),),
    _pinv_infer,
    saves=(0, "output"),
)


@export
def pinv(x, rcond=None):
    """The Moore-Penrose pseudo-inverse of each matrix, singular values below `rcond` times the largest dropped."""
    return _pinv(x, rcond=None if rcond is None else float(rcond))


def _lstsq_forward(xp, a, b, rcond):
    a, b = floating(a), floating(b)
    if rcond is None:
        rcond = max(a.shape) * float(numpy.finfo(a.dtype).eps)
    return xp.linalg.lstsq(a, b.astype(a.dtype, copy=False), rcond=rcond)[0]


def _lstsq_vjp(g, inputs, out, needs, rcond):
    """lstsq(a, b) = pinv(a) @ b."""
    a, b = inputs
    p = ops.pinv(a, rcond=rcond)
    grad_a = None
    if needs[0]:
        outer = ops.matmul(ops.reshape(g, (shape_of(g)[0], -1)), swap(ops.reshape(b, (shape_of(b)[0], -1))))
        grad_a = _pinv_gradient(a, p, outer)
    return grad_a, ops.matmul(swap(p), g) if needs[1] else None


def _lstsq_infer(shapes, dtypes, rcond):
    a, b = (tuple(s) for s in shapes)
    if len(a) != 2:
        raise ValueError(f"lstsq: Expected a to have rank 2. Received: a.shape={a}")
    if len(b) not in (1, 2):
        raise ValueError(f"lstsq: Expected b to have rank 1 or 2. Received: b.shape={b}")
    if a[0] is not None and b[0] is not None and a[0] != b[0]:
        raise ValueError(f"lstsq: Expected b.shape[0] to be equal to a.shape[0]. Received: a.shape={a}, b.shape={b}")
    return (a[1],) + b[1:], float_dtype(dtypes[0])


_lstsq = primitive("lstsq", _lstsq_forward, _lstsq_vjp, _lstsq_infer, saves=(0, 1))


@export
def lstsq(a, b, rcond=None):
    """The x minimising ||a @ x - b|| (the least-norm one where several do); `a` is (M, N), `b` (M,) or (M, K)."""
    return _lstsq(a, b, rcond=None if rcond is None else float(rcond))


def _matrix_rank_forward(xp, x, tol):
    x = floating(x)
    values = xp.linalg.svd(x, compute_uv=False)
    if tol is None:
        tol = values.max(axis=-1, keepdims=True) * (max(x.shape[-2:]) * numpy.finfo(x.dtype).eps)
    return (values > tol).sum(axis=-1).astype(numpy.int32)


def _matrix_rank_infer(shapes, dtypes, tol):
    return matrix_shape("matrix_rank", shapes[0], square=False)[:-2], numpy.dtype("int32")


_matrix_rank = primitive("matrix_rank", _matrix_rank_forward, None, _matrix_rank_infer)


@export
def matrix_rank(x, tol=None):
    """The number of singular values of each matrix above `tol` (default: the largest times the size times
    the dtype's precision, as numpy)."""
    return _matrix_rank(x, tol=None if tol is None else float(tol))
