"""Every loss against its formula written in numpy, on both engines, with weights and reductions."""

import numpy
import pytest

import kerasish
from kerasish import losses

EPS = 1e-7


def _rand(*shape, seed=0, low=0.05, high=0.95):
    return numpy.random.default_rng(seed).uniform(low, high, shape).astype(numpy.float32)


def _softmax(x, axis=-1):
    e = numpy.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _one_hot(labels, classes):
    return numpy.eye(classes, dtype=numpy.float32)[labels]


def run(engine, fn, *arrays):
    """fn(*arrays) on the engine: called eagerly, or traced into a static graph and run."""
    return numpy.asarray(kerasish.function(lambda *inputs: fn(*inputs), engine=engine)(*arrays))


# Per-sample numpy formulas (Keras 3), reduced over the last axis.
def np_mse(t, p):
    return ((t - p) ** 2).mean(-1)


def np_mae(t, p):
    return numpy.abs(t - p).mean(-1)


def np_mape(t, p):
    return 100 * (numpy.abs(t - p) / numpy.maximum(numpy.abs(t), EPS)).mean(-1)


def np_msle(t, p):
    return ((numpy.log(numpy.maximum(p, EPS) + 1) - numpy.log(numpy.maximum(t, EPS) + 1)) ** 2).mean(-1)


def np_huber(t, p, delta=1.0):
    e = numpy.abs(p - t)
    return numpy.where(e <= delta, 0.5 * e**2, delta * e - 0.5 * delta**2).mean(-1)


def np_logcosh(t, p):
    return numpy.log(numpy.cosh(p - t)).mean(-1)


def np_cosine(t, p):
    tn = t / numpy.linalg.norm(t, axis=-1, keepdims=True)
    pn = p / numpy.linalg.norm(p, axis=-1, keepdims=True)
    return -(tn * pn).sum(-1)


def np_bce(t, p):
    p = numpy.clip(p, EPS, 1 - EPS)
    return -(t * numpy.log(p) + (1 - t) * numpy.log(1 - p)).mean(-1)


def np_cce(t, p):
    p = numpy.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -(t * numpy.log(p)).sum(-1)


def np_kld(t, p):
    t, p = numpy.clip(t, EPS, 1), numpy.clip(p, EPS, 1)
    return (t * numpy.log(t / p)).sum(-1)


def np_poisson(t, p):
    return (p - t * numpy.log(p + EPS)).mean(-1)


def np_hinge(t, p):
    return numpy.maximum(1 - (2 * t - 1) * p, 0).mean(-1)


def np_squared_hinge(t, p):
    return (numpy.maximum(1 - (2 * t - 1) * p, 0) ** 2).mean(-1)


def np_categorical_hinge(t, p):
    return numpy.maximum(((1 - t) * p).max(-1) - (t * p).sum(-1) + 1, 0)


def _binary_targets(shape, seed=3):
    return (numpy.random.default_rng(seed).uniform(size=shape) > 0.5).astype(numpy.float32)


def _probabilities(shape, seed=4):
    return _softmax(numpy.random.default_rng(seed).standard_normal(shape).astype(numpy.float32))


REGRESSION = [
    (losses.MeanSquaredError, losses.mean_squared_error, np_mse),
    (losses.MeanAbsoluteError, losses.mean_absolute_error, np_mae),
    (losses.MeanAbsolutePercentageError, losses.mean_absolute_percentage_error, np_mape),
    (losses.MeanSquaredLogarithmicError, losses.mean_squared_logarithmic_error, np_msle),
    (losses.Huber, losses.huber, np_huber),
    (losses.LogCosh, losses.log_cosh, np_logcosh),
    (losses.CosineSimilarity, losses.cosine_similarity, np_cosine),
    (losses.Poisson, losses.poisson, np_poisson),
]
BINARY = [
    (losses.BinaryCrossentropy, losses.binary_crossentropy, np_bce),
    (losses.Hinge, losses.hinge, np_hinge),
    (losses.SquaredHinge, losses.squared_hinge, np_squared_hinge),
]
CATEGORICAL = [
    (losses.CategoricalCrossentropy, losses.categorical_crossentropy, np_cce),
    (losses.KLDivergence, losses.kl_divergence, np_kld),
    (losses.CategoricalHinge, losses.categorical_hinge, np_categorical_hinge),
]


def _case_data(kind, shape):
    if kind == "binary":
        return _binary_targets(shape), _rand(*shape, seed=1)
    if kind == "categorical":
        labels = numpy.random.default_rng(5).integers(0, shape[-1], shape[:-1])
        return _one_hot(labels, shape[-1]), _probabilities(shape)
    return _rand(*shape, seed=2, low=0.1, high=2.0), _rand(*shape, seed=1, low=0.1, high=2.0)


ALL_CASES = (
    [pytest.param(*case, "regression", id=case[0].__name__) for case in REGRESSION]
    + [pytest.param(*case, "binary", id=case[0].__name__) for case in BINARY]
    + [pytest.param(*case, "categorical", id=case[0].__name__) for case in CATEGORICAL]
)


@pytest.mark.parametrize("cls, function, reference, kind", ALL_CASES)
def test_loss_class_matches_the_formula(engine, cls, function, reference, kind):
    y_true, y_pred = _case_data(kind, (6, 4))
    expected = reference(y_true.astype(numpy.float64), y_pred.astype(numpy.float64))
    value = run(engine, lambda t, p: cls()(t, p), y_true, y_pred)
    assert value.dtype == numpy.float32 and value.shape == ()
    numpy.testing.assert_allclose(value, expected.mean(), rtol=1e-5, atol=1e-6)
    per_sample = run(engine, lambda t, p: function(t, p), y_true, y_pred)
    assert per_sample.dtype == numpy.float32
    numpy.testing.assert_allclose(per_sample, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "mean", "sum", "none", None, "mean_with_sample_weight"])
def test_reductions_and_per_sample_weights(engine, reduction):
    y_true, y_pred = _rand(5, 3, seed=1), _rand(5, 3, seed=2)
    weights = numpy.array([1.0, 0.0, 2.0, 0.5, 1.5], numpy.float32)
    weighted = np_mse(y_true, y_pred) * weights
    expected = {
        "sum_over_batch_size": weighted.mean(),
        "mean": weighted.mean(),
        "sum": weighted.sum(),
        "none": weighted,
        None: weighted,
        "mean_with_sample_weight": weighted.sum() / weights.sum(),
    }[reduction]
    loss = losses.MeanSquaredError(reduction=reduction)
    numpy.testing.assert_allclose(
        run(engine, lambda t, p, w: loss(t, p, sample_weight=w), y_true, y_pred, weights), expected, rtol=1e-5
    )


def test_weights_per_sample_and_per_timestep(engine):
    y_true, y_pred = _rand(4, 3, 2, seed=1), _rand(4, 3, 2, seed=2)
    per_timestep = np_mse(y_true, y_pred)
    sample_weights = numpy.array([1.0, 0.0, 2.0, 1.0], numpy.float32)
    timestep_weights = _rand(4, 3, seed=7)
    loss = losses.MeanSquaredError()

    def weighted(t, p, w):
        return loss(t, p, sample_weight=w)

    numpy.testing.assert_allclose(
        run(engine, weighted, y_true, y_pred, sample_weights),
        (per_timestep * sample_weights[:, None]).mean(),
        rtol=1e-5,
    )
    numpy.testing.assert_allclose(
        run(engine, weighted, y_true, y_pred, timestep_weights), (per_timestep * timestep_weights).mean(), rtol=1e-5
    )


def test_huber_delta_and_label_smoothing():
    y_true, y_pred = _rand(4, 3, seed=1, high=3.0), _rand(4, 3, seed=2, low=-2.0, high=2.0)
    numpy.testing.assert_allclose(
        float(losses.Huber(delta=0.3)(y_true, y_pred)), np_huber(y_true, y_pred, 0.3).mean(), rtol=1e-5
    )
    targets, probabilities = _one_hot(numpy.array([0, 2, 1]), 3), _probabilities((3, 3))
    smoothed = targets * 0.8 + 0.2 / 3
    numpy.testing.assert_allclose(
        float(losses.CategoricalCrossentropy(label_smoothing=0.2)(targets, probabilities)),
        np_cce(smoothed, probabilities).mean(),
        rtol=1e-5,
    )
    binary, scores = _binary_targets((4, 2)), _rand(4, 2, seed=6)
    numpy.testing.assert_allclose(
        float(losses.BinaryCrossentropy(label_smoothing=0.1)(binary, scores)),
        np_bce(binary * 0.9 + 0.05, scores).mean(),
        rtol=1e-5,
    )


def test_crossentropies_from_logits(engine):
    logits = numpy.random.default_rng(0).standard_normal((5, 4)).astype(numpy.float32) * 3
    labels = numpy.array([0, 3, 1, 1, 2])
    expected = -numpy.log(_softmax(logits.astype(numpy.float64)))[numpy.arange(5), labels]
    cce = losses.CategoricalCrossentropy(from_logits=True)
    scce = losses.SparseCategoricalCrossentropy(from_logits=True)
    numpy.testing.assert_allclose(run(engine, cce, _one_hot(labels, 4), logits), expected.mean(), rtol=1e-5)
    numpy.testing.assert_allclose(run(engine, scce, labels.astype(numpy.float32), logits), expected.mean(), rtol=1e-5)
    numpy.testing.assert_allclose(
        run(engine, scce, labels[:, None].astype(numpy.int32), logits), expected.mean(), rtol=1e-5
    )
    targets = _binary_targets((5, 4))
    sigmoid = 1 / (1 + numpy.exp(-logits.astype(numpy.float64)))
    numpy.testing.assert_allclose(
        run(engine, losses.BinaryCrossentropy(from_logits=True), targets, logits),
        np_bce(targets, sigmoid).mean(),
        rtol=1e-5,
    )


def test_sparse_categorical_crossentropy_from_probabilities_and_ignore_class(engine):
    probabilities = _probabilities((6, 3))
    labels = numpy.array([0, 2, 1, 2, 0, 1], numpy.float32)
    per_sample = -numpy.log(numpy.clip(probabilities, EPS, 1 - EPS))[numpy.arange(6), labels.astype(int)]
    numpy.testing.assert_allclose(
        run(engine, losses.SparseCategoricalCrossentropy(), labels, probabilities), per_sample.mean(), rtol=1e-5
    )
    ignored = losses.SparseCategoricalCrossentropy(ignore_class=2)
    keep = labels != 2
    numpy.testing.assert_allclose(run(engine, ignored, labels, probabilities), per_sample[keep].mean(), rtol=1e-5)
    values = run(
        engine, lambda t, p: losses.sparse_categorical_crossentropy(t, p, ignore_class=2), labels, probabilities
    )
    numpy.testing.assert_allclose(values, numpy.where(keep, per_sample, 0.0), rtol=1e-5)


@pytest.mark.parametrize("engine", ["dynamic", "static"])
@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_labels_out_of_range_name_the_label_and_the_classes(engine, from_logits):
    probabilities = _probabilities((3, 4))
    loss = losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    with pytest.raises(
        ValueError,
        match=r"label 7 is out of range for 4 classes; labels must be integers in "
        r"\[0, 4\) \(labels shape \(3,\)\)",
    ):
        run(engine, loss, numpy.array([0, 7, 1]), probabilities)
    with pytest.raises(ValueError, match=r"label -1 is out of range for 4 classes"):
        run(
            engine,
            lambda t, p: losses.sparse_categorical_crossentropy(t, p, from_logits=from_logits),
            numpy.array([-1.0, 0.0, 1.0], numpy.float32),
            probabilities,
        )
    ignored = losses.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=-1)
    assert numpy.isfinite(run(engine, ignored, numpy.array([-1, 0, 1]), probabilities))
    with pytest.raises(ValueError, match=r"label 4 is out of range for 4 classes"):
        run(engine, ignored, numpy.array([-1, 4, 1]), probabilities)


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("make", [losses.SparseCategoricalCrossentropy, "sparse_categorical_crossentropy"])
def test_integer_labels_reach_the_kernel_as_integers_with_the_float_labels_values(
    engine, monkeypatch, from_logits, make
):
    # Keras converts y_true to the loss's dtype; integer class indices are passed as they are (no cast, no
    # pass over float labels), with the values and gradients that the same labels as floats give
    from kerasish.backends.kernels import softmax
    from kerasish.backends.primitives import crossentropy

    if isinstance(make, str):
        loss = losses.LossFunctionWrapper(losses.get(make), from_logits=from_logits)
    else:
        loss = make(from_logits=from_logits)
    rng = numpy.random.default_rng(3)
    scores = rng.uniform(0.1, 0.9, (6, 4)).astype(numpy.float32)
    labels = rng.integers(0, 4, 6)
    seen = []
    kernel = crossentropy.kernels.sparse_softmax_crossentropy
    monkeypatch.setattr(
        softmax, "sparse_softmax_crossentropy", lambda xp, t, *rest: seen.append(t.dtype) or kernel(xp, t, *rest)
    )
    one_hot = crossentropy.ops.one_hot
    monkeypatch.setattr(
        crossentropy.ops, "one_hot", lambda t, *rest, **kwargs: seen.append(t.dtype) or one_hot(t, *rest, **kwargs)
    )

    def value_and_gradient(targets, predictions):
        predictions = kerasish.ops.convert_to_tensor(predictions)
        with kerasish.backends.gradient_tape.GradientTape() as tape:
            tape.watch(predictions)
            value = loss(targets, predictions)
        return value, tape.gradient(value, predictions)

    from_integers = [numpy.asarray(a) for a in kerasish.function(value_and_gradient, engine=engine)(labels, scores)]
    assert seen and all(dtype.kind == "i" for dtype in seen)
    labels = labels.astype(numpy.float32)
    from_floats = [numpy.asarray(a) for a in kerasish.function(value_and_gradient, engine=engine)(labels, scores)]
    for integer, floating in zip(from_integers, from_floats):
        numpy.testing.assert_array_equal(integer, floating)


def test_rank_mismatch_by_a_trailing_one_is_squeezed():
    y_true, y_pred = _rand(5, seed=1), _rand(5, 1, seed=2)
    numpy.testing.assert_allclose(
        float(losses.MeanSquaredError()(y_true, y_pred)), ((y_true - y_pred[:, 0]) ** 2).mean(), rtol=1e-6
    )


def test_hinge_keeps_labels_that_are_already_signed():
    y_true = numpy.array([[-1.0, 1.0], [1.0, -1.0]], numpy.float32)
    y_pred = _rand(2, 2, seed=3, low=-1, high=1)
    numpy.testing.assert_allclose(
        float(losses.Hinge()(y_true, y_pred)), numpy.maximum(1 - y_true * y_pred, 0).mean(), rtol=1e-6
    )


def test_names_configs_and_round_trips():
    loss = losses.Huber(delta=2.0, reduction="sum", name="my_huber")
    assert loss.get_config() == {"name": "my_huber", "reduction": "sum", "delta": 2.0}
    again = losses.Huber.from_config(loss.get_config())
    assert (again.name, again.reduction, again._fn_kwargs) == ("my_huber", "sum", {"delta": 2.0})
    assert losses.MeanSquaredError().name == "mean_squared_error"
    assert losses.BinaryCrossentropy().get_config() == {
        "name": "binary_crossentropy",
        "reduction": "sum_over_batch_size",
        "from_logits": False,
        "label_smoothing": 0.0,
        "axis": -1,
    }
    serialized = losses.serialize(losses.CategoricalCrossentropy(from_logits=True))
    assert serialized["class_name"] == "CategoricalCrossentropy" and serialized["module"] == "keras.losses"
    restored = losses.deserialize(serialized)
    assert isinstance(restored, losses.CategoricalCrossentropy) and restored.from_logits
    assert losses.deserialize(losses.serialize(losses.mean_squared_error)) is losses.mean_squared_error
    wrapper = losses.LossFunctionWrapper(losses.huber, delta=0.5, name="wrapped")
    rebuilt = losses.LossFunctionWrapper.from_config(wrapper.get_config())
    assert rebuilt.fn is losses.huber and rebuilt._fn_kwargs == {"delta": 0.5}


def test_get_resolves_names_aliases_and_configs():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("mae") is losses.mean_absolute_error
    assert losses.get("mape") is losses.mean_absolute_percentage_error
    assert losses.get("msle") is losses.mean_squared_logarithmic_error
    assert losses.get("kld") is losses.kl_divergence
    assert losses.get("logcosh") is losses.log_cosh
    assert losses.get("bce") is losses.binary_crossentropy
    assert isinstance(losses.get("CategoricalCrossentropy"), losses.CategoricalCrossentropy)
    configured = losses.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    assert configured.from_logits
    assert losses.get(None) is None
    custom = losses.Huber()
    assert losses.get(custom) is custom


def test_unknown_names_and_bad_arguments_are_errors_that_say_what_is_valid():
    with pytest.raises(
        ValueError, match=r"Could not interpret loss identifier: 'mean_sqared_error'.*mean_squared_error"
    ):
        losses.get("mean_sqared_error")
    with pytest.raises(ValueError, match=r"Invalid value for argument `reduction`.*reduction='avg'"):
        losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match="must have the same shape"):
        losses.CategoricalCrossentropy()(numpy.ones((2, 3), "float32"), numpy.ones((2, 4), "float32"))


def test_float32_stays_float32_with_float64_weights():
    y_true, y_pred = _rand(3, 2, seed=1), _rand(3, 2, seed=2)
    value = losses.MeanAbsoluteError()(y_true, y_pred, sample_weight=numpy.array([1.0, 2.0, 3.0]))
    assert numpy.asarray(value).dtype == numpy.float32


@pytest.mark.slow
def test_matches_keras_when_installed():
    keras = pytest.importorskip("keras")
    y_true, y_pred = _binary_targets((4, 3)), _rand(4, 3, seed=2)
    weights = numpy.array([1.0, 0.5, 0.0, 2.0], numpy.float32)
    for name in (
        "MeanSquaredError",
        "MeanAbsoluteError",
        "Huber",
        "LogCosh",
        "BinaryCrossentropy",
        "Hinge",
        "Poisson",
        "KLDivergence",
        "CosineSimilarity",
        "MeanSquaredLogarithmicError",
    ):
        ours = getattr(losses, name)()(y_true, y_pred, sample_weight=weights)
        theirs = getattr(keras.losses, name)()(y_true, y_pred, sample_weight=weights)
        numpy.testing.assert_allclose(numpy.asarray(ours), numpy.asarray(theirs), rtol=1e-5, atol=1e-6, err_msg=name)


def test_deserialize_and_axis_errors():
    with pytest.raises(ValueError, match=r"Could not deserialize loss: expected a dict with 'class_name'"):
        losses.deserialize(42)
    with pytest.raises(ValueError, match=r"`axis` must be of type `int`. Received: axis=True"):
        losses.categorical_crossentropy(numpy.ones((2, 3), "float32"), numpy.ones((2, 3), "float32"), axis=True)
