"""The focal cross-entropies, generalized cross-entropy, Dice, Tversky and Circle: against formulas
written in numpy on both engines, with weights and reductions; gradients by finite differences;
configs, names, compile strings and fit; bad input."""

import numpy
import pytest

import kerasish
from kerasish import layers, losses
from kerasish.utils import gradcheck

EPS = 1e-7


def run(engine, fn, *arrays):
    return numpy.asarray(kerasish.function(lambda *inputs: fn(*inputs), engine=engine)(*arrays))


def _rng(seed=0):
    return numpy.random.default_rng(seed)


def _binary(shape=(6, 4), seed=0):
    rng = _rng(seed)
    targets = (rng.uniform(size=shape) > 0.5).astype(numpy.float32)
    return targets, rng.uniform(0.05, 0.95, shape).astype(numpy.float32)


def _categorical(batch=6, classes=4, seed=1):
    rng = _rng(seed)
    targets = numpy.eye(classes, dtype=numpy.float32)[rng.integers(0, classes, batch)]
    scores = rng.uniform(0.05, 1.0, (batch, classes)).astype(numpy.float32)
    return targets, scores / scores.sum(-1, keepdims=True)


def _embeddings(batch=8, dimension=5, seed=2):
    rng = _rng(seed)
    vectors = rng.standard_normal((batch, dimension)).astype(numpy.float32)
    return rng.integers(0, 3, batch), vectors / numpy.linalg.norm(vectors, axis=-1, keepdims=True)


# ----- numpy formulas (Keras 3) -------------------------------------------------------------------


def np_binary_focal(t, p, apply_class_balancing=False, alpha=0.25, gamma=2.0):
    clipped = numpy.clip(p, EPS, 1 - EPS)
    bce = -(t * numpy.log(clipped) + (1 - t) * numpy.log(1 - clipped))
    p_t = t * p + (1 - t) * (1 - p)
    focal = (1 - p_t) ** gamma * bce
    if apply_class_balancing:
        focal = (t * alpha + (1 - t) * (1 - alpha)) * focal
    return focal.mean(-1)


def np_categorical_focal(t, p, alpha=0.25, gamma=2.0):
    p = numpy.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return (alpha * (1 - p) ** gamma * -t * numpy.log(p)).sum(-1)


def np_generalized(labels, p, q):
    return (1 - p[numpy.arange(len(labels)), labels] ** q) / q


def np_dice(t, p, axis=None):
    return 1 - 2 * (t * p).sum(axis) / (t.sum(axis) + p.sum(axis) + EPS)


def np_tversky(t, p, alpha=0.5, beta=0.5, axis=None):
    overlap = (t * p).sum(axis)
    return 1 - overlap / (overlap + alpha * (t * (1 - p)).sum(axis) + beta * (p * (1 - t)).sum(axis) + EPS)


def np_circle(labels, embeddings, gamma=80.0, margin=0.4, remove_diagonal=True):
    embeddings = embeddings.astype(numpy.float64)  # exp(gamma * ...) overflows float32
    distances = numpy.maximum(1 - embeddings @ embeddings.T, 0)
    positives = labels[:, None] == labels[None, :]
    negatives = ~positives
    if remove_diagonal:
        positives = positives & ~numpy.eye(len(labels), dtype=bool)
    losses_ = []
    for row in range(len(labels)):
        d = distances[row]
        pos = -gamma * numpy.maximum(margin + d, 0) * (margin - d)
        neg = gamma * numpy.maximum(1 + margin - d, 0) * (1 - margin - d)
        total = numpy.exp(pos[positives[row]]).sum() * numpy.exp(neg[negatives[row]]).sum()
        losses_.append(numpy.log1p(total))
    return numpy.array(losses_)


PER_SAMPLE = [
    ("binary_focal", losses.BinaryFocalCrossentropy, {}, _binary, np_binary_focal),
    (
        "binary_focal_balanced",
        losses.BinaryFocalCrossentropy,
        dict(apply_class_balancing=True, alpha=0.4, gamma=3.0),
        _binary,
        lambda t, p: np_binary_focal(t, p, True, 0.4, 3.0),
    ),
    ("categorical_focal", losses.CategoricalFocalCrossentropy, {}, _categorical, np_categorical_focal),
    (
        "categorical_focal_alpha",
        losses.CategoricalFocalCrossentropy,
        dict(alpha=0.5, gamma=1.0),
        _categorical,
        lambda t, p: np_categorical_focal(t, p, 0.5, 1.0),
    ),
    ("dice_per_sample", losses.Dice, dict(axis=(1,)), _binary, lambda t, p: np_dice(t, p, axis=1)),
    (
        "tversky_per_sample",
        losses.Tversky,
        dict(alpha=0.3, beta=0.7, axis=(1,)),
        _binary,
        lambda t, p: np_tversky(t, p, 0.3, 0.7, axis=1),
    ),
]


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"])
@pytest.mark.parametrize("name, cls, kwargs, data, reference", PER_SAMPLE, ids=[c[0] for c in PER_SAMPLE])
def test_per_sample_losses_with_weights_and_reductions(engine, name, cls, kwargs, data, reference, reduction):
    y_true, y_pred = data()
    weights = _rng(5).uniform(0.1, 1.0, len(y_true)).astype(numpy.float32)
    weighted = reference(y_true, y_pred) * weights
    expected = {
        "sum_over_batch_size": weighted.mean(),
        "sum": weighted.sum(),
        "none": weighted,
        "mean_with_sample_weight": weighted.sum() / weights.sum(),
    }[reduction]
    loss = cls(reduction=reduction, **kwargs)
    got = run(engine, lambda t, p, w: loss(t, p, sample_weight=w), y_true, y_pred, weights)
    numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_focal_from_logits_and_label_smoothing_equal_the_probability_forms(engine):
    y_true, y_pred = _binary()
    logits = numpy.log(y_pred / (1 - y_pred))
    smoothed = y_true * 0.8 + 0.1
    expected = np_binary_focal(smoothed, y_pred).mean()
    loss = losses.BinaryFocalCrossentropy(from_logits=True, label_smoothing=0.2)
    numpy.testing.assert_allclose(run(engine, loss, y_true, logits), expected, rtol=1e-5)
    one_hot, probabilities = _categorical()
    smoothed = one_hot * 0.9 + 0.1 / 4
    loss = losses.CategoricalFocalCrossentropy(from_logits=True, label_smoothing=0.1)
    numpy.testing.assert_allclose(
        run(engine, loss, one_hot, numpy.log(probabilities)),
        np_categorical_focal(smoothed, probabilities).mean(),
        rtol=1e-5,
    )


def test_gamma_zero_is_the_crossentropy():
    y_true, y_pred = _binary()
    numpy.testing.assert_allclose(
        losses.binary_focal_crossentropy(y_true, y_pred, gamma=0.0).numpy(),
        losses.binary_crossentropy(y_true, y_pred).numpy(),
        rtol=1e-6,
    )


@pytest.mark.parametrize("labels_shape", [(6,), (6, 1)])
def test_generalized_cross_entropy(engine, labels_shape):
    _, probabilities = _categorical()
    labels = _rng(3).integers(0, 4, 6)
    loss = losses.CategoricalGeneralizedCrossEntropy(q=0.7, reduction=None)
    numpy.testing.assert_allclose(
        run(engine, loss, labels.reshape(labels_shape), probabilities),
        np_generalized(labels, probabilities, 0.7),
        rtol=1e-5,
    )
    with pytest.raises(ValueError, match=r"q must be in the interval \(0, 1\). Received: q=1.5"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)


def test_dice_and_tversky_over_the_whole_batch_give_one_value(engine):
    y_true, y_pred = _binary((2, 3, 3, 1))
    numpy.testing.assert_allclose(run(engine, losses.Dice(), y_true, y_pred), np_dice(y_true, y_pred), rtol=1e-5)
    numpy.testing.assert_allclose(
        run(engine, losses.Tversky(alpha=0.2, beta=0.8), y_true, y_pred),
        np_tversky(y_true, y_pred, 0.2, 0.8),
        rtol=1e-5,
    )
    # alpha = beta = 0.5 is Dice
    numpy.testing.assert_allclose(
        losses.tversky(y_true, y_pred, axis=(1, 2, 3)).numpy(), losses.dice(y_true, y_pred, axis=(1, 2, 3)).numpy()
    )


@pytest.mark.parametrize(
    "kwargs", [{}, dict(gamma=10.0, margin=0.3), dict(remove_diagonal=False, gamma=5.0)], ids=["default", "gm", "diag"]
)
def test_circle_against_the_pairwise_formula(engine, kwargs):
    labels, embeddings = _embeddings()
    expected = np_circle(labels, embeddings, **kwargs)
    got = run(engine, losses.Circle(reduction=None, **kwargs), labels, embeddings)
    numpy.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    # the mean runs over the samples whose loss is above zero, as in Keras
    mean = run(engine, losses.Circle(**kwargs), labels, embeddings)
    numpy.testing.assert_allclose(mean, expected[expected > 0].mean(), rtol=1e-4)


def test_circle_with_reference_embeddings():
    labels, embeddings = _embeddings()
    reference_labels, reference = _embeddings(seed=9)
    got = losses.circle(labels, embeddings, ref_labels=reference_labels, ref_embeddings=reference, gamma=4.0)
    distances = numpy.maximum(1 - embeddings @ reference.T, 0)
    positives = (labels[:, None] == reference_labels[None, :]) & ~numpy.eye(8, dtype=bool)
    pos = numpy.where(positives, numpy.exp(-4.0 * numpy.maximum(0.4 + distances, 0) * (0.4 - distances)), 0)
    neg = numpy.where(
        ~(labels[:, None] == reference_labels[None, :]),
        numpy.exp(4.0 * numpy.maximum(1.4 - distances, 0) * (0.6 - distances)),
        0,
    )
    numpy.testing.assert_allclose(got.numpy(), numpy.log1p(pos.sum(1) * neg.sum(1)), rtol=1e-4)


GRADIENTS = [
    ("binary_focal", lambda t, p: losses.binary_focal_crossentropy(t, p, gamma=2.0), _binary),
    ("binary_focal_logits", lambda t, p: losses.binary_focal_crossentropy(t, p, from_logits=True), _binary),
    ("categorical_focal", lambda t, p: losses.categorical_focal_crossentropy(t, p, alpha=0.3), _categorical),
    ("dice", lambda t, p: losses.dice(t, p, axis=(1,)), _binary),
    ("tversky", lambda t, p: losses.tversky(t, p, alpha=0.2, beta=0.6), _binary),
]


@pytest.mark.parametrize("name, fn, data", GRADIENTS, ids=[g[0] for g in GRADIENTS])
def test_gradients_match_finite_differences(name, fn, data):
    y_true, y_pred = (a.astype(numpy.float64) for a in data())
    assert gradcheck(lambda p: fn(y_true, p), [y_pred])


def test_circle_and_generalized_gradients_match_finite_differences():
    labels, embeddings = _embeddings()
    assert gradcheck(lambda e: losses.circle(labels, e, gamma=4.0), [embeddings.astype(numpy.float64)])
    _, probabilities = _categorical()
    labels = _rng(3).integers(0, 4, 6)
    assert gradcheck(
        lambda p: losses.categorical_generalized_cross_entropy(labels, p, q=0.6), [probabilities.astype(numpy.float64)]
    )


NEW_LOSSES = [
    (losses.BinaryFocalCrossentropy, dict(apply_class_balancing=True, alpha=0.3, gamma=1.5, label_smoothing=0.1)),
    (losses.CategoricalFocalCrossentropy, dict(alpha=0.4, gamma=1.0, from_logits=True)),
    (losses.CategoricalGeneralizedCrossEntropy, dict(q=0.3)),
    (losses.Circle, dict(gamma=30.0, margin=0.2, remove_diagonal=False)),
    (losses.CTC, {}),
    (losses.Dice, dict(axis=(1, 2))),
    (losses.Tversky, dict(alpha=0.1, beta=0.9, axis=(1,))),
]


@pytest.mark.parametrize("cls, kwargs", NEW_LOSSES, ids=[c.__name__ for c, _ in NEW_LOSSES])
def test_configs_round_trip_and_names_resolve(cls, kwargs):
    loss = cls(reduction="sum", name="mine", **kwargs)
    config = loss.get_config()
    assert config["name"] == "mine" and config["reduction"] == "sum" and kwargs.items() <= config.items()
    again = cls.from_config(config)
    assert again.get_config() == config
    assert losses.deserialize(losses.serialize(loss)).get_config() == config
    assert isinstance(losses.get(cls.__name__), cls)


@pytest.mark.parametrize(
    "name",
    [
        "binary_focal_crossentropy",
        "categorical_focal_crossentropy",
        "categorical_generalized_cross_entropy",
        "circle",
        "ctc",
        "dice",
        "tversky",
    ],
)
def test_function_names_resolve_to_the_functions(name):
    assert losses.get(name) is getattr(losses, name)
    assert losses.deserialize(losses.serialize(getattr(losses, name))) is getattr(losses, name)


@pytest.mark.parametrize("loss", ["dice", "tversky", "binary_focal_crossentropy", losses.Tversky(alpha=0.7, beta=0.3)])
def test_compile_and_fit_on_both_engines(engine, loss):
    rng = _rng(0)
    x = rng.standard_normal((32, 4)).astype(numpy.float32)
    y = (x[:, :3] > 0).astype(numpy.float32)
    model = kerasish.Sequential([kerasish.Input((4,)), layers.Dense(3, activation="sigmoid")])
    model.compile(optimizer=kerasish.optimizers.Adam(0.05), loss=loss, backend=engine)
    before = model.evaluate(x, y, batch_size=32, verbose=0)
    history = model.fit(x, y, epochs=10, batch_size=8, verbose=0).history["loss"]
    assert all(numpy.isfinite(history)) and model.evaluate(x, y, batch_size=32, verbose=0) < before


def test_circle_in_fit_on_both_engines(engine):
    rng = _rng(0)
    x = rng.standard_normal((32, 6)).astype(numpy.float32)
    y = (x[:, 0] > 0).astype(numpy.int32)
    model = kerasish.Sequential([kerasish.Input((6,)), layers.Dense(4), layers.UnitNormalization()])
    model.compile(optimizer=kerasish.optimizers.Adam(0.05), loss=losses.Circle(gamma=10.0), backend=engine)
    before = model.evaluate(x, y, batch_size=32, verbose=0)
    history = model.fit(x, y, epochs=10, batch_size=32, verbose=0).history["loss"]
    assert all(numpy.isfinite(history)) and model.evaluate(x, y, batch_size=32, verbose=0) < before


def test_bad_input_is_a_clear_error():
    labels, embeddings = _embeddings()
    with pytest.raises(ValueError, match=r"circle: .*y_pred.shape=\(8, 5, 1\)"):
        losses.circle(labels, embeddings[..., None])
    with pytest.raises(ValueError, match=r"integer class indices.*y_true.shape=\(6, 4\), y_pred.shape=\(6, 4\)"):
        losses.CategoricalGeneralizedCrossEntropy()(*_categorical())
    with pytest.raises(ValueError, match="`axis` must be of type `int`"):
        losses.categorical_focal_crossentropy(*_categorical(), axis=True)
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`.*Received: reduction='avg'"):
        losses.Dice(reduction="avg")
    with pytest.raises(ValueError, match=r"multiply: shapes \(6, 3\), \(6, 4\)"):
        losses.dice(numpy.zeros((6, 3), numpy.float32), numpy.zeros((6, 4), numpy.float32))
