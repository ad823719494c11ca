"""SparseCategoricalCrossentropy(from_logits=True) with a mean reduction and nothing to convert, squeeze, weigh or
mask computes its value with `sparse_softmax_crossentropy_mean` (eagerly one op, its gradient one op): the same
values, gradients and errors as the general path of `Loss.__call__`, on both engines; anything else takes that
path."""

import numpy
import pytest

import kerasish
from kerasish import losses, ops
from kerasish.backends import static
from kerasish.losses.loss import Loss

RNG = numpy.random.default_rng(0)
LOGITS = (RNG.standard_normal((6, 4)) * 3).astype(numpy.float32)
LABELS = RNG.integers(0, 4, 6)


def _general(loss, y_true, y_pred, sample_weight=None):
    return Loss.__call__(loss, y_true, y_pred, sample_weight)


def _value_and_gradient(call, loss, y_true, sample_weight=None):
    """`call(loss, y_true, logits)` and its gradient with respect to the logits, from the arrays given."""

    def run(labels, logits, *weights):
        logits = ops.convert_to_tensor(logits, dtype=logits.dtype)
        with kerasish.GradientTape() as tape:
            tape.watch([logits])
            value = call(loss, labels, logits, *weights)
        return value, tape.gradient(value, [logits])[0]

    return run


def _assert_same(engine, loss, labels, logits, *weights):
    got = kerasish.function(_value_and_gradient(type(loss).__call__, loss, labels), engine=engine)(
        labels, logits, *weights
    )
    expected = kerasish.function(_value_and_gradient(_general, loss, labels), engine=engine)(labels, logits, *weights)
    for value, reference in zip(got, expected):
        assert value.dtype == reference.dtype and value.shape == reference.shape
        numpy.testing.assert_array_equal(numpy.asarray(value), numpy.asarray(reference))


@pytest.mark.parametrize(
    "labels, logits, settings",
    [
        (LABELS, LOGITS, {}),
        (LABELS.astype("int32"), LOGITS, {"reduction": "mean"}),
        (LABELS.astype("float32"), LOGITS, {}),
        (numpy.array([0, 1.5, 2], numpy.float32), LOGITS[:3], {}),  # 1.5 names no class
        (LABELS[:, None], LOGITS, {}),  # to squeeze
        (LABELS.astype("float64"), LOGITS, {}),  # to convert
        (LABELS, LOGITS.astype("float64"), {}),
        (LABELS.reshape(2, 3), LOGITS.reshape(2, 3, 4), {}),
        (LABELS.reshape(2, 3), LOGITS.reshape(2, 4, 3), {"axis": 1}),
        (LABELS * 0, LOGITS[:, :1], {}),  # one class: the general path expands the labels
        (LABELS[:0], LOGITS[:0], {}),  # kept unreduced
        (LABELS[0], LOGITS[0], {}),
        (LABELS, LOGITS, {"reduction": "sum"}),
        (LABELS, LOGITS, {"reduction": None}),
        (LABELS, LOGITS, {"ignore_class": 2}),
        (LABELS, LOGITS, {"from_logits": False}),
    ],
    ids=lambda v: None if isinstance(v, numpy.ndarray) else str(v),
)
def test_the_loss_is_its_general_path_bit_for_bit(engine, labels, logits, settings):
    settings = {"from_logits": True, **settings}
    if not settings["from_logits"]:
        logits = numpy.exp(logits) / numpy.exp(logits).sum(axis=-1, keepdims=True)
    loss = losses.SparseCategoricalCrossentropy(**settings)
    if engine == "dynamic":  # a tensor, as the trainer passes it (an array takes the general path's conversion)
        labels = ops.convert_to_tensor(labels, dtype=labels.dtype)
    _assert_same(engine, loss, labels, logits)


def test_sample_weights_take_the_general_path(engine):
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    weights = RNG.uniform(0.5, 2.0, 6).astype(numpy.float32)
    labels = ops.convert_to_tensor(LABELS, dtype=LABELS.dtype) if engine == "dynamic" else LABELS
    _assert_same(engine, loss, labels, LOGITS, weights)


def test_eagerly_the_loss_is_one_op_and_its_gradient_one():
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    labels, logits = ops.convert_to_tensor(LABELS), ops.convert_to_tensor(LOGITS)
    with kerasish.GradientTape() as outer:
        outer.watch(logits)
        with kerasish.GradientTape() as inner:
            inner.watch(logits)
            value = loss(labels, logits)
        inner.gradient(value, [logits])
    names = [record.primitive.name for record in outer._records]
    assert names == ["checked_sparse_softmax_crossentropy", "sparse_softmax_crossentropy_gradient"]


def test_traced_the_loss_is_the_check_the_loss_and_the_mean():
    # the static engine's graph is the general path's: its passes read these ops
    labels, logits = static.placeholder((None,), "int64"), static.placeholder((None, 4))
    value = losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    function = static.function([labels, logits], [value, static.gradients(value, [logits])[0]], passes=[])
    names = [step.node.op.name for step in function.plan.steps]
    assert [name for name in names if "crossentropy" in name or name in ("check_range", "mean")] == [
        "check_range",
        "sparse_softmax_crossentropy",
        "mean",
        "sparse_softmax_crossentropy_gradient",
    ]


@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_a_bad_label_is_the_general_paths_error(engine):
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    labels = numpy.array([0, 7, 1, 2, 3, 0])
    errors = []
    for call in (type(loss).__call__, _general):
        with pytest.raises(ValueError) as caught:
            kerasish.function(lambda t, x, call=call: call(loss, t, x), engine=engine)(
                ops.convert_to_tensor(labels) if engine == "dynamic" else labels, LOGITS
            )
        errors.append(str(caught.value))
    assert errors[0] == errors[1]
    assert errors[0].startswith(
        "sparse_categorical_crossentropy: label 7 is out of range for 4 classes; labels must be integers in [0, 4) "
        "(labels shape (6,))"
    )
