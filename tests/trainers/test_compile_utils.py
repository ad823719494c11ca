import pytest

from kerasish import losses, metrics
from kerasish.backends.symbolic import KerasTensor
from kerasish.trainers.compile_utils import CompileLoss, CompileMetrics, get_loss, get_metric


def tensor(*shape):
    return KerasTensor(shape)


@pytest.mark.parametrize(
    "true_shape, pred_shape, kind",
    [
        ((None, 1), (None, 1), metrics.BinaryAccuracy),
        ((None,), (None, 5), metrics.SparseCategoricalAccuracy),
        ((None, 1), (None, 5), metrics.SparseCategoricalAccuracy),
        ((None, 5), (None, 5), metrics.CategoricalAccuracy),
    ],
)
def test_accuracy_is_chosen_from_the_shapes(true_shape, pred_shape, kind):
    for name in ("accuracy", "acc"):
        metric = get_metric(name, tensor(*true_shape), tensor(*pred_shape))
        assert type(metric) is kind and metric.name == name


@pytest.mark.parametrize(
    "true_shape, pred_shape, function",
    [
        ((None, 1), (None, 1), "binary_crossentropy"),
        ((None,), (None, 5), "sparse_categorical_crossentropy"),
        ((None, 5), (None, 5), "categorical_crossentropy"),
    ],
)
def test_crossentropy_is_chosen_from_the_shapes(true_shape, pred_shape, function):
    loss = get_loss("crossentropy", tensor(*true_shape), tensor(*pred_shape))
    assert isinstance(loss, losses.Loss) and loss.fn is getattr(losses, function) and loss.name == "crossentropy"


def test_metric_functions_are_wrapped_and_named_per_output():
    metric = get_metric("mae", tensor(None, 2), tensor(None, 2), output_name="head")
    assert isinstance(metric, metrics.Metric) and metric.name == "head_mae"


def test_loss_dict_with_an_unknown_output_is_an_error_naming_the_outputs():
    loss = CompileLoss({"nope": "mse"}, None, ["left", "right"])
    with pytest.raises(ValueError, match=r"keys \['nope'\].*outputs are \['left', 'right'\]"):
        loss.build([tensor(None, 1), tensor(None, 1)], [tensor(None, 1), tensor(None, 1)])


def test_loss_list_of_the_wrong_length_is_an_error():
    loss = CompileLoss(["mse"] * 3, None, ["left", "right"])
    with pytest.raises(ValueError, match="list of 3 entries but the model has 2 outputs"):
        loss.build([tensor(None, 1)] * 2, [tensor(None, 1)] * 2)


def test_metrics_must_be_a_list_or_dict():
    with pytest.raises(ValueError, match="Expected `metrics` argument to be a list, tuple, or dict"):
        CompileMetrics("accuracy", None, ["out"])


def test_a_flat_metric_list_for_several_outputs_is_an_error():
    compiled = CompileMetrics(["mae"], None, ["left", "right"])
    with pytest.raises(ValueError, match="list of 1 entries but the model has 2 outputs"):
        compiled.build([tensor(None, 1)] * 2, [tensor(None, 1)] * 2)
