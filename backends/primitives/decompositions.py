"""Matrix decompositions as Keras's ops: cholesky, eigh, eig, svd, lu_factor, over the last two axes of a
batch of matrices (qr lives in linalg.py beside matmul).

An op with several results (eigh's values and vectors, svd's u, s, v) is one primitive per result. Gradients
as JAX gives them where the result determines them: cholesky, eigh (values and vectors, distinct
eigenvalues), svd (values; vectors of the reduced factors, distinct singular values), lu_factor's `lu` (square
matrices), eig's eigenvalues (not its eigenvectors). eig runs on the CPU only: cupy has no general
eigendecomposition.
"""

import numpy

from .elementwise import float_dtype, floating
from .registry import dtype_of, export, ops, primitive, shape_of


def matrix_shape(name, shape, square=True):
    """A batch of matrices' shape, checked as Keras checks it (rank 2 or more; square where asked)."""
    shape = tuple(shape)
    if len(shape) < 2:
        raise ValueError(f"{name}: Expected input to have rank >= 2. Received input with shape {shape}.")
    rows, columns = shape[-2:]
    if square and rows is not None and columns is not None and rows != columns:
        raise ValueError(f"{name}: Expected a square matrix. Received non-square input with shape {shape}")
    return shape


def swap(x):
    """The matrix transpose of a batch of matrices."""
    return ops.swapaxes(x, -1, -2)


def symmetric_part(x):
    return (x + swap(x)) * 0.5


def square_infer(name, reduce=0):
    """The shape rule of a float op of a batch of square matrices that drops its last `reduce` axes."""

    def infer(shapes, dtypes, **attrs):
        shape = matrix_shape(name, shapes[0])
        return shape[: len(shape) - reduce], float_dtype(dtypes[0])

    return infer


# ----- cholesky -----------------------------------------------------------------------------


def _cholesky_forward(xp, x, upper):
    x = floating(x)
    try:
        lower = xp.linalg.cholesky(x)
    except numpy.linalg.LinAlgError as error:
        raise ValueError(
            f"Cholesky decomposition failed: the input is not a symmetric positive-definite matrix ({error})"
        ) from None
    return xp.swapaxes(lower, -1, -2) if upper else lower


def _cholesky_vjp(g, inputs, out, needs, upper):
    """Murray (2016): with Phi the lower triangle at half its diagonal, dA = sym(L^-T Phi(L^T dL) L^-1)."""
    lower, g = (swap(out), swap(g)) if upper else (out, g)
    product = ops.matmul(swap(lower), g)
    size = shape_of(lower)[-1]
    phi = ops.tril(product) - 0.5 * product * ops.eye(size, dtype=product.dtype)
    left = ops.solve_triangular(swap(lower), phi, lower=False)
    gradient = swap(ops.solve_triangular(swap(lower), swap(left), lower=False))
    return (symmetric_part(gradient),)


_cholesky = primitive("cholesky", _cholesky_forward, _cholesky_vjp, square_infer("cholesky"), saves=("output",))


@export
def cholesky(x, upper=False):
    """The Cholesky factor of a symmetric positive-definite `x`: lower (`x = L Lᵀ`), or upper with `upper=True`."""
    return _cholesky(x, upper=bool(upper))


# ----- eigh ---------------------------------------------------------------------------------


def _eigh_forward(part):
    def forward(xp, x):
        x = floating(x)
        values, vectors = xp.linalg.eigh((x + xp.swapaxes(x, -1, -2)) / 2)
        return values if part == "values" else vectors

    return forward


def _eigh_infer(part):
    def infer(shapes, dtypes):
        shape = matrix_shape("eigh", shapes[0])
        return (shape[:-1] if part == "values" else shape), float_dtype(dtypes[0])

    return infer


def _eigh_values_vjp(g, inputs, out, needs):
    vectors = _eigh_vectors(inputs[0])
    return (ops.matmul(vectors * ops.expand_dims(g, -2), swap(vectors)),)


def _reciprocal_gaps(values):
    """F with F_ij = 1 / (values_j - values_i) off the diagonal and 0 on it (equal values give inf, as in JAX)."""
    gaps = ops.expand_dims(values, -2) - ops.expand_dims(values, -1)
    off_diagonal = ops.logical_not(ops.cast(ops.eye(shape_of(values)[-1]), "bool"))
    return ops.where(off_diagonal, 1 / ops.where(off_diagonal, gaps, 1.0), 0.0)


def _eigh_vectors_vjp(g, inputs, out, needs):
    """dA = V (F ∘ Vᵀ dV) Vᵀ, symmetrised, with F_ij = 1 / (w_j - w_i) off the diagonal."""
    inner = _reciprocal_gaps(_eigh_values(inputs[0])) * ops.matmul(swap(out), g)
    return (symmetric_part(ops.matmul(ops.matmul(out, inner), swap(out))),)


_eigh_values = primitive("eigh_values", _eigh_forward("values"), _eigh_values_vjp, _eigh_infer("values"), saves=(0,))
_eigh_vectors = primitive(
    "eigh_vectors", _eigh_forward("vectors"), _eigh_vectors_vjp, _eigh_infer("vectors"), saves=(0, "output")
)


@export
def eigh(x):
    """`(eigenvalues, eigenvectors)` of a symmetric `x` (its symmetric part), values in ascending order."""
    return _eigh_values(x), _eigh_vectors(x)


# ----- eig ----------------------------------------------------------------------------------


def _eig_forward(part):
    def forward(xp, x):
        if not hasattr(xp.linalg, "eig"):
            raise NotImplementedError(
                f"eig: {xp.__name__} has no general eigendecomposition; move the input to the CPU "
                "(or use eigh for a symmetric matrix)"
            )
        x = floating(x)
        values, vectors = xp.linalg.eig(x)
        result = values if part == "values" else vectors
        return result.astype(numpy.result_type(x.dtype, numpy.complex64), copy=False)  # complex even when real

    return forward


def _eig_infer(part):
    def infer(shapes, dtypes):
        shape = matrix_shape("eig", shapes[0])
        dtype = numpy.result_type(float_dtype(dtypes[0]), numpy.complex64)
        return (shape[:-1] if part == "values" else shape), dtype

    return infer


def _eig_values_vjp(g, inputs, out, needs):
    """dw = diag(V⁻¹ dA V), so with JAX's conjugated cotangent dA = Re(V⁻ᵀ diag(g) Vᵀ) for a real matrix."""
    x = inputs[0]
    vectors = _eig_vectors(x)
    gradient = ops.matmul(swap(ops.inv(vectors)) * ops.expand_dims(g, -2), swap(vectors))
    return (ops.real(gradient) if dtype_of(x).kind != "c" else gradient,)


_eig_values = primitive("eig_values", _eig_forward("values"), _eig_values_vjp, _eig_infer("values"), saves=(0,))
_eig_vectors = primitive("eig_vectors", _eig_forward("vectors"), None, _eig_infer("vectors"))


@export
def eig(x):
    """`(eigenvalues, eigenvectors)` of a square `x`, both complex; the gradient flows through the eigenvalues."""
    return _eig_values(x), _eig_vectors(x)


# ----- svd ----------------------------------------------------------------------------------


def _singular_vectors_forward(part):
    def forward(xp, x, full_matrices):
        u, _, v = xp.linalg.svd(floating(x), full_matrices=full_matrices)
        return u if part == "u" else v

    return forward


def _svd_infer(part):
    def infer(shapes, dtypes, full_matrices=False):
        shape = matrix_shape("svd", shapes[0], square=False)
        *batch, rows, columns = shape
        size = None if None in (rows, columns) else min(rows, columns)
        result = {
            "s": (size,),
            "u": (rows, rows if full_matrices else size),
            "v": (columns if full_matrices else size, columns),
        }[part]
        return tuple(batch) + result, float_dtype(dtypes[0])

    return infer


def _singular_values_vjp(g, inputs, out, needs):
    """dA = U diag(ds) Vᵀ, with the reduced factors."""
    x = inputs[0]
    u, v = _svd_u(x, full_matrices=False), _svd_v(x, full_matrices=False)
    return (ops.matmul(u * ops.expand_dims(g, -2), v),)


def _reduced_svd(x, full_matrices):
    """The reduced factors of x for a singular-vector gradient, which only they determine (as in JAX)."""
    rows, columns = shape_of(x)[-2:]
    if rows is None or columns is None:
        raise ValueError(
            f"svd: the gradient of the singular vectors needs a known matrix size; received shape {shape_of(x)}"
        )
    if full_matrices and rows != columns:
        raise ValueError(
            f"svd: the gradient of the singular vectors of a non-square matrix needs full_matrices=False "
            f"(the completed basis is not determined by the matrix); received shape {shape_of(x)}"
        )
    return _svd_u(x, full_matrices=False), _svd_s(x), _svd_v(x, full_matrices=False)


def _left_vectors_vjp(g, inputs, out, needs, full_matrices):
    """Transposed from JAX's svd JVP: dU = U (F ∘ (dS S + S dSᵀ)) + (I - U Uᵀ) dA V S⁻¹ with dS = Uᵀ dA V and
    F_ij = 1 / (s_j² - s_i²)."""
    x = inputs[0]
    u, s, v = _reduced_svd(x, full_matrices)
    inner = _reciprocal_gaps(ops.square(s)) * ops.matmul(swap(u), g)
    core = (inner + swap(inner)) * ops.expand_dims(s, -2)
    gradient = ops.matmul(ops.matmul(u, core), v)
    rows, columns = shape_of(x)[-2:]
    if rows > columns:
        outside = g - ops.matmul(u, ops.matmul(swap(u), g))
        gradient = gradient + ops.matmul(outside / ops.expand_dims(s, -2), v)
    return (gradient,)


def _right_vectors_vjp(g, inputs, out, needs, full_matrices):
    """Transposed from JAX's svd JVP: dV = V (F ∘ (S dS + dSᵀ S)) + (I - V Vᵀ) dAᵀ U S⁻¹, and v = Vᵀ."""
    x = inputs[0]
    u, s, v = _reduced_svd(x, full_matrices)
    inner = _reciprocal_gaps(ops.square(s)) * ops.matmul(v, swap(g))
    core = ops.expand_dims(s, -1) * (inner + swap(inner))
    gradient = ops.matmul(ops.matmul(u, core), v)
    rows, columns = shape_of(x)[-2:]
    if columns > rows:
        outside = g - ops.matmul(ops.matmul(g, swap(v)), v)
        gradient = gradient + ops.matmul(u, outside / ops.expand_dims(s, -1))
    return (gradient,)


_svd_u = primitive("svd_u", _singular_vectors_forward("u"), _left_vectors_vjp, _svd_infer("u"), saves=(0,))
_svd_s = primitive(
    "svd_s",
    lambda xp, x: xp.linalg.svd(floating(x), compute_uv=False),
    _singular_values_vjp,
    _svd_infer("s"),
    saves=(0,),
)
_svd_v = primitive("svd_v", _singular_vectors_forward("v"), _right_vectors_vjp, _svd_infer("v"), saves=(0,))


@export
def svd(x, full_matrices=True, compute_uv=True):
    """`(u, s, v)` with `x = u @ diag(s) @ v` (v is numpy's `vh`), or `s` alone with `compute_uv=False`.
    Gradients reach `x` through `s` only."""
    singular_values = _svd_s(x)
    if not compute_uv:
        return singular_values
    full_matrices = bool(full_matrices)
    return _svd_u(x, full_matrices=full_matrices), singular_values, _svd_v(x, full_matrices=full_matrices)


# ----- lu_factor ----------------------------------------------------------------------------


def _lu(xp, x):
    """LU with partial pivoting, as LAPACK's getrf (scipy's lu_factor): `(lu, pivots, permutation)`, where row
    i was swapped with row pivots[i], and row i of P x is row permutation[i] of x. One step per column, each over
    the whole batch."""
    *batch, rows, columns = x.shape
    lu = floating(x).reshape(-1, rows, columns).copy()
    every = xp.arange(lu.shape[0])
    steps = min(rows, columns)
    pivots = xp.zeros((lu.shape[0], steps), dtype=numpy.int32)
    permutation = xp.broadcast_to(xp.arange(rows, dtype=numpy.int32), (lu.shape[0], rows)).copy()
    for j in range(steps):
        pivot = xp.argmax(xp.abs(lu[:, j:, j]), axis=1) + j
        pivots[:, j] = pivot
        for rows_of in (lu, permutation):
            row = rows_of[every, j].copy()
            rows_of[every, j] = rows_of[every, pivot]
            rows_of[every, pivot] = row
        diagonal = lu[:, j, j : j + 1]
        lu[:, j + 1 :, j] /= xp.where(diagonal == 0, 1, diagonal)
        lu[:, j + 1 :, j + 1 :] -= lu[:, j + 1 :, j : j + 1] * lu[:, j : j + 1, j + 1 :]
    return lu.reshape(x.shape), pivots.reshape((*batch, steps)), permutation.reshape((*batch, rows))


def _lu_infer(part):
    def infer(shapes, dtypes):
        shape = matrix_shape("lu_factor", shapes[0], square=False)
        rows, columns = shape[-2:]
        if part == "lu":
            return shape, float_dtype(dtypes[0])
        if part == "permutation":
            return shape[:-1], numpy.dtype("int32")
        return shape[:-2] + (None if None in (rows, columns) else min(rows, columns),), numpy.dtype("int32")

    return infer


def _lu_vjp(g, inputs, out, needs):
    """For P A = L U: X = L⁻¹ P dA U⁻¹ gives dL = L tril(X, -1) and dU = triu(X) U (JAX's rule, square
    matrices), so dA = Pᵀ L⁻ᵀ (tril(Lᵀ tril(G, -1), -1) + triu(triu(G) Uᵀ)) U⁻ᵀ."""
    x = inputs[0]
    rows, columns = shape_of(x)[-2:]
    if rows is None or rows != columns:
        raise ValueError(f"lu_factor: the gradient needs a square matrix of known size; received shape {shape_of(x)}")
    identity = ops.eye(rows, dtype=out.dtype)
    lower, upper = ops.tril(out, -1) + identity, ops.triu(out)
    middle = ops.tril(ops.matmul(swap(lower), ops.tril(g, -1)), -1) + ops.triu(ops.matmul(ops.triu(g), swap(upper)))
    left = ops.solve_triangular(swap(lower), middle, lower=False)
    permuted = swap(ops.solve_triangular(upper, swap(left), lower=False))
    inverse = ops.argsort(_lu_permutation(x), axis=-1)
    return (ops.take_along_axis(permuted, ops.expand_dims(inverse, -1), axis=-2),)


_lu_matrix = primitive("lu_factor_lu", lambda xp, x: _lu(xp, x)[0], _lu_vjp, _lu_infer("lu"), saves=(0, "output"))
_lu_pivots = primitive("lu_factor_pivots", lambda xp, x: _lu(xp, x)[1], None, _lu_infer("pivots"))
_lu_permutation = primitive("lu_factor_permutation", lambda xp, x: _lu(xp, x)[2], None, _lu_infer("permutation"))


@export
def lu_factor(x):
    """`(lu, pivots)` as scipy's `lu_factor`: L (unit diagonal, below) and U (on and above) in one matrix,
    and the 0-based row swaps. The gradient reaches `x` through `lu` for a square matrix."""
    return _lu_matrix(x), _lu_pivots(x)
