"""TP/FP/TN/FN, Precision, Recall and AUC against confusion counts computed in numpy."""

import numpy
import pytest

from kerasish import metrics
from kerasish.backend import epsilon

from .helpers import rand, result, updater


def _counts(y_true, y_pred, thresholds, weights=None):
    """Weighted TP, FP, TN, FN per threshold: a prediction is positive when greater than the threshold."""
    y_true, y_pred = y_true.reshape(-1).astype(bool), y_pred.reshape(-1)
    weights = numpy.ones_like(y_pred) if weights is None else numpy.broadcast_to(weights, y_pred.shape).reshape(-1)
    rows = []
    for t in thresholds:
        positive = y_pred > t
        rows.append(
            [
                (weights * (y_true & positive)).sum(),
                (weights * (~y_true & positive)).sum(),
                (weights * (~y_true & ~positive)).sum(),
                (weights * (y_true & ~positive)).sum(),
            ]
        )
    return numpy.array(rows).T


def _data(seed=0, count=20):
    y_true = (rand(count, seed=seed) > 0.5).astype(numpy.float32)
    y_pred = numpy.clip(y_true * 0.3 + rand(count, seed=seed + 1) * 0.7, 0, 1).astype(numpy.float32)
    return y_true, y_pred


@pytest.mark.parametrize(
    "cls, row",
    [(metrics.TruePositives, 0), (metrics.FalsePositives, 1), (metrics.TrueNegatives, 2), (metrics.FalseNegatives, 3)],
)
def test_confusion_counts_over_two_batches(engine, cls, row):
    single, several = cls(), cls(thresholds=[0.2, 0.5, 0.8])
    update_single, update_several = updater(single, engine), updater(several, engine)
    batches = [_data(0), _data(5)]
    for y_true, y_pred in batches:
        weights = rand(20, seed=9)
        update_single(y_true, y_pred, sample_weight=weights)
        update_several(y_true, y_pred, sample_weight=weights)
    expected = sum(_counts(t, p, [0.2, 0.5, 0.8], rand(20, seed=9)) for t, p in batches)[row]
    numpy.testing.assert_allclose(result(several), expected, rtol=1e-5)
    numpy.testing.assert_allclose(result(single), expected[1], rtol=1e-5)
    several.reset_state()
    numpy.testing.assert_allclose(result(several), [0, 0, 0])


def test_precision_and_recall(engine):
    precision, recall = metrics.Precision(), metrics.Recall(thresholds=[0.3, 0.6])
    update_precision, update_recall = updater(precision, engine), updater(recall, engine)
    batches = [_data(1), _data(2)]
    for y_true, y_pred in batches:
        update_precision(y_true, y_pred)
        update_recall(y_true, y_pred)
    tp, fp, _, fn = sum(_counts(t, p, [0.5]) for t, p in batches)
    numpy.testing.assert_allclose(result(precision), tp[0] / (tp[0] + fp[0]), rtol=1e-6)
    tp, fp, _, fn = sum(_counts(t, p, [0.3, 0.6]) for t, p in batches)
    numpy.testing.assert_allclose(result(recall), tp / (tp + fn), rtol=1e-6)


def test_precision_with_top_k_and_class_id(engine):
    y_true = numpy.array([[0, 1, 0, 1], [1, 0, 0, 0], [0, 0, 1, 1]], numpy.float32)
    y_pred = numpy.array([[0.1, 0.8, 0.6, 0.2], [0.3, 0.9, 0.2, 0.1], [0.7, 0.1, 0.5, 0.4]], numpy.float32)
    top_2 = metrics.Precision(top_k=2)
    updater(top_2, engine)(y_true, y_pred)
    # top 2 per row: {1, 2}, {1, 0}, {0, 2}: 3 of the 6 are labelled positive
    numpy.testing.assert_allclose(result(top_2), 3 / 6, rtol=1e-6)
    class_2 = metrics.Recall(class_id=2)
    updater(class_2, engine)(y_true, y_pred)
    # class 2 is positive in row 2 only, predicted 0.5 > 0.5 is false: recall 0
    numpy.testing.assert_allclose(result(class_2), 0.0)
    class_1 = metrics.Precision(class_id=1)
    updater(class_1, engine)(y_true, y_pred)
    numpy.testing.assert_allclose(result(class_1), 1 / 2, rtol=1e-6)


def _keras_auc(tp, fp, tn, fn, curve, summation):
    """Keras's AUC formulas, written out in numpy."""
    div = lambda a, b: numpy.divide(a, b, out=numpy.zeros_like(a), where=b != 0)  # noqa: E731
    if curve == "PR" and summation == "interpolation":
        d_tp = tp[:-1] - tp[1:]
        p = tp + fp
        d_p = p[:-1] - p[1:]
        slope = div(d_tp, numpy.maximum(d_p, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = numpy.where((p[:-1] > 0) & (p[1:] > 0), div(p[:-1], numpy.maximum(p[1:], 0)), 1.0)
        return div(slope * (d_tp + intercept * numpy.log(ratio)), numpy.maximum(tp[1:] + fn[1:], 0)).sum()
    recall = div(tp, tp + fn)
    x, y = (div(fp, fp + tn), recall) if curve == "ROC" else (recall, div(tp, tp + fp))
    heights = {
        "interpolation": (y[:-1] + y[1:]) / 2,
        "minoring": numpy.minimum(y[:-1], y[1:]),
        "majoring": numpy.maximum(y[:-1], y[1:]),
    }[summation]
    return ((x[:-1] - x[1:]) * heights).sum()


@pytest.mark.parametrize(
    "curve, summation",
    [("ROC", "interpolation"), ("ROC", "minoring"), ("ROC", "majoring"), ("PR", "interpolation"), ("PR", "majoring")],
)
def test_auc_matches_the_keras_formulas(engine, curve, summation):
    auc = metrics.AUC(num_thresholds=50, curve=curve, summation_method=summation)
    update = updater(auc, engine)
    batches = [_data(3, 40), _data(4, 40)]
    weights = rand(40, seed=11)
    for y_true, y_pred in batches:
        update(y_true, y_pred, sample_weight=weights)
    thresholds = [-epsilon()] + [(i + 1) / 49 for i in range(48)] + [1 + epsilon()]
    counts = sum(_counts(t, p, thresholds, weights) for t, p in batches)
    numpy.testing.assert_allclose(result(auc), _keras_auc(*counts, curve, summation), rtol=1e-5)


def test_roc_auc_is_close_to_the_exact_area():
    y_true, y_pred = _data(6, 200)
    auc = metrics.AUC()
    auc.update_state(y_true, y_pred)
    positives, negatives = y_pred[y_true == 1], y_pred[y_true == 0]
    exact = (positives[:, None] > negatives[None, :]).mean() + 0.5 * (positives[:, None] == negatives[None, :]).mean()
    assert abs(float(result(auc)) - exact) < 0.01
    perfect = metrics.AUC()
    perfect.update_state(numpy.array([0, 0, 1, 1]), numpy.array([0.1, 0.2, 0.8, 0.9], numpy.float32))
    numpy.testing.assert_allclose(result(perfect), 1.0, rtol=1e-6)


def test_auc_multi_label_and_from_logits():
    y_true = (rand(30, 3, seed=1) > 0.5).astype(numpy.float32)
    logits = (y_true - 0.5) * 2 + rand(30, 3, seed=2, low=-1.5, high=1.5)
    auc = metrics.AUC(multi_label=True, from_logits=True, num_thresholds=20)
    auc.update_state(y_true, logits)
    probabilities = 1 / (1 + numpy.exp(-logits))
    thresholds = [-epsilon()] + [(i + 1) / 19 for i in range(18)] + [1 + epsilon()]
    per_label = [
        _keras_auc(*_counts(y_true[:, j], probabilities[:, j], thresholds), "ROC", "interpolation") for j in range(3)
    ]
    numpy.testing.assert_allclose(result(auc), numpy.mean(per_label), rtol=1e-5)


def test_bad_arguments_are_errors():
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]. Received: \[1.5\]"):
        metrics.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="Invalid AUC curve value: 'XY'"):
        metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="class_id is provided"):
        metrics.Precision(class_id=1).update_state(numpy.ones(3), numpy.ones(3, numpy.float32))


def test_configs_round_trip():
    precision = metrics.Precision(thresholds=[0.2, 0.4], top_k=None, class_id=1, name="p")
    assert precision.get_config() == {
        "name": "p",
        "dtype": "float32",
        "thresholds": [0.2, 0.4],
        "top_k": None,
        "class_id": 1,
    }
    auc = metrics.AUC.from_config(metrics.AUC(num_thresholds=30, curve="pr", name="pr_auc").get_config())
    assert (auc.num_thresholds, auc.curve, auc.name) == (30, "PR", "pr_auc")
    assert metrics.AUC(thresholds=[0.25, 0.5, 0.75]).get_config()["thresholds"] == [0.25, 0.5, 0.75]


@pytest.mark.slow
def test_matches_keras_when_installed():
    keras = pytest.importorskip("keras")
    y_true, y_pred = _data(8, 50)
    for ours, theirs in (
        (metrics.AUC(), keras.metrics.AUC()),
        (metrics.AUC(curve="PR"), keras.metrics.AUC(curve="PR")),
        (metrics.Precision(top_k=1), keras.metrics.Precision(top_k=1)),
    ):
        ours.update_state(y_true[None], y_pred[None])
        theirs.update_state(y_true[None], y_pred[None])
        numpy.testing.assert_allclose(result(ours), numpy.asarray(theirs.result()), rtol=1e-5)


def test_auc_argument_errors():
    with pytest.raises(ValueError, match="Invalid AUC summation_method value: 'trapezoid'"):
        metrics.AUC(summation_method="trapezoid")
    with pytest.raises(ValueError, match="`num_labels` is needed only when `multi_label` is True"):
        metrics.AUC(num_labels=3)
    with pytest.raises(ValueError, match=r"AUC 'auc_rank': `y_pred` must have rank 2.*\(4, 2, 2\)"):
        metrics.AUC(multi_label=True, name="auc_rank").update_state(
            numpy.ones((4, 2, 2)), numpy.ones((4, 2, 2), numpy.float32)
        )
