"""The softmax kernels' CPU paths for large float32/float64 arrays or many rows: exp without the shift by the row
maximum where every value is within exp's range (`_in_range`), the row sums along the last axis as a product with
ones (`_sums`). softmax, log_softmax and sparse softmax cross-entropy (and its gradient) agree with a float64
reference and with the plain paths (shifted, pairwise sums) within float32 rounding, on any axis, layout and dtype,
near the range's edge and past."""

import numpy
import pytest

from kerasish.backends.kernels import softmax as kernels


def _scores(shape, dtype, seed=0):
    x = numpy.random.default_rng(seed).standard_normal(shape) * 4
    return x.astype(dtype)


def _reference(x, axis):
    x = x.astype(numpy.float64)
    shifted = numpy.exp(x - x.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def _plain(monkeypatch):
    monkeypatch.setattr(kernels, "LARGE", numpy.inf)
    monkeypatch.setattr(kernels, "ROWS", numpy.inf)


CASES = [
    ((32, 4, 16, 128), -1, "float32", 12),  # the attention's probabilities: unshifted, product sums
    ((64, 40), 1, "float64", 12),  # unshifted, product sums
    ((64, 40), 1, "float32", 44.3),  # values up to the range's edge (±44.36): unshifted
    ((64, 40), 1, "float32", 60),  # values past it: shifted, product sums
    ((128, 10), -1, "float32", 12),  # few values, many rows (a batch of logits): unshifted, product sums
    ((6, 2048), -1, "float32", 12),  # rows too long: pairwise
    ((64, 40), 0, "float32", 12),  # not the last axis: pairwise
    ((8, 10), -1, "float32", 12),  # too small: shifted, pairwise
    ((64, 40), -1, "float16", 12),  # shifted, pairwise
]


@pytest.mark.parametrize(("shape", "axis", "dtype", "largest"), CASES)
def test_softmax_is_the_reference_and_the_plain_paths_within_rounding(shape, axis, dtype, largest, monkeypatch):
    x = _scores(shape, "float64")
    x = (x * (largest / numpy.abs(x).max())).astype(dtype)
    many = x.size >= kernels.LARGE or x.size >= kernels.ROWS * x.shape[-1]
    assert kernels._in_range(x, kernels._pays(numpy, x)) is (many and dtype != "float16" and largest < 44.36)
    ours = kernels.softmax(numpy, x, axis)
    assert ours.dtype == x.dtype
    rtol, atol = (1e-2, 1e-5) if dtype == "float16" else (1e-6, 1e-8)  # float16's exp of scores up to ±16
    numpy.testing.assert_allclose(ours, _reference(x, axis), rtol=rtol, atol=atol)
    numpy.testing.assert_allclose(ours.sum(axis=axis), 1, rtol=rtol * 10)
    _plain(monkeypatch)
    numpy.testing.assert_allclose(ours, kernels.softmax(numpy, x, axis), rtol=rtol, atol=atol)


def test_softmax_in_place_over_a_transposed_layout_and_masked_rows():
    x = _scores((16, 128, 24), "float32").transpose(0, 2, 1)  # rows not contiguous: shifted (the mask), pairwise
    x[3, 5] = -0.7 * numpy.finfo(numpy.float32).max  # a row masked everywhere: uniform, as before
    expected = _reference(x, -1)
    expected[3, 5] = 1 / 128
    result = kernels.softmax(numpy, x, -1, overwrite=True)
    assert result is x
    numpy.testing.assert_allclose(result, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(
    ("shape", "axis", "largest"), [((128, 100), -1, 12), ((128, 100), 0, 12), ((8, 10), -1, 12), ((128, 100), -1, 60)]
)
def test_log_softmax_and_sparse_crossentropy_are_the_plain_paths_within_rounding(shape, axis, largest, monkeypatch):
    x = _scores(shape, "float64", seed=1)
    x = (x * (largest / numpy.abs(x).max())).astype(numpy.float32)
    labels = numpy.random.default_rng(2).integers(0, x.shape[axis], numpy.delete(shape, axis % 2))
    log = kernels.log_softmax(numpy, x, axis)
    loss = kernels.sparse_softmax_crossentropy(numpy, labels, x, axis)
    numpy.testing.assert_allclose(log, numpy.log(_reference(x, axis)), rtol=1e-6, atol=1e-5)
    picked = numpy.take_along_axis(numpy.log(_reference(x, axis)), numpy.expand_dims(labels, axis), axis)
    numpy.testing.assert_allclose(loss, -picked.squeeze(axis), rtol=1e-6, atol=1e-5)
    _plain(monkeypatch)
    numpy.testing.assert_allclose(log, kernels.log_softmax(numpy, x, axis), rtol=1e-6, atol=1e-6)
    numpy.testing.assert_allclose(
        loss, kernels.sparse_softmax_crossentropy(numpy, labels, x, axis), rtol=1e-6, atol=1e-6
    )


def _gradient_reference(labels, x, gradient, axis):
    """gradient × (softmax(x) − one_hot(labels)) along `axis` in float64; a row of a label that is no class (1.5)
    is 0."""
    probabilities = _reference(x, axis)
    whole = labels == numpy.floor(labels)
    hot = numpy.expand_dims(labels.astype(numpy.int64), axis) == numpy.expand_dims(
        numpy.arange(x.shape[axis]), [a for a in range(x.ndim) if a != axis % x.ndim]
    )
    return (probabilities - hot) * numpy.expand_dims(gradient * whole, axis)


@pytest.mark.parametrize(
    ("shape", "axis", "layout"),
    [((128, 10), -1, "C"), ((128, 10), -1, "transposed"), ((4, 32, 10), -1, "C"), ((6, 10, 20), 1, "C")],
)
@pytest.mark.parametrize("labels_dtype", ["int64", "float32"])
def test_sparse_crossentropy_gradient_is_the_reference_on_any_layout(shape, axis, layout, labels_dtype, monkeypatch):
    x = _scores(shape[::-1] if layout == "transposed" else shape, "float32", seed=3)
    x = x.T if layout == "transposed" else x  # rows not contiguous: the flat write goes to a contiguous copy
    label_shape = tuple(numpy.delete(shape, axis % len(shape)))
    labels = numpy.random.default_rng(4).integers(0, shape[axis], label_shape).astype(labels_dtype)
    if labels_dtype == "float32":
        labels.flat[::7] = 1.5  # names no class
    gradient = numpy.random.default_rng(5).uniform(0.5, 2.0, label_shape).astype(numpy.float32)
    result = kernels.sparse_softmax_crossentropy_gradient(numpy, labels, x, gradient, axis)
    assert result.dtype == numpy.float32 and result.shape == shape
    numpy.testing.assert_allclose(result, _gradient_reference(labels, x, gradient, axis), rtol=1e-5, atol=1e-6)
    _plain(monkeypatch)
    plain = kernels.sparse_softmax_crossentropy_gradient(numpy, labels, x, gradient, axis)
    numpy.testing.assert_allclose(result, plain, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(("shape", "axis"), [((0, 10), -1), ((2, 10, 0), 1), ((0, 10, 3), 1)])
def test_sparse_crossentropy_of_no_values_keeps_its_shapes(shape, axis):
    x = numpy.zeros(shape, numpy.float32)
    labels = numpy.zeros(tuple(numpy.delete(shape, axis % len(shape))), numpy.int64)
    loss = kernels.sparse_softmax_crossentropy(numpy, labels, x, axis)
    gradient = kernels.sparse_softmax_crossentropy_gradient(numpy, labels, x, numpy.ones(labels.shape, "float32"), axis)
    assert loss.shape == labels.shape and gradient.shape == shape
