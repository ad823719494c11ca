"""The IoU family, F-scores, R2, the correlations and the rate-at-rate metrics against real Keras 3:
results over two batches, with and without sample weights, and configs (both ways)."""

import os

import numpy
import pytest

from kerasish import metrics

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")


def _batches(kind, seed=1):
    rng = numpy.random.default_rng(seed)
    batches = []
    for _ in range(2):
        if kind == "binary":
            data = (rng.uniform(size=8) > 0.5).astype(numpy.float32), rng.uniform(size=8).astype(numpy.float32)
        elif kind == "sparse":
            data = rng.integers(0, 3, 8), rng.integers(0, 3, 8)
        elif kind == "one_hot":
            data = (
                numpy.eye(3, dtype=numpy.float32)[rng.integers(0, 3, 8)],
                rng.uniform(size=(8, 3)).astype(numpy.float32),
            )
        elif kind == "multilabel":
            data = (
                (rng.uniform(size=(8, 3)) > 0.5).astype(numpy.float32),
                rng.uniform(size=(8, 3)).astype(numpy.float32),
            )
        else:
            data = rng.standard_normal((8, 3)).astype(numpy.float32), rng.standard_normal((8, 3)).astype(numpy.float32)
        weights = rng.integers(0, 3, 8) if kind in ("sparse", "one_hot") else rng.uniform(size=8).astype(numpy.float32)
        batches.append((*data, weights))
    return batches


CASES = [
    ("IoU", dict(num_classes=3, target_class_ids=[0, 2]), "sparse"),
    ("IoU", dict(num_classes=3, target_class_ids=[1], ignore_class=0), "sparse"),
    ("MeanIoU", dict(num_classes=3), "sparse"),
    ("BinaryIoU", dict(threshold=0.3), "binary"),
    ("BinaryIoU", dict(target_class_ids=[1]), "binary"),
    ("OneHotIoU", dict(num_classes=3, target_class_ids=[0, 1]), "one_hot"),
    ("OneHotMeanIoU", dict(num_classes=3), "one_hot"),
    ("F1Score", {}, "multilabel"),
    ("F1Score", dict(average="macro", threshold=0.5), "multilabel"),
    ("FBetaScore", dict(beta=2.0, average="weighted"), "multilabel"),
    ("FBetaScore", dict(beta=0.5, average="micro"), "multilabel"),
    ("R2Score", {}, "regression"),
    ("R2Score", dict(class_aggregation=None), "regression"),
    ("R2Score", dict(class_aggregation="variance_weighted_average", num_regressors=2), "regression"),
    ("PearsonCorrelation", {}, "regression"),
    ("ConcordanceCorrelation", {}, "regression"),
    ("PrecisionAtRecall", dict(recall=0.5), "binary"),
    ("RecallAtPrecision", dict(precision=0.6, num_thresholds=50), "binary"),
    ("SensitivityAtSpecificity", dict(specificity=0.5), "binary"),
    ("SpecificityAtSensitivity", dict(sensitivity=0.7, num_thresholds=1), "binary"),
    ("PrecisionAtRecall", dict(recall=0.3, class_id=1), "multilabel"),
]
IDS = [f"{name}-{index}" for index, (name, _, _) in enumerate(CASES)]


@pytest.mark.slow
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name, kwargs, kind", CASES, ids=IDS)
def test_results_match_keras(name, kwargs, kind, weighted):
    theirs, ours = getattr(keras.metrics, name)(**kwargs), getattr(metrics, name)(**kwargs)
    for y_true, y_pred, weights in _batches(kind):
        for metric in (theirs, ours):
            metric.update_state(y_true, y_pred, sample_weight=weights if weighted else None)
    numpy.testing.assert_allclose(numpy.asarray(ours.result()), numpy.asarray(theirs.result()), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, kwargs, kind", CASES, ids=IDS)
def test_configs_match_keras(name, kwargs, kind):
    theirs = getattr(keras.metrics, name)(name="probe", **kwargs).get_config()  # not auto-numbered names
    ours = getattr(metrics, name)(name="probe", **kwargs).get_config()
    assert set(ours) == set(theirs)
    assert {key: value for key, value in ours.items() if key != "dtype"} == {
        key: value for key, value in theirs.items() if key != "dtype"
    }
    assert str(ours["dtype"]) == str(theirs["dtype"])
    assert getattr(metrics, name).from_config(theirs).get_config() == ours


@pytest.mark.parametrize("name", ["pearson_correlation", "concordance_correlation", "huber", "log_cosh"])
def test_function_forms_match_keras(name):
    y_true, y_pred, _ = _batches("regression")[0]
    expected = numpy.asarray(getattr(keras.metrics, name)(y_true, y_pred))
    numpy.testing.assert_allclose(getattr(metrics, name)(y_true, y_pred).numpy(), expected, rtol=1e-5, atol=1e-6)
