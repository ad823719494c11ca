"""Cases for Keras 3's decompositions (cholesky, eigh, eig, svd, lu_factor), linear systems (inv, det,
slogdet, solve, solve_triangular, pinv, lstsq, matrix_rank), Fourier transforms, segment reductions and
complex views. References are numpy's; gradients are checked on functions the decomposition determines
(eigenvector signs and singular vectors are not)."""

import numpy

from kerasish import ops

from . import Case, randn

MATRICES = randn(2, 4, 4)
SPD = MATRICES @ MATRICES.transpose(0, 2, 1) + 4 * numpy.eye(4)
IDS = numpy.array([0, 0, 2, 2, 2, 3, 1])


def _spd(x):
    return ops.matmul(x, ops.swapaxes(x, -1, -2)) + 4 * ops.eye(4, dtype=x.dtype)


def _symmetric(x):
    return x + ops.swapaxes(x, -1, -2)


def _lu_reference(x):
    """(lu, pivots) by partial pivoting, one matrix at a time, as LAPACK's getrf."""
    results, all_pivots = [], []
    for matrix in x.reshape(-1, *x.shape[-2:]):
        lu = matrix.astype(numpy.float64).copy()
        pivots = []
        for j in range(min(lu.shape)):
            pivot = j + int(numpy.argmax(numpy.abs(lu[j:, j])))
            pivots.append(pivot)
            lu[[j, pivot]] = lu[[pivot, j]]
            lu[j + 1 :, j] /= lu[j, j]
            lu[j + 1 :, j + 1 :] -= numpy.outer(lu[j + 1 :, j], lu[j, j + 1 :])
        results.append(lu)
        all_pivots.append(pivots)
    return numpy.array(results).reshape(x.shape), numpy.array(all_pivots).reshape(*x.shape[:-2], -1)


def _segment(reduce, identity, count):
    def reference(data):
        result = numpy.full((count, *data.shape[1:]), identity, dtype=data.dtype)
        for row, segment in zip(data, IDS):
            if 0 <= segment < count:
                result[segment] = reduce(result[segment], row)
        return result

    return reference


def _pair_reference(transform):
    def reference(real, imag):
        result = transform(real + 1j * imag)
        return numpy.stack([result.real, result.imag], -1)

    return reference


def _pair(result):
    return ops.stack(list(result), axis=-1)


CASES = [
    Case(
        "cholesky",
        lambda x: ops.cholesky(_spd(x)),
        [MATRICES],
        lambda x: numpy.linalg.cholesky(x @ x.transpose(0, 2, 1) + 4 * numpy.eye(4)),
        covers=("solve_triangular",),
    ),
    Case(
        "cholesky",
        lambda x: ops.cholesky(_spd(x), upper=True),
        [MATRICES],
        lambda x: numpy.linalg.cholesky(x @ x.transpose(0, 2, 1) + 4 * numpy.eye(4)).transpose(0, 2, 1),
        id="cholesky-upper",
    ),
    Case(
        "eigh_values",
        lambda x: ops.eigh(_symmetric(x))[0],
        [MATRICES],
        lambda x: numpy.linalg.eigvalsh(x + x.transpose(0, 2, 1)),
        atol=1e-4,
        covers=("eigh_vectors",),
    ),
    Case(
        "eigh_vectors",
        lambda x: ops.abs(ops.eigh(_symmetric(x))[1]),
        [MATRICES],
        lambda x: numpy.abs(numpy.linalg.eigh(x + x.transpose(0, 2, 1))[1]),
        atol=1e-4,
        covers=("eigh_values",),
    ),
    Case("eig_values", lambda x: ops.eig(x)[0], [SPD], lambda x: numpy.linalg.eig(x)[0], grad=False, atol=1e-4),
    Case(
        "eig_values",
        lambda x: ops.view_as_real(ops.eig(x)[0]),
        [MATRICES],
        lambda x: (lambda w: numpy.stack([w.real, w.imag], -1))(numpy.linalg.eigvals(x)),
        atol=1e-4,
        id="eig_values-complex-pairs",
        covers=("eig_vectors", "inv", "view_as_real"),
    ),
    Case(
        "eig_vectors",
        lambda x: ops.abs(ops.eig(x)[1]),
        [SPD],
        lambda x: numpy.abs(numpy.linalg.eig(x)[1]),
        grad=False,
        atol=1e-4,
    ),
    Case(
        "svd_s",
        lambda x: ops.svd(x, compute_uv=False),
        [randn(2, 4, 3)],
        lambda x: numpy.linalg.svd(x, compute_uv=False),
        atol=1e-4,
        covers=("svd_u", "svd_v"),
    ),
    Case(
        "svd_u",
        lambda x: ops.abs(ops.svd(x, full_matrices=False)[0]),
        [randn(2, 4, 3)],
        lambda x: numpy.abs(numpy.linalg.svd(x, full_matrices=False)[0]),
        atol=1e-4,
        covers=("svd_s", "svd_v"),
    ),
    Case(
        "svd_v",
        lambda x: ops.abs(ops.svd(x, full_matrices=False)[2]),
        [randn(3, 4)],
        lambda x: numpy.abs(numpy.linalg.svd(x, full_matrices=False)[2]),
        atol=1e-4,
        covers=("svd_s", "svd_u"),
    ),
    Case(
        "svd_u",
        lambda x: ops.abs(ops.svd(x)[0]),
        [randn(4, 4)],
        lambda x: numpy.abs(numpy.linalg.svd(x)[0]),
        atol=1e-4,
        id="svd_u-square-full",
    ),
    Case(
        "lu_factor_lu",
        lambda x: ops.lu_factor(x)[0],
        [randn(2, 4, 3)],
        lambda x: _lu_reference(x)[0],
        grad=False,
        id="lu_factor_lu-tall",
    ),
    Case(
        "lu_factor_lu",
        lambda x: ops.lu_factor(x)[0],
        [MATRICES],
        lambda x: _lu_reference(x)[0],
        covers=("lu_factor_permutation",),
    ),
    Case(
        "lu_factor_pivots",
        lambda x: ops.lu_factor(x)[1],
        [randn(3, 4)],
        lambda x: _lu_reference(x)[1],
        grad=False,
    ),
    Case("inv", ops.inv, [SPD], numpy.linalg.inv, atol=1e-4),
    Case("det", ops.det, [MATRICES], numpy.linalg.det, atol=1e-4, covers=("inv",)),
    Case(
        "slogdet_logabsdet",
        lambda x: ops.slogdet(x)[1],
        [MATRICES],
        lambda x: numpy.linalg.slogdet(x)[1],
        covers=("inv",),
    ),
    Case("slogdet_sign", lambda x: ops.slogdet(x)[0], [MATRICES], lambda x: numpy.linalg.slogdet(x)[0], grad=False),
    Case("solve", ops.solve, [SPD, randn(2, 4, 3, seed=1)], numpy.linalg.solve, atol=1e-4),
    Case(
        "solve",
        ops.solve,
        [SPD[0], randn(4, seed=1)],
        numpy.linalg.solve,
        atol=1e-4,
        id="solve-vector",
    ),
    Case(
        "solve_triangular",
        lambda a, b: ops.solve_triangular(a, b, lower=True),
        [MATRICES + 4 * numpy.eye(4), randn(2, 4, 2, seed=1)],
        lambda a, b: numpy.linalg.solve(numpy.tril(a), b),
        atol=1e-4,
    ),
    Case(
        "solve_triangular",
        ops.solve_triangular,
        [MATRICES + 4 * numpy.eye(4), randn(2, 4, seed=1)],
        lambda a, b: numpy.linalg.solve(numpy.triu(a), b[..., None])[..., 0],
        atol=1e-4,
        id="solve_triangular-vectors",
    ),
    Case("pinv", ops.pinv, [randn(5, 3)], numpy.linalg.pinv, atol=1e-4),
    Case(
        "lstsq",
        ops.lstsq,
        [randn(5, 3), randn(5, 2, seed=1)],
        lambda a, b: numpy.linalg.lstsq(a, b)[0],
        atol=1e-4,
        covers=("pinv",),
    ),
    Case(
        "matrix_rank",
        ops.matrix_rank,
        [numpy.stack([numpy.ones((3, 3)), numpy.eye(3)])],
        lambda x: numpy.linalg.matrix_rank(x).astype("int32"),
        grad=False,
    ),
    Case(
        "fft",
        lambda real, imag: _pair(ops.fft((real, imag))),
        [randn(3, 8), randn(3, 8, seed=1)],
        _pair_reference(numpy.fft.fft),
        atol=1e-4,
    ),
    Case(
        "fft",
        lambda real, imag: _pair(ops.ifft2((real, imag))),
        [randn(2, 4, 6), randn(2, 4, 6, seed=1)],
        _pair_reference(numpy.fft.ifft2),
        atol=1e-4,
        id="ifft2",
    ),
    Case(
        "fft",
        lambda x: _pair(ops.rfft(x, fft_length=10)),
        [randn(2, 7)],
        lambda x: (lambda y: numpy.stack([y.real, y.imag], -1))(numpy.fft.rfft(x, n=10)),
        atol=1e-4,
        id="rfft",
    ),
    Case(
        "fft",
        lambda real, imag: ops.irfft((real, imag), fft_length=9),
        [randn(2, 5), randn(2, 5, seed=1)],
        lambda real, imag: numpy.fft.irfft(real + 1j * imag, n=9),
        atol=1e-4,
        id="irfft",
    ),
    Case(
        "segment_max",
        lambda x: ops.segment_max(x, IDS, num_segments=4),
        [randn(7, 3)],
        _segment(numpy.maximum, -numpy.inf, 4),
    ),
    Case(
        "segment_min",
        lambda x: ops.segment_min(x, IDS, num_segments=4),
        [randn(7, 3)],
        _segment(numpy.minimum, numpy.inf, 4),
    ),
    Case(
        "segment_prod",
        lambda x: ops.segment_prod(x, IDS, num_segments=5),
        [randn(7, 2)],
        _segment(numpy.multiply, 1.0, 5),
    ),
    Case(
        "view_as_real",
        lambda a, b: ops.view_as_real(ops.polar(a, b) * ops.polar(b, a)),
        [randn(3) ** 2 + 0.5, randn(3, seed=1)],
        lambda a, b: (lambda z: numpy.stack([z.real, z.imag], -1))(a * numpy.exp(1j * b) * b * numpy.exp(1j * a)),
        atol=1e-4,
        covers=("view_as_complex",),
    ),
    Case(
        "view_as_complex",
        lambda x: ops.view_as_real(ops.view_as_complex(x)),
        [randn(3, 2)],
        lambda x: x,
        grad=False,
    ),
]
