"""`kerasish.ops.linalg` and the linear-algebra ops: decompositions (cholesky, eigh, eig, svd, lu_factor),
inverses and solves (inv, det, slogdet, logdet, solve, solve_triangular, cholesky_inverse, lstsq, pinv,
matrix_rank), norm, and jvp. Values against numpy and real Keras (JAX backend, where installed) on both
engines, gradients against finite differences, Keras's names and signatures, and errors that name the op
and the shapes."""

import inspect

import numpy
import pytest

from kerasish import ops
from tests.ops.engines import assert_gradients_match_finite_differences, gradients, keras_value, real_keras, run

rng = numpy.random.default_rng(0)
MATRICES = rng.standard_normal((2, 4, 4))
SPD = MATRICES @ MATRICES.transpose(0, 2, 1) + 4 * numpy.eye(4)
RECTANGLE = rng.standard_normal((5, 3))
RIGHT = rng.standard_normal((2, 4, 3))

KERAS_LINALG_NAMES = (
    "cholesky cholesky_inverse det eig eigh inv jvp lstsq lu_factor matrix_rank norm pinv qr solve solve_triangular svd"
).split()


def _f32(x):
    return numpy.asarray(x, dtype="float32")


def _lu_reference(matrix):
    lu, pivots = matrix.astype(numpy.float64).copy(), []
    for j in range(min(lu.shape)):
        pivot = j + int(numpy.argmax(numpy.abs(lu[j:, j])))
        pivots.append(pivot)
        lu[[j, pivot]] = lu[[pivot, j]]
        lu[j + 1 :, j] /= lu[j, j]
        lu[j + 1 :, j + 1 :] -= numpy.outer(lu[j + 1 :, j], lu[j, j + 1 :])
    return lu, numpy.array(pivots)


# ----- namespace and signatures ------------------------------------------------------------


def test_the_linalg_namespace_lists_keras_names_each_the_top_level_op():
    public = sorted(name for name in vars(ops.linalg) if not name.startswith("_"))
    assert public == KERAS_LINALG_NAMES
    for name in KERAS_LINALG_NAMES:
        assert getattr(ops.linalg, name) is getattr(ops, name), name


def test_the_linalg_namespace_has_exactly_keras_names():
    keras = real_keras()
    assert KERAS_LINALG_NAMES == sorted(name for name in dir(keras.ops.linalg) if not name.startswith("_"))


@pytest.mark.parametrize("name", KERAS_LINALG_NAMES + ["slogdet", "logdet"])
def test_signature_matches_keras(name):
    keras = real_keras()
    ours, theirs = inspect.signature(getattr(ops, name)), inspect.signature(getattr(keras.ops, name))
    assert [(p.name, p.default, p.kind) for p in ours.parameters.values()] == [
        (p.name, p.default, p.kind) for p in theirs.parameters.values()
    ]


# ----- against Keras --------------------------------------------------------------------------

KERAS_CASES = [
    ("cholesky", lambda m: m.cholesky(SPD), "spd"),
    ("cholesky-upper", lambda m: m.cholesky(SPD, upper=True), "spd"),
    ("cholesky_inverse", lambda m: m.cholesky_inverse(numpy.linalg.cholesky(SPD[0])), "factor"),
    (
        "cholesky_inverse-upper",
        lambda m: m.cholesky_inverse(numpy.linalg.cholesky(SPD[1]).T, upper=True),
        "factor",
    ),
    ("det", lambda m: m.det(MATRICES), "matrices"),
    ("inv", lambda m: m.inv(SPD), "spd"),
    ("slogdet", lambda m: m.slogdet(MATRICES), "matrices"),
    ("logdet", lambda m: m.logdet(SPD), "spd"),
    ("solve", lambda m: m.solve(SPD, RIGHT), "spd"),
    ("solve-vector", lambda m: m.solve(SPD[0], RIGHT[0, :, 0]), "spd"),
    ("solve_triangular", lambda m: m.solve_triangular(MATRICES + 4 * numpy.eye(4), RIGHT, lower=True), "matrices"),
    ("solve_triangular-vectors", lambda m: m.solve_triangular(MATRICES + 4 * numpy.eye(4), RIGHT[..., 0]), "matrices"),
    ("lstsq", lambda m: m.lstsq(RECTANGLE, RECTANGLE[:, :2] + 1), "rectangle"),
    ("lstsq-vector", lambda m: m.lstsq(RECTANGLE, RECTANGLE[:, 0] * 2), "rectangle"),
    ("pinv", lambda m: m.pinv(RECTANGLE), "rectangle"),
    ("pinv-rcond", lambda m: m.pinv(numpy.diag([1.0, 1e-3, 1e-9]), rcond=1e-4), "rectangle"),
    ("matrix_rank", lambda m: m.matrix_rank(numpy.stack([numpy.ones((3, 3)), numpy.eye(3)])), "rectangle"),
    ("matrix_rank-tol", lambda m: m.matrix_rank(numpy.diag([1.0, 1e-3, 1e-9]), tol=1e-2), "rectangle"),
    ("eigh-values", lambda m: m.eigh(SPD)[0], "spd"),
    ("svd-values", lambda m: m.svd(RIGHT, compute_uv=False), "matrices"),
    ("lu_factor", lambda m: m.lu_factor(MATRICES), "matrices"),
    ("lu_factor-wide", lambda m: m.lu_factor(RIGHT.transpose(0, 2, 1)), "matrices"),
    ("norm", lambda m: m.norm(MATRICES), "matrices"),
    ("norm-vector-3", lambda m: m.norm(MATRICES, ord=3, axis=1), "matrices"),
    ("norm-vector-inf", lambda m: m.norm(MATRICES, ord=numpy.inf, axis=-1, keepdims=True), "matrices"),
    ("norm-vector-0", lambda m: m.norm(MATRICES[0, 0], ord=0), "matrices"),
    ("norm-nuc", lambda m: m.norm(MATRICES, ord="nuc", axis=(1, 2)), "matrices"),
    ("norm-2", lambda m: m.norm(MATRICES, ord=2, axis=(2, 0)), "matrices"),
    ("norm--1", lambda m: m.norm(MATRICES[0], ord=-1), "matrices"),
    ("norm-fro-keepdims", lambda m: m.norm(MATRICES, ord="fro", axis=(0, 1), keepdims=True), "matrices"),
]


@pytest.mark.slow
@pytest.mark.parametrize("case", KERAS_CASES, ids=[c[0] for c in KERAS_CASES])
def test_matches_keras(case):
    keras = real_keras()
    _, call, _ = case
    expected = keras_value(call(keras.ops))
    got = keras_value(call(ops))
    for ours, theirs in zip(*(r if isinstance(r, tuple) else (r,) for r in (got, expected))):
        assert ours.dtype == theirs.dtype or ours.dtype.kind == theirs.dtype.kind == "f"
        numpy.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)


# ----- decompositions against numpy, both engines ------------------------------------------------


def test_cholesky_and_its_inverse(engine):
    lower = run(engine, ops.cholesky, SPD)
    numpy.testing.assert_allclose(lower, numpy.linalg.cholesky(SPD), rtol=1e-10)
    upper = run(engine, lambda x: ops.cholesky(x, upper=True), SPD)
    numpy.testing.assert_allclose(upper, lower.transpose(0, 2, 1), rtol=1e-10)
    numpy.testing.assert_allclose(
        run(engine, ops.cholesky_inverse, lower), numpy.linalg.inv(SPD), rtol=1e-8, atol=1e-12
    )
    numpy.testing.assert_allclose(
        run(engine, lambda u: ops.cholesky_inverse(u, upper=True), upper), numpy.linalg.inv(SPD), rtol=1e-8, atol=1e-12
    )


def _spd(x):
    return ops.matmul(x, ops.swapaxes(x, -1, -2)) + 4 * ops.eye(4, dtype=x.dtype)


@pytest.mark.parametrize(
    "name, fn",
    [
        ("cholesky", lambda x: ops.cholesky(_spd(x))),
        ("cholesky-upper", lambda x: ops.cholesky(_spd(x), upper=True)),
        ("cholesky_inverse", lambda x: ops.cholesky_inverse(ops.cholesky(_spd(x)))),
        ("eigh-values", lambda x: ops.eigh(x + ops.swapaxes(x, -1, -2))[0]),
        ("eigh-vectors", lambda x: ops.abs(ops.eigh(x + ops.swapaxes(x, -1, -2))[1])),
        ("svd-values", lambda x: ops.svd(x, compute_uv=False)),
        ("lu_factor", lambda x: ops.lu_factor(x)[0]),
        ("eig-values", lambda x: ops.view_as_real(ops.eig(x)[0])),
        ("svd-left-vectors", lambda x: ops.abs(ops.svd(x)[0])),
        ("svd-right-vectors", lambda x: ops.abs(ops.svd(x)[2])),
        ("svd-tall-reduced", lambda x: ops.abs(ops.svd(x[:, :, :3], full_matrices=False)[0])),
        ("svd-wide-reduced", lambda x: ops.abs(ops.svd(x[:, :3], full_matrices=False)[2])),
        ("det", ops.det),
        ("logdet", lambda x: ops.logdet(_spd(x))),
        ("inv", lambda x: ops.inv(_spd(x))),
        ("pinv", lambda x: ops.pinv(x[..., :3])),
        ("norm-nuc", lambda x: ops.norm(x, ord="nuc", axis=(-2, -1))),
        ("norm-2", lambda x: ops.norm(x, ord=-2, axis=(0, 2))),
        ("norm-vector", lambda x: ops.norm(x, ord=3, axis=0)),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_gradients_match_finite_differences(name, fn, engine):
    assert_gradients_match_finite_differences(engine, fn, MATRICES)


@pytest.mark.parametrize(
    "fn",
    [
        ops.solve,
        lambda a, b: ops.solve_triangular(a, b, lower=True),
        lambda a, b: ops.solve_triangular(a, b[..., 0]),
        lambda a, b: ops.lstsq(a[0, :, :3], b[0]),
        lambda a, b: ops.lstsq(a[0, :, :3], b[0, :, 0]),
    ],
    ids=["solve", "solve_triangular", "solve_triangular-vectors", "lstsq", "lstsq-vector"],
)
def test_solve_gradients_reach_both_operands(fn, engine):
    assert_gradients_match_finite_differences(engine, fn, MATRICES + 4 * numpy.eye(4), RIGHT)


def test_eigh_eig_svd_reconstruct_the_matrix(engine):
    values, vectors = run(engine, ops.eigh, SPD)
    numpy.testing.assert_allclose(vectors @ (values[..., None] * vectors.transpose(0, 2, 1)), SPD, rtol=1e-10)
    assert (numpy.diff(values, axis=-1) >= 0).all()
    values, vectors = run(engine, ops.eig, MATRICES)
    assert values.dtype == vectors.dtype == numpy.complex128
    numpy.testing.assert_allclose(MATRICES @ vectors, vectors * values[:, None, :], atol=1e-10)
    u, s, v = run(engine, ops.svd, RIGHT)
    assert (u.shape, s.shape, v.shape) == ((2, 4, 4), (2, 3), (2, 3, 3))
    numpy.testing.assert_allclose((u[..., :3] * s[:, None, :]) @ v, RIGHT, atol=1e-12)
    u, s, v = run(engine, lambda x: ops.svd(x, full_matrices=False), RIGHT)
    assert u.shape == (2, 4, 3)


def test_lu_factor_matches_getrf(engine):
    lu, pivots = run(engine, ops.lu_factor, MATRICES)
    assert pivots.dtype == numpy.int32
    for i in range(2):
        expected_lu, expected_pivots = _lu_reference(MATRICES[i])
        numpy.testing.assert_allclose(lu[i], expected_lu, rtol=1e-12, atol=1e-12)
        numpy.testing.assert_array_equal(pivots[i], expected_pivots)


def test_inverses_determinants_and_solves_match_numpy(engine):
    numpy.testing.assert_allclose(run(engine, ops.inv, SPD), numpy.linalg.inv(SPD), rtol=1e-10)
    numpy.testing.assert_allclose(run(engine, ops.det, MATRICES), numpy.linalg.det(MATRICES), rtol=1e-10)
    sign, log = run(engine, ops.slogdet, MATRICES)
    numpy.testing.assert_allclose(sign * numpy.exp(log), numpy.linalg.det(MATRICES), rtol=1e-10)
    numpy.testing.assert_allclose(run(engine, ops.solve, SPD, RIGHT), numpy.linalg.solve(SPD, RIGHT), rtol=1e-10)
    lower = numpy.tril(MATRICES + 4 * numpy.eye(4))
    solved = run(engine, lambda a, b: ops.solve_triangular(a, b, lower=True), MATRICES + 4 * numpy.eye(4), RIGHT)
    numpy.testing.assert_allclose(lower @ solved, RIGHT, atol=1e-12)
    numpy.testing.assert_allclose(run(engine, ops.pinv, RECTANGLE), numpy.linalg.pinv(RECTANGLE), atol=1e-12)
    numpy.testing.assert_allclose(
        run(engine, ops.lstsq, RECTANGLE, RIGHT[0, :, :2].repeat(2, 0)[:5]),
        numpy.linalg.lstsq(RECTANGLE, RIGHT[0, :, :2].repeat(2, 0)[:5])[0],
        atol=1e-12,
    )
    assert run(engine, ops.matrix_rank, numpy.ones((2, 3, 3))).tolist() == [1, 1]


@pytest.mark.parametrize("order", [None, 1, -1, 2, -2, numpy.inf, -numpy.inf, 0, 3, 0.5])
def test_vector_norms_match_numpy(order, engine):
    numpy.testing.assert_allclose(
        run(engine, lambda x: ops.norm(x, ord=order, axis=1), MATRICES),
        numpy.linalg.norm(MATRICES, ord=order, axis=1),
        rtol=1e-10,
    )


@pytest.mark.parametrize("order", [None, "fro", "nuc", 1, -1, 2, -2, numpy.inf, -numpy.inf])
@pytest.mark.parametrize("axis", [(0, 1), (2, 0)])
def test_matrix_norms_match_numpy(order, axis, engine):
    numpy.testing.assert_allclose(
        run(engine, lambda x: ops.norm(x, ord=order, axis=axis, keepdims=True), RIGHT),
        numpy.linalg.norm(RIGHT, ord=order, axis=axis, keepdims=True),
        rtol=1e-10,
    )


def test_float32_stays_float32_and_integers_compute_in_floatx():
    x = _f32(SPD)
    for fn in (ops.cholesky, ops.inv, ops.det, ops.logdet, ops.pinv, lambda m: ops.eigh(m)[1], ops.norm):
        assert ops.convert_to_numpy(fn(x)).dtype == numpy.float32
    assert ops.convert_to_numpy(ops.norm(numpy.arange(6).reshape(2, 3))).dtype == numpy.float32
    assert ops.convert_to_numpy(ops.eig(x)[0]).dtype == numpy.complex64


# ----- errors -------------------------------------------------------------------------------------


def test_errors_name_the_op_and_the_shapes():
    with pytest.raises(
        ValueError, match=r"cholesky: Expected a square matrix. Received non-square input with shape \(2, 4, 3\)"
    ):
        ops.cholesky(RIGHT)
    with pytest.raises(ValueError, match=r"inv: Expected input to have rank >= 2. Received input with shape \(4,\)"):
        ops.inv(RIGHT[0, :, 0])
    with pytest.raises(ValueError, match="cholesky: Cholesky decomposition failed"):
        ops.cholesky(-SPD)
    with pytest.raises(
        ValueError, match=r"solve: Incompatible shapes between `a` and `b`.*a.shape=\(2, 4, 4\), b.shape=\(2, 3, 4\)"
    ):
        ops.solve(SPD, RIGHT.transpose(0, 2, 1))
    with pytest.raises(
        ValueError,
        match=r"lstsq: Expected b.shape\[0\] to be equal to a.shape\[0\]. Received: a.shape=\(5, 3\), b.shape=\(4,\)",
    ):
        ops.lstsq(RECTANGLE, RIGHT[0, :, 0])
    with pytest.raises(ValueError, match="norm: Invalid `ord` argument for matrix norm. Received: ord=3"):
        ops.norm(MATRICES, ord=3, axis=(1, 2))
    with pytest.raises(ValueError, match="norm: Invalid `ord` argument for vector norm. Received: ord=fro"):
        ops.norm(MATRICES, ord="fro", axis=1)
    with pytest.raises(ValueError, match=r"norm: Improper number of dimensions.*shape \(2, 4, 4\)"):
        ops.norm(MATRICES, ord=2)


def test_singular_vector_gradients_of_a_non_square_matrix_need_reduced_factors():
    import kerasish

    x = kerasish.ops.convert_to_tensor(RECTANGLE, "float64")
    with kerasish.GradientTape() as tape:
        tape.watch(x)
        total = ops.sum(ops.abs(ops.svd(x)[0]))
    with pytest.raises(
        ValueError, match=r"svd: the gradient of the singular vectors of a non-square matrix needs full_matrices=False"
    ):
        tape.gradient(total, x)


# ----- jvp ----------------------------------------------------------------------------------------

W = rng.standard_normal((4, 2))


def _layer(x):
    return ops.tanh(ops.matmul(x, W))


@pytest.mark.parametrize("engine_name", ["dynamic", "static"])
def test_jvp_is_the_directional_derivative(engine_name):
    x, tangent = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))

    def push(primal, direction):
        return ops.jvp(_layer, (ops.cast(primal, "float64"),), (ops.cast(direction, "float64"),))

    value, pushed = run(engine_name, push, x, tangent)
    eps = 1e-6
    numeric = (numpy.tanh((x + eps * tangent) @ W) - numpy.tanh((x - eps * tangent) @ W)) / (2 * eps)
    numpy.testing.assert_allclose(value, numpy.tanh(x @ W), rtol=1e-12)
    numpy.testing.assert_allclose(pushed, numeric, rtol=1e-6, atol=1e-9)


def test_jvp_of_several_primals_with_aux_and_nested_outputs(engine):
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    ta, tb = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))

    def fun(x, y):
        return {"product": ops.sum(x * y, axis=1), "double": x * 2, "constant": ops.ones((2,))}, ops.mean(x)

    def push(x, y, dx, dy):
        return ops.jvp(fun, (x, y), (dx, dy), has_aux=True)

    out, tangents, aux = run(engine, push, a, b, ta, tb)
    numpy.testing.assert_allclose(out["product"], (a * b).sum(1), rtol=1e-6)
    numpy.testing.assert_allclose(tangents["product"], (ta * b + a * tb).sum(1), rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(tangents["double"], 2 * ta, rtol=1e-6)
    numpy.testing.assert_array_equal(tangents["constant"], numpy.zeros(2))
    numpy.testing.assert_allclose(aux, a.mean(), rtol=1e-6)


def test_jvp_matches_keras():
    keras = real_keras()
    x, tangent = _f32(rng.standard_normal((3, 4))), _f32(rng.standard_normal((3, 4)))
    ours = ops.jvp(_layer, (x,), (tangent,))
    theirs = keras.ops.jvp(lambda t: keras.ops.tanh(keras.ops.matmul(t, _f32(W))), (x,), (tangent,))
    for a, b in zip(keras_value(ours), keras_value(theirs)):
        numpy.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_jvp_errors():
    x = _f32(numpy.ones((2, 3)))
    with pytest.raises(ValueError, match="jvp: `tangents` must have the structure of `primals`"):
        ops.jvp(_layer, (x,), (x, x))
    with pytest.raises(ValueError, match=r"jvp: a tangent of shape \(3,\) for a primal of shape \(2, 3\)"):
        ops.jvp(_layer, (x,), (x[0],))
    with pytest.raises(TypeError, match="jvp: `primals` and `tangents` must be tuples or lists"):
        ops.jvp(_layer, x, x)


@pytest.mark.parametrize(
    "shape, mode", [((5, 3), "reduced"), ((2, 4, 4), "complete"), ((3, 5), "reduced")], ids=["tall", "square", "wide"]
)
def test_qr_gradients_match_finite_differences(shape, mode, engine):
    # Keras's qr is differentiable (JAX's rule): both factors carry the gradient, for tall, square and wide inputs
    x = numpy.random.default_rng(3).standard_normal(shape)
    assert_gradients_match_finite_differences(engine, lambda a: ops.qr(a, mode=mode)[0], x)
    assert_gradients_match_finite_differences(engine, lambda a: ops.qr(a, mode=mode)[1], x)


def test_qr_complete_of_a_tall_matrix_says_it_has_no_gradient():
    with pytest.raises(NotImplementedError, match=r"qr: no gradient for mode='complete'.*\(4, 2\)"):
        gradients("dynamic", lambda a: ops.qr(a, mode="complete")[0], numpy.ones((4, 2)) + numpy.eye(4, 2))


def _small_operands():
    """Pairs of small matrices (the `dot` path of matmul's forward), contiguous and transposed, several dtypes."""
    left, right = rng.standard_normal((8, 4)), rng.standard_normal((4, 3))
    yield left.astype("float32"), right.astype("float32")
    yield numpy.ascontiguousarray(left.T).T.astype("float32"), right.T.copy().T.astype("float32")
    yield left.T.astype("float32").T, right.astype("float32")
    yield left[:1].astype("float32"), right.astype("float32")
    yield left, right
    yield left.astype("float16"), right.astype("float16")
    yield (left * 3).astype("int32"), (right * 3).astype("int32")
    yield left.astype("float32"), right.astype("float64")


@pytest.mark.parametrize("a, b", list(_small_operands()))
def test_matmul_of_small_matrices_is_numpys_matmul(engine, a, b):
    expected = numpy.matmul(a, b)
    found = run(engine, ops.matmul, a, b)
    assert found.dtype == expected.dtype and found.shape == expected.shape
    numpy.testing.assert_array_equal(found, expected)


def test_matmul_of_small_matrices_differentiates(engine):
    assert_gradients_match_finite_differences(
        engine, ops.matmul, rng.standard_normal((6, 4)), rng.standard_normal((4, 2))
    )
