"""Sparse softmax cross-entropy from logits, the fused primitives `sparse_softmax_crossentropy` and
`sparse_softmax_crossentropy_gradient`: the loss, its gradient and its second order against a numpy reference,
finite differences and the one-hot route (`categorical_crossentropy` of the one-hot labels, which
`sparse_categorical_crossentropy(from_logits=True)` took before), on both engines; bad labels raise as before.
Run eagerly, `checked_sparse_softmax_crossentropy` checks the labels itself and, for a loss's mean
(`sparse_softmax_crossentropy_mean`), takes the mean too: bit for bit the separate ops."""

import re

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends import static
from kerasish.backends.device import to_numpy
from kerasish.backends.dynamic import Tensor
from kerasish.backends.primitives.checks import check_range
from kerasish.backends.primitives.crossentropy import (
    LABEL_RANGE,
    sparse_softmax_crossentropy,
    sparse_softmax_crossentropy_mean,
)
from kerasish.utils import gradcheck

from .cases import randn
from .test_value_checks import LABEL_MESSAGE, LABELS, SCORES, _same_error

CLASSES = 5
# (logits shape, labels shape, class axis)
LAYOUTS = [((6, CLASSES), (6,), -1), ((CLASSES, 6), (6,), 0), ((2, CLASSES, 3), (2, 3), 1)]


def _labels(shape, seed=0):
    return numpy.random.default_rng(seed).integers(0, CLASSES, shape)


def _reference(labels, logits, axis):
    """-log_softmax(logits)[label] in float64."""
    logits = numpy.moveaxis(logits.astype(numpy.float64), axis, -1)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_probabilities = shifted - numpy.log(numpy.exp(shifted).sum(axis=-1, keepdims=True))
    return -numpy.take_along_axis(log_probabilities, labels[..., None].astype(numpy.int64), -1)[..., 0]


def _one_hot_route(labels, logits, axis=-1):
    hot = ops.one_hot(labels, CLASSES, axis=axis, dtype=logits.dtype)
    return ops.categorical_crossentropy(hot, logits, from_logits=True, axis=axis)


def _fused(labels, logits, axis=-1):
    return ops.sparse_categorical_crossentropy(labels, logits, from_logits=True, axis=axis)


def _loss_gradient_second_order(loss_function, axis):
    """labels, logits, weights -> the weighted loss, its gradient with respect to the logits, and the gradients of
    a function of that gradient with respect to the logits and the weights (second order, through both the
    logits and the incoming gradient)."""

    def run(labels, logits, weights):
        logits, weights = ops.convert_to_tensor(logits), ops.convert_to_tensor(weights)
        with kerasish.GradientTape() as outer:
            outer.watch([logits, weights])
            with kerasish.GradientTape() as inner:
                inner.watch([logits])
                loss = loss_function(labels, logits, axis) * weights
                total = ops.sum(loss)
            [gradient] = inner.gradient(total, [logits])
            curvature = ops.sum(gradient * gradient * ops.cos(logits))
        second_logits, second_weights = outer.gradient(curvature, [logits, weights])
        return loss, gradient, second_logits, second_weights

    return run


@pytest.mark.parametrize("logits_shape, labels_shape, axis", LAYOUTS)
def test_forward_matches_numpy(engine, logits_shape, labels_shape, axis):
    logits, labels = randn(*logits_shape).astype(numpy.float32) * 3, _labels(labels_shape)
    loss = kerasish.function(lambda t, x: _fused(t, x, axis), engine=engine)(labels, logits)
    assert loss.dtype == numpy.float32 and loss.shape == labels_shape
    numpy.testing.assert_allclose(numpy.asarray(loss), _reference(labels, logits, axis), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("labels_dtype", ["int64", "int32", "float32"])
@pytest.mark.parametrize("logits_shape, labels_shape, axis", LAYOUTS)
def test_loss_gradient_and_second_order_match_the_one_hot_route(engine, logits_shape, labels_shape, axis, labels_dtype):
    logits = randn(*logits_shape, seed=1).astype(numpy.float32) * 3
    labels = _labels(labels_shape, seed=2).astype(labels_dtype)
    weights = numpy.random.default_rng(3).uniform(0.5, 2.0, labels_shape).astype(numpy.float32)
    fused = kerasish.function(_loss_gradient_second_order(_fused, axis), engine=engine)(labels, logits, weights)
    route = kerasish.function(_loss_gradient_second_order(_one_hot_route, axis), engine=engine)(labels, logits, weights)
    for got, expected in zip(fused, route):
        assert got.dtype == numpy.float32
        numpy.testing.assert_allclose(numpy.asarray(got), numpy.asarray(expected), rtol=1e-6, atol=1e-6)


def test_labels_with_a_trailing_axis_of_one_and_the_engines_agree():
    logits, labels = randn(6, CLASSES, seed=4).astype(numpy.float32), _labels((6, 1), seed=5)
    results = [
        numpy.asarray(kerasish.function(_fused, engine=engine)(labels, logits)) for engine in ("dynamic", "static")
    ]
    numpy.testing.assert_allclose(results[0], _reference(labels[:, 0], logits, -1), rtol=1e-6, atol=1e-6)
    numpy.testing.assert_array_equal(results[1], results[0])


@pytest.mark.parametrize("logits_shape, labels_shape, axis", LAYOUTS)
def test_gradient_matches_finite_differences(logits_shape, labels_shape, axis):
    labels = _labels(labels_shape, seed=6)
    assert gradcheck(lambda x: _fused(labels, x, axis), [randn(*logits_shape, seed=7) * 2])


def _gradient_wrt(position, loss_function=_fused):
    """labels, logits, weights -> the second-order gradient of `_loss_gradient_second_order` with respect to the
    logits (position 0) or the weights (1), for gradcheck to differentiate numerically."""

    def second(labels, logits, weights):
        _, _, *seconds = _loss_gradient_second_order(loss_function, -1)(labels, logits, weights)
        return seconds[position]

    return second


def _mean(labels, logits, axis):
    return sparse_softmax_crossentropy_mean(labels, logits, axis=axis)


@pytest.mark.parametrize("loss_function", [_fused, _mean], ids=["losses", "mean"])
@pytest.mark.parametrize("position", [0, 1], ids=["logits", "weights"])
def test_second_order_matches_finite_differences(position, loss_function):
    labels, logits, weights = _labels((3,), seed=8), randn(3, CLASSES, seed=9), randn(3, seed=10)
    assert gradcheck(lambda x, w: _gradient_wrt(position, loss_function)(labels, x, w), [logits, weights])


def _separate_ops(labels, logits, axis):
    """The mean as the traced graph has it, run eagerly: the check, the loss and the mean, three ops."""
    position = axis % len(logits.shape)
    labels = check_range(labels, low=0, high=logits.shape[position], message=LABEL_RANGE, error="ValueError")
    return ops.mean(sparse_softmax_crossentropy(labels, logits, axis=position))


def _mean_and_gradient(loss_function, axis):
    def run(labels, logits):
        logits = ops.convert_to_tensor(logits)
        with kerasish.GradientTape() as tape:
            tape.watch([logits])
            mean = loss_function(labels, logits, axis)
            scaled = mean * 3.0
        return mean, tape.gradient(scaled, [logits])[0]

    return run


@pytest.mark.parametrize("labels_dtype", ["int64", "int32", "float32"])
@pytest.mark.parametrize(
    "logits_shape, labels_shape, axis", LAYOUTS + [((128, 10), (128,), -1)], ids=lambda v: str(v).replace(" ", "")
)
def test_the_mean_is_the_separate_ops_bit_for_bit(engine, logits_shape, labels_shape, axis, labels_dtype):
    # (128, 10): the kernels' row-sum paths for many rows
    logits = randn(*logits_shape, seed=12).astype(numpy.float32) * 3
    labels = numpy.random.default_rng(13).integers(0, logits_shape[axis], labels_shape).astype(labels_dtype)
    if labels_dtype == "float32":
        labels.flat[0] = 1.5  # names no class: no loss, no gradient
    expected = _mean_and_gradient(_separate_ops, axis)(labels, logits)
    got = kerasish.function(_mean_and_gradient(_mean, axis), engine=engine)(labels, logits)
    for value, reference in zip(got, expected):
        assert value.dtype == numpy.float32 and value.shape == reference.shape
        numpy.testing.assert_array_equal(numpy.asarray(value), numpy.asarray(reference))


@pytest.mark.parametrize("logits_shape, labels_shape, axis", LAYOUTS)
def test_the_mean_and_its_second_order_match_the_one_hot_route(engine, logits_shape, labels_shape, axis):
    logits = randn(*logits_shape, seed=14).astype(numpy.float32) * 3
    labels, weights = _labels(labels_shape, seed=15), numpy.float32(1.7)
    fused = kerasish.function(_loss_gradient_second_order(_mean, axis), engine=engine)(labels, logits, weights)
    one_hot = kerasish.function(
        _loss_gradient_second_order(lambda t, x, axis: ops.mean(_one_hot_route(t, x, axis)), axis), engine=engine
    )(labels, logits, weights)
    for got, expected in zip(fused, one_hot):
        numpy.testing.assert_allclose(numpy.asarray(got), numpy.asarray(expected), rtol=1e-6, atol=1e-6)


def test_eagerly_the_mean_records_one_op_and_plays_back_one():
    labels, logits = Tensor(_labels((6,))), Tensor(randn(6, CLASSES).astype(numpy.float32))
    with kerasish.GradientTape() as outer:
        outer.watch(logits)
        with kerasish.GradientTape() as inner:
            inner.watch(logits)
            mean = sparse_softmax_crossentropy_mean(labels, logits)
            losses = ops.sparse_categorical_crossentropy(labels, logits, from_logits=True)
        inner.gradient([mean, losses], [logits])
    assert [record.primitive.name for record in outer._records] == [
        "checked_sparse_softmax_crossentropy",
        "checked_sparse_softmax_crossentropy",
        "sparse_softmax_crossentropy_gradient",
        "sparse_softmax_crossentropy_gradient",
        "add",  # the two gradients of the logits
    ]


@pytest.mark.parametrize("labels", [LABELS, numpy.array([0, 1, -1, 2])], ids=["too-large", "negative"])
def test_the_mean_of_bad_labels_is_the_same_error_as_before(labels):
    error = _same_error(lambda: lambda t, x: sparse_softmax_crossentropy_mean(t, x), labels, SCORES)
    assert str(error) == str(_error_of(lambda: _separate_ops(labels, SCORES, -1)))
    bad = labels[(labels < 0) | (labels >= 4)][0]
    assert type(error) is ValueError and str(error) == LABEL_MESSAGE.replace("label 7", f"label {bad:g}")


def _error_of(function):
    with pytest.raises(ValueError) as caught:
        function()
    return caught.value


def test_large_logits_stay_finite_and_exact(engine):
    logits = numpy.array([[1e4, -1e4, 0.0], [-3e4, 3e4, 1.0]], numpy.float32)
    labels = numpy.array([1, 1])

    def loss_and_gradient(t, x):
        x = ops.convert_to_tensor(x)
        with kerasish.GradientTape() as tape:
            tape.watch([x])
            loss = ops.sparse_categorical_crossentropy(t, x, from_logits=True)
            total = ops.sum(loss)
        return loss, tape.gradient(total, [x])[0]

    loss, gradient = kerasish.function(loss_and_gradient, engine=engine)(labels, logits)
    numpy.testing.assert_allclose(numpy.asarray(loss), [2e4, 0.0], atol=1e-3)
    numpy.testing.assert_allclose(numpy.asarray(gradient), [[1.0, -1.0, 0.0], [0.0, 0.0, 0.0]], atol=1e-6)


def test_a_float_label_that_is_no_class_gives_what_its_all_zero_one_hot_row_gave(engine):
    # float labels are what Loss objects pass (they convert y_true to floatx); the range check lets 1.5 through
    logits = randn(3, CLASSES, seed=11).astype(numpy.float32)
    labels = numpy.array([1.5, 2.0, 0.0], numpy.float32)
    weights = numpy.ones(3, numpy.float32)
    fused = kerasish.function(_loss_gradient_second_order(_fused, -1), engine=engine)(labels, logits, weights)
    route = kerasish.function(_loss_gradient_second_order(_one_hot_route, -1), engine=engine)(labels, logits, weights)
    loss, gradient = numpy.asarray(fused[0]), numpy.asarray(fused[1])
    assert loss[0] == 0 and not gradient[0].any() and loss[1] > 0
    for got, expected in zip(fused, route):
        numpy.testing.assert_allclose(numpy.asarray(got), numpy.asarray(expected), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "labels",
    [LABELS, LABELS.astype(numpy.float32), numpy.array([0, 1, -1, 2])],
    ids=["int-too-large", "float-too-large", "negative"],
)
def test_a_label_out_of_range_is_the_same_error_as_before(labels):
    error = _same_error(lambda: _fused, labels, SCORES)
    bad = labels[(labels < 0) | (labels >= 4)][0]
    assert type(error) is ValueError and str(error) == LABEL_MESSAGE.replace("label 7", f"label {bad:g}")


def _steps(function):
    return [step.node.op.name for step in function.plan.steps]


def test_a_static_gradient_without_the_loss_still_checks_the_labels():
    labels, scores = static.placeholder((4,), "int32"), static.placeholder((4, 4))  # known shapes: no loss node
    gradient = static.gradients(ops.sum(_fused(labels, scores)), [scores])[0]
    function = static.function([labels, scores], gradient)
    assert "sparse_softmax_crossentropy" not in _steps(function)  # the loss is not computed: only its gradient
    rows = to_numpy(function(LABELS % 4, SCORES)).sum(axis=-1)  # softmax - one_hot sums to 0 on each row
    numpy.testing.assert_allclose(rows, numpy.zeros(4), atol=1e-6)
    with pytest.raises(ValueError, match=re.escape(LABEL_MESSAGE)):
        function(LABELS, SCORES)


def test_from_logits_is_one_fused_node_without_a_one_hot():
    labels, scores = static.placeholder((None,), "int32"), static.placeholder((None, 4))
    loss = ops.sum(_fused(labels, scores))
    steps = _steps(static.function([labels, scores], [loss, static.gradients(loss, [scores])[0]], passes=[]))
    assert steps.count("sparse_softmax_crossentropy") == 1 and steps.count("sparse_softmax_crossentropy_gradient") == 1
    assert steps.count("check_range") == 1 and "one_hot" not in steps and "softmax" not in steps


@pytest.mark.gpu
def test_on_the_gpu_a_bad_label_raises_when_the_step_ends_as_on_the_cpu():
    # the check's flag stays on the device until the step ends: the kernels must not index with the bad label
    labels, scores = static.placeholder((4,), "int32"), static.placeholder((4, 4))
    loss = ops.sum(_fused(labels, scores))
    outputs = [loss, static.gradients(loss, [scores])[0]]
    on_gpu, on_cpu = (static.function([labels, scores], outputs, device=device) for device in ("gpu", "cpu"))
    for got, expected in zip(on_gpu(LABELS % 4, SCORES), on_cpu(LABELS % 4, SCORES)):
        numpy.testing.assert_allclose(to_numpy(got), expected, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match=re.escape(LABEL_MESSAGE)):
        on_gpu(LABELS, SCORES)
