"""The IoU family, F-scores, R2, the correlations and the rate-at-rate metrics: against formulas
written in numpy, accumulated over two batches on both engines; in fit; configs and names; bad input."""

import numpy
import pytest

import kerasish
from kerasish import layers, losses, metrics
from kerasish.backend import epsilon

from .helpers import rand, result, updater

RNG = numpy.random.default_rng(0)


def _accumulate(metric, engine, batches, weighted):
    update = updater(metric, engine)
    for y_true, y_pred, weights in batches:
        if weighted:
            update(y_true, y_pred, sample_weight=weights)
        else:
            update(y_true, y_pred)
    return result(metric)


def _joined(batches, weighted):
    y_true = numpy.concatenate([b[0] for b in batches])
    y_pred = numpy.concatenate([b[1] for b in batches])
    weights = numpy.concatenate([b[2] for b in batches]) if weighted else numpy.ones(len(y_true), numpy.float32)
    return y_true, y_pred, weights


# ----- IoU ------------------------------------------------------------------------------------------


def _sparse_batches(classes=3, count=10):
    return [
        (RNG.integers(0, classes, count), RNG.integers(0, classes, count), RNG.integers(0, 3, count)) for _ in range(2)
    ]


def np_iou(y_true, y_pred, weights, classes, target_class_ids, ignore_class=None):
    matrix = numpy.zeros((classes, classes))
    for t, p, w in zip(y_true.ravel(), y_pred.ravel(), weights.ravel()):
        if t != ignore_class:
            matrix[t, p] += w
    tp = numpy.diag(matrix)
    denominator = matrix.sum(0) + matrix.sum(1) - tp
    ids = list(target_class_ids)
    present = denominator[ids] > 0
    return (tp[ids][present] / denominator[ids][present]).sum() / present.sum()


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize(
    "make, ids, ignore",
    [
        (lambda: metrics.IoU(num_classes=3, target_class_ids=[0, 2]), [0, 2], None),
        (lambda: metrics.IoU(num_classes=3, target_class_ids=[1, 2], ignore_class=0), [1, 2], 0),
        (lambda: metrics.MeanIoU(num_classes=3), [0, 1, 2], None),
    ],
    ids=["iou", "iou-ignore", "mean-iou"],
)
def test_iou_from_class_ids(engine, make, ids, ignore, weighted):
    batches = _sparse_batches()
    got = _accumulate(make(), engine, batches, weighted)
    numpy.testing.assert_allclose(got, np_iou(*_joined(batches, weighted), 3, ids, ignore), rtol=1e-5)


def test_one_hot_and_binary_iou(engine):
    classes = numpy.eye(3, dtype=numpy.float32)
    batches = [
        (classes[RNG.integers(0, 3, 10)], RNG.uniform(size=(10, 3)).astype(numpy.float32), numpy.ones(10))
        for _ in range(2)
    ]
    y_true, y_pred, weights = _joined(batches, False)
    expected = np_iou(y_true.argmax(-1), y_pred.argmax(-1), weights, 3, [0, 1])
    numpy.testing.assert_allclose(
        _accumulate(metrics.OneHotIoU(num_classes=3, target_class_ids=[0, 1]), engine, batches, False),
        expected,
        rtol=1e-5,
    )
    expected = np_iou(y_true.argmax(-1), y_pred.argmax(-1), weights, 3, [0, 1, 2])
    numpy.testing.assert_allclose(
        _accumulate(metrics.OneHotMeanIoU(num_classes=3), engine, batches, False), expected, rtol=1e-5
    )
    binary = [((RNG.uniform(size=12) > 0.5).astype(numpy.float32), RNG.uniform(size=12).astype(numpy.float32), None)]
    expected = np_iou(binary[0][0].astype(int), (binary[0][1] >= 0.3).astype(int), numpy.ones(12), 2, [1])
    numpy.testing.assert_allclose(
        _accumulate(metrics.BinaryIoU(target_class_ids=[1], threshold=0.3), engine, binary, False), expected, rtol=1e-5
    )


def test_iou_leaves_out_class_ids_out_of_range_and_absent_classes():
    metric = metrics.MeanIoU(num_classes=3)
    metric.update_state(numpy.array([0, 0, 5, -1]), numpy.array([0, 0, 1, 1]))
    # only class 0 is present (IoU 1); classes 1 and 2 never occur and do not count
    numpy.testing.assert_allclose(result(metric), 1.0, rtol=1e-6)
    metric.reset_state()
    assert numpy.all(numpy.asarray(metric.total_cm) == 0)


# ----- F-scores -------------------------------------------------------------------------------------


def _multilabel_batches():
    return [
        (
            (RNG.uniform(size=(8, 3)) > 0.5).astype(numpy.float32),
            RNG.uniform(size=(8, 3)).astype(numpy.float32),
            RNG.uniform(0.2, 1, 8).astype(numpy.float32),
        )
        for _ in range(2)
    ]


def np_fbeta(y_true, y_pred, weights, beta=1.0, average=None, threshold=None):
    if threshold is None:
        predicted = (y_pred >= y_pred.max(-1, keepdims=True)) & (numpy.abs(y_pred) > 1e-9)
    else:
        predicted = y_pred > threshold
    predicted = predicted.astype(numpy.float64)
    axis = None if average == "micro" else 0
    w = weights[:, None]
    tp = (predicted * y_true * w).sum(axis)
    fp = (predicted * (1 - y_true) * w).sum(axis)
    fn = ((1 - predicted) * y_true * w).sum(axis)
    precision, recall = tp / (tp + fp + epsilon()), tp / (tp + fn + epsilon())
    score = (1 + beta**2) * precision * recall / (beta**2 * precision + recall + epsilon())
    if average == "weighted":
        support = (y_true * w).sum(0)
        return (score * support / support.sum()).sum()
    return score.mean() if average is not None else score


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize(
    "kwargs",
    [{}, dict(average="macro", threshold=0.5), dict(average="micro", beta=0.5), dict(average="weighted", beta=2.0)],
    ids=["f1-none", "f1-macro", "micro", "weighted"],
)
def test_fbeta_scores(engine, kwargs, weighted):
    batches = _multilabel_batches()
    metric = metrics.FBetaScore(**kwargs) if "beta" in kwargs else metrics.F1Score(**kwargs)
    got = _accumulate(metric, engine, batches, weighted)
    numpy.testing.assert_allclose(got, np_fbeta(*_joined(batches, weighted), **kwargs), rtol=1e-5)


# ----- R2 and correlations --------------------------------------------------------------------------


def _regression_batches():
    return [
        (
            RNG.standard_normal((8, 3)).astype(numpy.float32),
            RNG.standard_normal((8, 3)).astype(numpy.float32),
            RNG.uniform(0.2, 1, 8).astype(numpy.float32),
        )
        for _ in range(2)
    ]


def np_r2(y_true, y_pred, weights, class_aggregation="uniform_average", num_regressors=0):
    w = weights[:, None]
    mean = (w * y_true).sum(0) / w.sum()
    total = (w * (y_true - mean) ** 2).sum(0)
    scores = 1 - (w * (y_true - y_pred) ** 2).sum(0) / total
    if class_aggregation == "uniform_average":
        scores = scores.mean()
    elif class_aggregation == "variance_weighted_average":
        scores = (scores * total).sum() / total.sum()
    samples = y_true.size
    if num_regressors and num_regressors < samples - 1:
        scores = 1 - (1 - scores) * (samples - 1) / (samples - num_regressors - 1)
    return scores


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize(
    "kwargs",
    [{}, dict(class_aggregation=None), dict(class_aggregation="variance_weighted_average", num_regressors=3)],
    ids=["uniform", "none", "variance-adjusted"],
)
def test_r2_score(engine, kwargs, weighted):
    batches = _regression_batches()
    got = _accumulate(metrics.R2Score(**kwargs), engine, batches, weighted)
    numpy.testing.assert_allclose(got, np_r2(*_joined(batches, weighted), **kwargs), rtol=1e-4, atol=1e-6)


def test_adjusted_r2_falls_back_to_plain_r2_with_too_few_samples():
    batches = _regression_batches()
    plain = _accumulate(metrics.R2Score(), "dynamic", batches, False)
    numpy.testing.assert_allclose(_accumulate(metrics.R2Score(num_regressors=47), "dynamic", batches, False), plain)


def np_pearson(t, p):
    t, p = t - t.mean(-1, keepdims=True), p - p.mean(-1, keepdims=True)
    return (t * p).mean(-1) / (t.std(-1) * p.std(-1))


def np_concordance(t, p):
    tm, pm = t.mean(-1, keepdims=True), p.mean(-1, keepdims=True)
    norm = t.var(-1, keepdims=True) + p.var(-1, keepdims=True) + (tm - pm) ** 2
    return (2 * (t - pm) * (p - pm) / (norm + epsilon())).mean(-1)  # Keras's formula


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize(
    "cls, function, reference",
    [
        (metrics.PearsonCorrelation, metrics.pearson_correlation, np_pearson),
        (metrics.ConcordanceCorrelation, metrics.concordance_correlation, np_concordance),
    ],
    ids=["pearson", "concordance"],
)
def test_correlations_average_over_samples(engine, cls, function, reference, weighted):
    batches = _regression_batches()
    y_true, y_pred, weights = _joined(batches, weighted)
    expected = (reference(y_true, y_pred) * weights).sum() / weights.sum()
    numpy.testing.assert_allclose(_accumulate(cls(), engine, batches, weighted), expected, rtol=1e-5)
    numpy.testing.assert_allclose(function(y_true, y_pred).numpy(), reference(y_true, y_pred), rtol=1e-5)


# ----- rates at rates ---------------------------------------------------------------------------------


def np_rates_at(y_true, y_pred, weights, num_thresholds, constrained, dependent, value):
    """The best `dependent` rate over thresholds (0, evenly spaced, 1; 0.5 alone for one) whose
    `constrained` rate is at least `value`."""
    if num_thresholds == 1:
        thresholds = [0.5]
    else:
        thresholds = [0.0] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1.0]
    best = 0.0
    actual = y_true.astype(bool)
    for threshold in thresholds:
        predicted = numpy.clip(y_pred, 0, 1) > threshold
        tp, fp = (weights * (actual & predicted)).sum(), (weights * (~actual & predicted)).sum()
        tn, fn = (weights * (~actual & ~predicted)).sum(), (weights * (actual & ~predicted)).sum()
        rates = {
            "sensitivity": tp / (tp + fn) if tp + fn else 0.0,
            "specificity": tn / (tn + fp) if tn + fp else 0.0,
            "precision": tp / (tp + fp) if tp + fp else 0.0,
        }
        if rates[constrained] >= value:
            best = max(best, rates[dependent])
    return best


RATES = [
    ("precision_at_recall", lambda: metrics.PrecisionAtRecall(recall=0.6), 200, "sensitivity", "precision", 0.6),
    (
        "recall_at_precision",
        lambda: metrics.RecallAtPrecision(0.55, num_thresholds=30),
        30,
        "precision",
        "sensitivity",
        0.55,
    ),
    (
        "sensitivity_at_specificity",
        lambda: metrics.SensitivityAtSpecificity(0.5),
        200,
        "specificity",
        "sensitivity",
        0.5,
    ),
    (
        "specificity_at_sensitivity",
        lambda: metrics.SpecificityAtSensitivity(0.7, num_thresholds=1),
        1,
        "sensitivity",
        "specificity",
        0.7,
    ),
]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name, make, thresholds, constrained, dependent, value", RATES, ids=[r[0] for r in RATES])
def test_rate_at_rate_metrics(engine, name, make, thresholds, constrained, dependent, value, weighted):
    batches = [
        (
            (RNG.uniform(size=16) > 0.5).astype(numpy.float32),
            RNG.uniform(size=16).astype(numpy.float32),
            RNG.uniform(0.2, 1, 16),
        )
        for _ in range(2)
    ]
    got = _accumulate(make(), engine, batches, weighted)
    expected = np_rates_at(*_joined(batches, weighted), thresholds, constrained, dependent, value)
    numpy.testing.assert_allclose(got, expected, rtol=1e-5)


def test_rate_at_rate_with_class_id_reads_one_column():
    y_true = (RNG.uniform(size=(16, 3)) > 0.5).astype(numpy.float32)
    y_pred = RNG.uniform(size=(16, 3)).astype(numpy.float32)
    metric = metrics.PrecisionAtRecall(0.4, class_id=1, num_thresholds=20)
    metric.update_state(y_true, y_pred)
    expected = np_rates_at(y_true[:, 1], y_pred[:, 1], numpy.ones(16), 20, "sensitivity", "precision", 0.4)
    numpy.testing.assert_allclose(result(metric), expected, rtol=1e-5)


# ----- in fit, configs, names, errors -----------------------------------------------------------------


def test_metrics_in_fit_on_both_engines_equal_their_standalone_values(engine):
    rng = numpy.random.default_rng(1)
    x = rng.standard_normal((40, 4)).astype(numpy.float32)
    y = (x[:, :3] > 0).astype(numpy.float32)
    varied = y.min(-1) != y.max(-1)  # a constant row has no correlation (NaN, as in Keras)
    x, y = x[varied][:24], y[varied][:24]
    model = kerasish.Sequential([kerasish.Input((4,)), layers.Dense(3, activation="sigmoid")])
    chosen = [
        metrics.F1Score(average="macro", threshold=0.5),
        metrics.R2Score(),
        metrics.PrecisionAtRecall(0.5),
        metrics.BinaryIoU(),
        metrics.OneHotMeanIoU(num_classes=3),
        metrics.PearsonCorrelation(),
        "concordance_correlation",
    ]
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=chosen, backend=engine)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    predictions = model.predict(x, batch_size=24, verbose=0)
    for metric in chosen[:-1]:
        fresh = type(metric).from_config(metric.get_config())
        fresh.update_state(y, predictions)
        assert numpy.all(numpy.isfinite(result(fresh))), metric.name
        numpy.testing.assert_allclose(logs[metric.name], result(fresh), rtol=1e-4, atol=1e-6, err_msg=metric.name)


ADDED = [
    (metrics.IoU, dict(num_classes=4, target_class_ids=[1, 3], ignore_class=0, sparse_y_pred=False)),
    (metrics.BinaryIoU, dict(target_class_ids=[1], threshold=0.3)),
    (metrics.MeanIoU, dict(num_classes=3, sparse_y_true=False)),
    (metrics.OneHotIoU, dict(num_classes=3, target_class_ids=[2])),
    (metrics.OneHotMeanIoU, dict(num_classes=5, ignore_class=1)),
    (metrics.F1Score, dict(average="micro", threshold=0.4)),
    (metrics.FBetaScore, dict(beta=2.0, average="weighted")),
    (metrics.R2Score, dict(class_aggregation=None, num_regressors=2)),
    (metrics.PearsonCorrelation, dict(axis=0)),
    (metrics.ConcordanceCorrelation, dict(axis=-1)),
    (metrics.PrecisionAtRecall, dict(recall=0.3, num_thresholds=10, class_id=1)),
    (metrics.RecallAtPrecision, dict(precision=0.8)),
    (metrics.SensitivityAtSpecificity, dict(specificity=0.2, num_thresholds=5)),
    (metrics.SpecificityAtSensitivity, dict(sensitivity=0.9)),
]


@pytest.mark.parametrize("cls, kwargs", ADDED, ids=[c.__name__ for c, _ in ADDED])
def test_configs_round_trip_and_names_resolve(cls, kwargs):
    metric = cls(name="mine", **kwargs)
    config = metric.get_config()
    assert config["name"] == "mine" and kwargs.items() <= config.items()
    assert cls.from_config(config).get_config() == config
    assert metrics.deserialize(metrics.serialize(metric)).get_config() == config
    assert metrics.get({"class_name": cls.__name__, "config": config}).get_config() == config
    if "num_classes" not in kwargs and "target_class_ids" not in kwargs and cls not in RATE_CLASSES:
        assert type(metrics.get(cls.__name__)) is cls


RATE_CLASSES = (
    metrics.PrecisionAtRecall,
    metrics.RecallAtPrecision,
    metrics.SensitivityAtSpecificity,
    metrics.SpecificityAtSensitivity,
)


@pytest.mark.parametrize(
    "name",
    [
        "binary_crossentropy",
        "binary_focal_crossentropy",
        "categorical_crossentropy",
        "categorical_focal_crossentropy",
        "categorical_hinge",
        "hinge",
        "huber",
        "kl_divergence",
        "log_cosh",
        "mean_absolute_error",
        "mean_absolute_percentage_error",
        "mean_squared_error",
        "mean_squared_logarithmic_error",
        "poisson",
        "sparse_categorical_crossentropy",
        "squared_hinge",
    ],
)
def test_function_forms_are_the_loss_functions(name):
    assert getattr(metrics, name) is getattr(losses, name)
    assert metrics.deserialize(metrics.serialize(getattr(metrics, name))) is getattr(losses, name)


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda: metrics.IoU(num_classes=3, target_class_ids=[3]),
            r"Target class id 3 is out of range, which is \[0, 3\)",
        ),
        (lambda: metrics.FBetaScore(average="mean"), "Expected one of.*Received: average=mean"),
        (lambda: metrics.FBetaScore(beta=2), "It should be a Python float. Received: beta=2"),
        (lambda: metrics.FBetaScore(beta=-1.0), "It should be > 0. Received: beta=-1.0"),
        (lambda: metrics.F1Score(threshold=1.5), "0 < threshold <= 1. Received: threshold=1.5"),
        (lambda: metrics.R2Score(class_aggregation="median"), "Received: class_aggregation=median"),
        (lambda: metrics.R2Score(num_regressors=-1), "Expected a value >= 0. Received: num_regressors=-1"),
        (lambda: metrics.PrecisionAtRecall(1.5), r"`recall` must be in the range \[0, 1\]. Received: recall=1.5"),
        (lambda: metrics.SensitivityAtSpecificity(0.5, num_thresholds=0), "Received: num_thresholds=0"),
    ],
)
def test_bad_arguments_quote_the_value(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_shapes_name_the_metric_and_the_shapes():
    with pytest.raises(ValueError, match=r"F1Score expects 2D inputs.*y_pred.shape=\(4,\)"):
        metrics.F1Score().update_state(rand(4), rand(4))
    with pytest.raises(ValueError, match=r"R2Score expects 2D inputs.*y_pred.shape=\(2, 3, 4\)"):
        metrics.R2Score().update_state(rand(2, 3, 4), rand(2, 3, 4))
    with pytest.raises(ValueError, match=r"F1Score 'f1_score': result\(\) before any update_state\(\)"):
        metrics.F1Score().result()


def test_a_model_compiled_with_the_added_losses_and_metrics_saves_and_loads(engine, tmp_path):
    rng = numpy.random.default_rng(2)
    x = rng.standard_normal((24, 4)).astype(numpy.float32)
    y = (x[:, :3] > 0).astype(numpy.float32)
    model = kerasish.Sequential([kerasish.Input((4,)), layers.Dense(3, activation="sigmoid")])
    model.compile(
        optimizer="adam",
        loss=losses.Tversky(alpha=0.7, beta=0.3),
        metrics=[
            metrics.F1Score(average="macro"),
            metrics.PrecisionAtRecall(0.4, num_thresholds=30),
            metrics.R2Score(),
            metrics.BinaryIoU(target_class_ids=[1]),
            metrics.OneHotMeanIoU(num_classes=3),
        ],
        backend=engine,
    )
    model.fit(x, y, epochs=1, verbose=0)
    before = model.evaluate(x, y, verbose=0, return_dict=True)
    model.save(tmp_path / "model.keras")
    loaded = kerasish.models.load_model(tmp_path / "model.keras")
    assert loaded.loss.get_config() == model.loss.get_config()
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(before, rel=1e-6)
