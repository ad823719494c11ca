"""Value checks run on both engines: the static engine raises the dynamic engine's error (type and
message; the node is appended) when the plan runs, whatever passes are on."""

import re
import types

import numpy
import pytest

import kerasish
from kerasish import layers, losses, ops
from kerasish.backends import static
from kerasish.backends.primitives import checks
from kerasish.backends.primitives.checks import check_range
from kerasish.backends.static import passes

ENGINES = ["dynamic", "static"]
LABELS = numpy.array([0, 1, 7, 2], numpy.int32)
SCORES = numpy.random.default_rng(0).uniform(0.1, 0.9, (4, 4)).astype(numpy.float32)
LABEL_MESSAGE = (
    "sparse_categorical_crossentropy: label 7 is out of range for 4 classes; labels must be integers "
    "in [0, 4) (labels shape (4,))"
)
INDEX_MESSAGE = "take: index 5 is out of bounds for axis 0 with size 3 (indices shape (2,))"


def _error(function, *arrays):
    with pytest.raises(Exception) as caught:
        function(*arrays)
    return caught.value


def _same_error(make, *arrays):
    """The error of `make()`'s function on both engines: same type, and the static message is the
    dynamic one with the node appended."""
    dynamic = _error(kerasish.function(make(), engine="dynamic"), *arrays)
    static_error = _error(kerasish.function(make(), engine="static"), *arrays)
    assert type(static_error) is type(dynamic)
    assert re.fullmatch(re.escape(str(dynamic)) + r" \(in .*, node '.*'\)", str(static_error)), (dynamic, static_error)
    return dynamic


@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_crossentropy_label_out_of_range_in_a_function(from_logits):
    error = _same_error(
        lambda: lambda t, p: losses.sparse_categorical_crossentropy(t, p, from_logits=from_logits), LABELS, SCORES
    )
    assert type(error) is ValueError and str(error) == LABEL_MESSAGE


def test_a_nan_label_is_out_of_range_on_both_engines():
    # NaN compares false both ways: a check written as "outside the range" let it through (loss -0)
    labels = numpy.array([0, numpy.nan, 1, 2], numpy.float32)
    error = _same_error(lambda: lambda t, p: losses.sparse_categorical_crossentropy(t, p), labels, SCORES)
    assert type(error) is ValueError and "label nan is out of range for 4 classes" in str(error)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_crossentropy_label_out_of_range_in_fit(engine, from_logits):
    kerasish.utils.set_random_seed(0)
    model = kerasish.Sequential([layers.Input((3,)), layers.Dense(4, activation=None if from_logits else "softmax")])
    model.compile(optimizer="sgd", loss=losses.SparseCategoricalCrossentropy(from_logits=from_logits), backend=engine)
    x = numpy.ones((8, 3), numpy.float32)
    labels = numpy.array([0, 1, 2, 3, 0, 1, 7, 2])
    with pytest.raises(
        ValueError,
        match=re.escape("label 7 is out of range for 4 classes; labels must be integers in [0, 4) (labels shape (4,))"),
    ):
        model.fit(x, labels, batch_size=4, epochs=1, shuffle=False, verbose=0)


def test_take_index_out_of_bounds():
    error = _same_error(
        lambda: lambda x, i: ops.take(x, i, axis=0), numpy.ones((3, 2), numpy.float32), numpy.array([0, 5])
    )
    assert type(error) is IndexError and str(error) == INDEX_MESSAGE


def test_getitem_with_an_index_array_out_of_bounds():
    error = _same_error(
        lambda: lambda x, i: ops.convert_to_tensor(x)[:, i], numpy.ones((2, 3), numpy.float32), numpy.array([0, 3])
    )
    assert type(error) is IndexError
    assert str(error) == "getitem: index 3 is out of bounds for axis 1 with size 3 (indices shape (2,))"


def test_getitem_after_a_boolean_mask_checks_the_axis_after_the_mask():
    x = numpy.arange(24, dtype=numpy.float32).reshape(2, 3, 4)
    mask = numpy.array([[True, False, True], [False, True, True]])
    error = _same_error(lambda: lambda x, m, i: ops.convert_to_tensor(x)[m, i], x, mask, numpy.array([4]))
    assert str(error) == "getitem: index 4 is out of bounds for axis 2 with size 4 (indices shape (1,))"
    results = [
        numpy.asarray(
            kerasish.function(lambda x, m, i: ops.convert_to_tensor(x)[m, i], engine=engine)(x, mask, numpy.array([3]))
        )
        for engine in ENGINES
    ]
    numpy.testing.assert_array_equal(results[0], x[mask, numpy.array([3])])
    numpy.testing.assert_array_equal(results[1], results[0])


def test_scatter_and_segment_sum_coordinates_out_of_bounds():
    error = _same_error(
        lambda: lambda i, v: ops.scatter(i, v, (3, 2)), numpy.array([[0, 1], [1, 2]]), numpy.ones(2, numpy.float32)
    )
    assert type(error) is IndexError
    assert str(error) == "scatter: index 2 is out of bounds for an output of shape (3, 2) (indices shape (2, 2))"
    error = _same_error(
        lambda: lambda d, s: ops.segment_sum(d, s, num_segments=2),
        numpy.ones((3, 2), numpy.float32),
        numpy.array([0, 1, 2]),
    )
    assert str(error) == "scatter: index 2 is out of bounds for an output of shape (2, 2) (indices shape (3, 1))"


def test_take_negative_indices_within_bounds_agree():
    x, indices = numpy.arange(6, dtype=numpy.float32).reshape(3, 2), numpy.array([-3, 2])
    results = [
        numpy.asarray(kerasish.function(lambda a, i: ops.take(a, i, axis=0), engine=engine)(x, indices))
        for engine in ENGINES
    ]
    numpy.testing.assert_array_equal(results[0], x[indices])
    numpy.testing.assert_array_equal(results[1], x[indices])


def test_take_along_axis_index_out_of_bounds():
    error = _same_error(
        lambda: lambda x, i: ops.take_along_axis(x, i, axis=1),
        numpy.ones((2, 3), numpy.float32),
        numpy.array([[0], [-4]]),
    )
    assert type(error) is IndexError
    assert str(error) == "take_along_axis: index -4 is out of bounds for axis 1 with size 3 (indices shape (2, 1))"


def test_embedding_index_out_of_bounds():
    embedding = layers.Embedding(3, 2)
    embedding.build((None, 2))
    error = _same_error(lambda: lambda i: embedding(i), numpy.array([[0, 5]]))
    assert type(error) is IndexError
    assert str(error) == "take: index 5 is out of bounds for axis 0 with size 3 (indices shape (1, 2))"


@pytest.mark.parametrize(
    "enabled",
    [[], list(passes.NAMES)] + [[n for n in passes.NAMES if n != off] for off in passes.NAMES],
    ids=["none", "all"] + [f"all-but-{n}" for n in passes.NAMES],
)
def test_every_pass_keeps_the_check(enabled):
    labels, scores = static.placeholder((None,), "int32"), static.placeholder((None, 4))
    loss = ops.mean(ops.sparse_categorical_crossentropy(labels, ops.exp(scores) * 2.0 + 0.0, from_logits=True))
    function = static.function([labels, scores], loss, passes=enabled)
    assert numpy.isfinite(function(LABELS % 4, SCORES))
    with pytest.raises(ValueError, match=re.escape(LABEL_MESSAGE)):
        function(LABELS, SCORES)


def test_a_constant_bad_label_raises_when_the_function_runs_not_when_it_compiles():
    labels = static.constant(LABELS)
    scores = static.placeholder((None, 4))
    function = static.function([scores], ops.sparse_categorical_crossentropy(labels, scores))
    with pytest.raises(ValueError, match=re.escape(LABEL_MESSAGE)):
        function(SCORES)


def test_a_saved_and_loaded_function_keeps_the_check(tmp_path):
    labels, scores = static.placeholder((None,), "int32"), static.placeholder((None, 4))
    path = str(tmp_path / "loss.h5")
    static.save(static.function([labels, scores], ops.sparse_categorical_crossentropy(labels, scores)), path)
    loaded = static.load(path)
    assert numpy.isfinite(loaded(LABELS % 4, SCORES)).all()
    with pytest.raises(ValueError, match=re.escape(LABEL_MESSAGE)):
        loaded(LABELS, SCORES)


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint32"])
@pytest.mark.parametrize("high", [3, 127, 128, 200])
def test_integer_values_from_zero_are_checked_in_one_reduction_with_the_same_verdict(dtype, high):
    # integers from 0 read as unsigned ones (one reduction): a negative value must still fail, also at the
    # dtype's limits, where the unsigned reading no longer tells it apart (int8 with 200 classes)
    info = numpy.iinfo(dtype)
    for values in ([0, high - 1], [0, high], [0, -1], [info.min, 0], [info.max, 0], [0, high + 1]):
        x = numpy.array([v for v in values if info.min <= v <= info.max], dtype)
        inside = bool(((x >= 0) & (x < high)).all())
        function = kerasish.function(
            lambda t: check_range(t, low=0, high=high, message="bad {value}", error="ValueError")
        )
        if inside:
            numpy.testing.assert_array_equal(numpy.asarray(function(x)), x)
        else:
            first_bad = x[~((x >= 0) & (x < high))][0]
            with pytest.raises(ValueError, match=f"^bad {first_bad}$"):
                function(x)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_check_passes_its_input_and_its_gradient_through(engine):
    x = numpy.array([0.5, 1.5, 2.5])

    @kerasish.function(engine=engine)
    def value_and_gradient(x):
        x = ops.convert_to_tensor(x)
        with kerasish.GradientTape() as tape:
            tape.watch(x)
            y = ops.sum(check_range(x, low=0, high=3, message="bad {value}", error="ValueError") ** 2)
        return y, tape.gradient(y, x)

    value, gradient = value_and_gradient(x)
    numpy.testing.assert_allclose(numpy.asarray(value), (x**2).sum(), rtol=1e-6)
    numpy.testing.assert_allclose(numpy.asarray(gradient), 2 * x, rtol=1e-6)


def _diverging_fit(engine, callbacks):
    kerasish.utils.set_random_seed(0)
    model = kerasish.Sequential([layers.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=kerasish.optimizers.SGD(1e3), loss="mse", backend=engine)
    x = numpy.random.default_rng(0).standard_normal((64, 3)).astype(numpy.float32) * 100
    with numpy.errstate(over="ignore", invalid="ignore"):
        return model.fit(
            x, numpy.ones((64, 1), numpy.float32), batch_size=4, epochs=3, shuffle=False, verbose=0, callbacks=callbacks
        )


def test_terminate_on_nan_stops_both_engines_at_the_same_batch():
    stopped = []
    for engine in ENGINES:
        seen = []
        batches = kerasish.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
        history = _diverging_fit(engine, [kerasish.callbacks.TerminateOnNaN(), batches])
        assert not numpy.isfinite(history.history["loss"][-1])
        stopped.append((len(history.history["loss"]), seen[-1]))
    assert stopped[0] == stopped[1] and stopped[0][1] < 15


def test_terminate_on_nan_raises_the_same_error_on_both_engines():
    messages = []
    for engine in ENGINES:
        with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch") as caught:
            _diverging_fit(engine, [kerasish.callbacks.TerminateOnNaN(raise_error=True)])
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


def test_device_checks_inside_a_deferred_block_raise_when_it_closes():
    """The cupy path on the host: an array module other than numpy keeps the flags until the block ends."""
    device_like = types.SimpleNamespace(argmax=numpy.argmax)
    attrs = dict(low=0, high=4, message="label {value} of {shape}", error="ValueError")
    labels = numpy.array([1, 9, 5])
    with pytest.raises(ValueError, match=r"^label 9 of \(3,\)$"):
        with checks.deferred():
            assert checks._forward(device_like, labels, **attrs) is labels  # not raised yet
            labels[1] = 2  # a later step reusing the buffer does not change the message
            checks._forward(device_like, numpy.array([0, 1]), **attrs)
    with checks.deferred():
        checks._forward(device_like, numpy.array([0, 3]), **attrs)
    with pytest.raises(ValueError, match="label 4"):  # outside a block: at the op
        checks._forward(device_like, numpy.array([4]), **attrs)


@pytest.mark.gpu
def test_on_the_gpu_a_static_function_reads_the_check_flags_once_and_raises():
    labels, scores = static.placeholder((None,), "int32"), static.placeholder((None, 4))
    function = static.function([labels, scores], ops.sparse_categorical_crossentropy(labels, scores), device="gpu")
    assert numpy.isfinite(kerasish.backends.device.to_numpy(function(LABELS % 4, SCORES))).all()
    with pytest.raises(ValueError, match=re.escape(LABEL_MESSAGE)):
        function(LABELS, SCORES)
