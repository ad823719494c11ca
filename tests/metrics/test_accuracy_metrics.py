"""Accuracy metrics against counts done by hand in numpy, over several batches and both engines."""

import numpy

from kerasish import metrics

from .helpers import rand, result, updater


def _labels(count, classes, seed):
    return numpy.random.default_rng(seed).integers(0, classes, count)


def _batches(classes=5, seed=0):
    return [(_labels(6, classes, seed + i), rand(6, classes, seed=seed + 10 + i)) for i in range(2)]


def test_sparse_categorical_accuracy_with_weights(engine):
    metric = metrics.SparseCategoricalAccuracy()
    update = updater(metric, engine)
    hits, weights_all = [], []
    for labels, scores in _batches():
        weights = rand(6, seed=int(labels.sum()))
        update(labels[:, None].astype(numpy.float32), scores, sample_weight=weights)
        hits.append(scores.argmax(-1) == labels)
        weights_all.append(weights)
    hits, weights = numpy.concatenate(hits), numpy.concatenate(weights_all)
    numpy.testing.assert_allclose(result(metric), (hits * weights).sum() / weights.sum(), rtol=1e-6)
    metric.reset_state()
    assert float(result(metric)) == 0.0


def test_categorical_accuracy(engine):
    metric = metrics.CategoricalAccuracy()
    update = updater(metric, engine)
    hits = []
    for labels, scores in _batches(4, seed=3):
        update(numpy.eye(4, dtype=numpy.float32)[labels], scores)
        hits.append(scores.argmax(-1) == labels)
    numpy.testing.assert_allclose(result(metric), numpy.concatenate(hits).mean(), rtol=1e-6)


def test_binary_accuracy_threshold(engine):
    metric = metrics.BinaryAccuracy(threshold=0.7)
    y_true = (rand(8, 1, seed=1) > 0.5).astype(numpy.float32)
    y_pred = rand(8, 1, seed=2)
    updater(metric, engine)(y_true, y_pred)
    numpy.testing.assert_allclose(result(metric), ((y_pred > 0.7) == (y_true > 0.5)).mean(), rtol=1e-6)


def test_accuracy_counts_exact_matches(engine):
    metric = metrics.Accuracy()
    updater(metric, engine)(numpy.array([1, 2, 3, 4], numpy.float32), numpy.array([1, 2, 0, 4], numpy.float32))
    numpy.testing.assert_allclose(result(metric), 0.75)


def _top_k_hits(labels, scores, k):
    label_scores = scores[numpy.arange(len(labels)), labels]
    return (scores > label_scores[:, None]).sum(-1) < k


def test_top_k_categorical_accuracies(engine):
    dense, sparse = metrics.TopKCategoricalAccuracy(k=2), metrics.SparseTopKCategoricalAccuracy(k=2)
    update_dense, update_sparse = updater(dense, engine), updater(sparse, engine)
    hits = []
    for labels, scores in _batches(6, seed=7):
        update_dense(numpy.eye(6, dtype=numpy.float32)[labels], scores)
        update_sparse(labels.astype(numpy.int32), scores)
        hits.append(_top_k_hits(labels, scores, 2))
    expected = numpy.concatenate(hits).mean()
    assert 0 < expected < 1
    numpy.testing.assert_allclose(result(dense), expected, rtol=1e-6)
    numpy.testing.assert_allclose(result(sparse), expected, rtol=1e-6)


def test_top_k_default_and_ties_at_the_boundary():
    metric = metrics.SparseTopKCategoricalAccuracy()
    assert metric.k == 5 and metric.name == "sparse_top_k_categorical_accuracy"
    tied = metrics.SparseTopKCategoricalAccuracy(k=1)
    tied.update_state(numpy.array([1]), numpy.array([[0.5, 0.5, 0.0]], numpy.float32))
    numpy.testing.assert_allclose(result(tied), 1.0)


def test_configs():
    assert metrics.BinaryAccuracy(threshold=0.3).get_config() == {
        "name": "binary_accuracy",
        "dtype": "float32",
        "threshold": 0.3,
    }
    assert metrics.TopKCategoricalAccuracy(k=3).get_config() == {
        "name": "top_k_categorical_accuracy",
        "dtype": "float32",
        "k": 3,
    }
    again = metrics.TopKCategoricalAccuracy.from_config(metrics.TopKCategoricalAccuracy(k=3, name="top3").get_config())
    assert (again.k, again.name) == (3, "top3")
