"""kerasish.metrics.get/serialize/deserialize and the loss-named metrics."""

import numpy
import pytest

from kerasish import losses, metrics

from .helpers import rand, result, updater


@pytest.mark.parametrize(
    "name, cls",
    [
        ("mse", metrics.MeanSquaredError),
        ("mae", metrics.MeanAbsoluteError),
        ("mape", metrics.MeanAbsolutePercentageError),
        ("msle", metrics.MeanSquaredLogarithmicError),
        ("bce", metrics.BinaryCrossentropy),
        ("auc", metrics.AUC),
        ("AUC", metrics.AUC),
        ("binary_crossentropy", metrics.BinaryCrossentropy),
        ("root_mean_squared_error", metrics.RootMeanSquaredError),
        ("Precision", metrics.Precision),
        ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
    ],
)
def test_get_instantiates_the_named_metric(name, cls):
    assert type(metrics.get(name)) is cls


def test_get_passes_functions_and_instances_and_configs_through():
    assert metrics.get(losses.mean_squared_error) is losses.mean_squared_error
    mean = metrics.Mean()
    assert metrics.get(mean) is mean
    assert metrics.get(None) is None
    configured = metrics.get({"class_name": "BinaryAccuracy", "config": {"threshold": 0.2}})
    assert configured.threshold == 0.2


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match=r"Could not interpret metric identifier: 'acuracy'.*accuracy"):
        metrics.get("acuracy")


@pytest.mark.parametrize(
    "cls, fn",
    [
        (metrics.MeanSquaredError, losses.mean_squared_error),
        (metrics.MeanAbsoluteError, losses.mean_absolute_error),
        (metrics.KLDivergence, losses.kl_divergence),
        (metrics.Hinge, losses.hinge),
        (metrics.BinaryCrossentropy, losses.binary_crossentropy),
    ],
)
def test_loss_named_metrics_average_the_loss(engine, cls, fn):
    metric = cls()
    update = updater(metric, engine)
    first, second = (rand(4, 3, seed=1), rand(4, 3, seed=2)), (rand(4, 3, seed=3), rand(4, 3, seed=4))
    update(*first)
    update(*second)
    expected = numpy.concatenate([numpy.asarray(fn(*first)), numpy.asarray(fn(*second))]).mean()
    numpy.testing.assert_allclose(result(metric), expected, rtol=1e-5)


def test_root_mean_squared_error(engine):
    metric = metrics.RootMeanSquaredError()
    y_true, y_pred, weights = rand(6, 2, seed=1), rand(6, 2, seed=2), rand(6, seed=3)
    updater(metric, engine)(y_true, y_pred, sample_weight=weights)
    squared = ((y_pred - y_true) ** 2).mean(-1)
    numpy.testing.assert_allclose(result(metric), numpy.sqrt((squared * weights).sum() / weights.sum()), rtol=1e-5)
    keras_doc = metrics.RootMeanSquaredError()
    keras_doc.update_state(numpy.array([[0, 1], [0, 0]]), numpy.array([[1, 1], [0, 0]]), sample_weight=[1, 0])
    numpy.testing.assert_allclose(result(keras_doc), 0.70710677, rtol=1e-6)


def test_serialize_round_trips():
    wrapper = metrics.MeanMetricWrapper(losses.huber, name="huber_metric", delta=0.5)
    restored = metrics.deserialize(metrics.serialize(wrapper))
    assert restored._fn is losses.huber and restored._fn_kwargs == {"delta": 0.5} and restored.name == "huber_metric"
    serialized = metrics.serialize(metrics.AUC(curve="PR"))
    assert serialized["module"] == "keras.metrics" and serialized["class_name"] == "AUC"
    assert metrics.deserialize(serialized).curve == "PR"


def test_directions_follow_keras():
    from kerasish import metrics

    up = [
        "Accuracy",
        "BinaryAccuracy",
        "CategoricalAccuracy",
        "SparseCategoricalAccuracy",
        "TopKCategoricalAccuracy",
        "SparseTopKCategoricalAccuracy",
        "TruePositives",
        "TrueNegatives",
        "Precision",
        "Recall",
        "AUC",
        "CosineSimilarity",
    ]
    down = [
        "FalsePositives",
        "FalseNegatives",
        "BinaryCrossentropy",
        "CategoricalCrossentropy",
        "SparseCategoricalCrossentropy",
        "KLDivergence",
        "Poisson",
        "Hinge",
        "SquaredHinge",
        "CategoricalHinge",
        "MeanSquaredError",
        "MeanAbsoluteError",
        "MeanAbsolutePercentageError",
        "MeanSquaredLogarithmicError",
        "LogCoshError",
        "RootMeanSquaredError",
    ]
    assert {name: getattr(metrics, name)._direction for name in up + down} == {
        **{name: "up" for name in up},
        **{name: "down" for name in down},
    }
    assert not hasattr(metrics.Mean(), "_direction")
