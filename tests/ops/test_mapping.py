"""map, vectorized_map, vectorize and associative_scan (backends/primitives/mapping.py), on both engines."""

import numpy
import pytest

from kerasish import ops

from .engines import assert_gradients_match_finite_differences, real_keras, run
from .keras_parity import assert_matches_keras

X = numpy.random.default_rng(0).standard_normal((4, 3)).astype("float32")


def test_map_over_a_tensor_and_a_structure(engine):
    numpy.testing.assert_allclose(
        run(engine, lambda t: ops.map(lambda row: ops.sum(row * row), t), X), (X * X).sum(1), rtol=1e-6
    )
    got = run(engine, lambda a, b: ops.map(lambda pair: pair["a"] - pair["b"], {"a": a, "b": b}), X, X * 2)
    numpy.testing.assert_allclose(got, -X)


def test_map_matches_keras():
    assert_matches_keras("map", lambda row: row * 2.0, X)


def test_vectorized_map_matches_keras_on_a_tensor_and_a_list(engine):
    assert_matches_keras("vectorized_map", lambda row: row * 2.0 - 1.0, X)  # operators only: both libraries run it
    assert_matches_keras("vectorized_map", lambda pair: pair[0] * pair[1], [X, X + 1.0])
    got = run(engine, lambda a: ops.vectorized_map(lambda row: ops.max(row), a), X)
    numpy.testing.assert_allclose(got, X.max(1))


def test_vectorized_map_passes_gradients(engine):
    assert_gradients_match_finite_differences(
        engine, lambda a: ops.vectorized_map(lambda row: ops.sum(row * row) * row, a), X
    )


@pytest.mark.parametrize(
    "signature, shapes", [(None, [(2, 1), (3,)]), ("(n),(n)->()", [(2, 4), (4,)]), ("(n)->(n)", [(3, 2)])]
)
def test_vectorize_broadcasts_as_numpy(signature, shapes, engine):
    rng = numpy.random.default_rng(1)
    arrays = [rng.standard_normal(shape).astype("float32") for shape in shapes]
    if len(arrays) == 2:
        ours = ops.vectorize(lambda a, b: ops.sum(a * b) if signature else a * b + 1.0, signature=signature)
        theirs = numpy.vectorize(lambda a, b: numpy.sum(a * b) if signature else a * b + 1.0, signature=signature)
    else:
        ours = ops.vectorize(lambda a: a - ops.min(a), signature=signature)
        theirs = numpy.vectorize(lambda a: a - numpy.min(a), signature=signature)
    numpy.testing.assert_allclose(run(engine, ours, *arrays), theirs(*arrays), rtol=1e-6)


def test_vectorize_passes_excluded_arguments_through():
    scale = ops.vectorize(lambda x, factor: x * factor, excluded={1})
    numpy.testing.assert_allclose(ops.convert_to_numpy(scale(X, 3.0)), X * 3.0)


def test_vectorize_refuses_a_bad_signature():
    with pytest.raises(ValueError, match="vectorize: not a valid gufunc signature: n->m"):
        ops.vectorize(lambda a: a, signature="n->m")(X)


@pytest.mark.slow
@pytest.mark.parametrize("size", [1, 2, 5, 8])
@pytest.mark.parametrize("reverse", [False, True])
def test_associative_scan_matches_keras(size, reverse):
    x = numpy.random.default_rng(size).standard_normal((size, 3)).astype("float32")
    assert_matches_keras("associative_scan", lambda a, b: a + b, x, reverse=reverse, rtol=1e-5, atol=1e-5)
    assert_matches_keras("associative_scan", lambda a, b: a * b, x, reverse=reverse, axis=1, rtol=1e-5, atol=1e-6)


def test_associative_scan_of_a_structure_on_both_engines(engine):
    def scan(a, b):
        return ops.associative_scan(lambda x, y: (x[0] + y[0], x[1] * y[1]), (a, b), axis=1)

    total, product = run(engine, scan, X, X + 2.0)
    numpy.testing.assert_allclose(total, numpy.cumsum(X, 1), rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(product, numpy.cumprod(X + 2.0, 1), rtol=1e-5)


def test_associative_scan_passes_gradients(engine):
    assert_gradients_match_finite_differences(engine, lambda a: ops.associative_scan(ops.multiply, a + 2.0), X[:, 0])


def test_associative_scan_refuses_unequal_lengths():
    real_keras()  # the message is Keras's
    with pytest.raises(ValueError, match="associative_scan: Array inputs to associative_scan must have the same"):
        ops.associative_scan(lambda a, b: a, (X, X[:2]))
