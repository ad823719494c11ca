"""Mean, Sum and MeanMetricWrapper: running totals over several updates, weights, reset."""

import numpy
import pytest

from kerasish import losses, metrics

from .helpers import rand, result, updater


def test_mean_accumulates_weighted_values_over_updates(engine):
    mean = metrics.Mean()
    update = updater(mean, engine)
    batches = [(rand(4, seed=1), rand(4, seed=2)), (rand(4, seed=3), rand(4, seed=4))]
    for values, weights in batches:
        update(values, sample_weight=weights)
    values = numpy.concatenate([b[0] for b in batches])
    weights = numpy.concatenate([b[1] for b in batches])
    numpy.testing.assert_allclose(result(mean), (values * weights).sum() / weights.sum(), rtol=1e-6)
    assert result(mean).dtype == numpy.float32
    mean.reset_state()
    assert float(result(mean)) == 0.0
    update(numpy.array([2.0, 4.0], numpy.float32)[:2].repeat(2), sample_weight=numpy.ones(4, numpy.float32))
    numpy.testing.assert_allclose(result(mean), 3.0)


def test_mean_of_unweighted_matrices_averages_each_row_first(engine):
    mean = metrics.Mean()
    values = rand(3, 4, seed=5)
    updater(mean, engine)(values)
    numpy.testing.assert_allclose(result(mean), values.mean(), rtol=1e-6)


def test_mean_with_a_scalar_weight_counts_it_as_samples():
    mean = metrics.Mean(name="loss")
    mean.update_state(2.0, sample_weight=4)
    mean.update_state(5.0, sample_weight=2)
    numpy.testing.assert_allclose(result(mean), (2.0 * 4 + 5.0 * 2) / 6, rtol=1e-6)


@pytest.mark.parametrize("weight", [8, 0.1])
def test_a_scalar_weighed_by_a_number_adds_what_the_same_weight_as_an_array_adds(engine, weight):
    """The loss tracker's update (a scalar loss, the batch size as a Python number) takes a shorter path; its
    total and count are the same bits as with the weight given as a float32 array."""
    by_number, by_array = metrics.Mean(), metrics.Mean()
    update_by_number, update_by_array = updater(by_number, engine), updater(by_array, engine)
    for value in (0.3, 1.7, -2.25):
        update_by_number(numpy.float32(value), sample_weight=weight)
        update_by_array(numpy.float32(value), sample_weight=numpy.float32(weight))
    for mine, theirs in zip(by_number.variables, by_array.variables):
        assert numpy.asarray(mine).tobytes() == numpy.asarray(theirs).tobytes()
    assert result(by_number).tobytes() == result(by_array).tobytes()


def test_a_scalar_weighed_by_a_number_is_one_accumulate_op_run_eagerly(monkeypatch):
    """The loss tracker's update on every eager step: the total's multiply and add as one op."""
    from kerasish.metrics import reduction_metrics

    calls = []
    original = reduction_metrics.accumulate
    monkeypatch.setattr(reduction_metrics, "accumulate", lambda *inputs: calls.append(inputs) or original(*inputs))
    mean = metrics.Mean()
    mean.update_state(numpy.float32(0.5), sample_weight=8)
    mean.update_state(numpy.float32(1.5), sample_weight=4)
    assert len(calls) == 2
    assert (float(mean.total.numpy()), float(mean.count.numpy())) == (10.0, 12.0)
    assert result(mean) == numpy.float32(10.0) / numpy.float32(12.0)


def test_sum_adds_weighted_values(engine):
    total = metrics.Sum()
    update = updater(total, engine)
    update(numpy.array([1.0, 2.0, 3.0], numpy.float32), sample_weight=numpy.array([1.0, 0.0, 2.0], numpy.float32))
    update(numpy.array([1.0, 2.0, 3.0], numpy.float32), sample_weight=numpy.array([1.0, 1.0, 1.0], numpy.float32))
    numpy.testing.assert_allclose(result(total), 7.0 + 6.0)
    total.reset_state()
    assert float(result(total)) == 0.0


def test_mean_metric_wrapper_averages_a_function_per_sample(engine):
    wrapper = metrics.MeanMetricWrapper(losses.mean_absolute_error, name="mae")
    update = updater(wrapper, engine)
    y_true, y_pred, weights = rand(5, 3, seed=1), rand(5, 3, seed=2), rand(5, seed=3)
    update(y_true, y_pred, sample_weight=weights)
    update(y_true, y_pred * 2.0, sample_weight=weights)
    first = numpy.abs(y_true - y_pred).mean(-1)
    second = numpy.abs(y_true - 2 * y_pred).mean(-1)
    expected = ((first + second) * weights).sum() / (2 * weights.sum())
    numpy.testing.assert_allclose(result(wrapper), expected, rtol=1e-5)


def test_state_lives_in_non_trainable_variables_named_like_keras():
    mean = metrics.Mean(name="my_mean")
    assert [v.name for v in mean.variables] == ["total", "count"]
    assert not any(v.trainable for v in mean.variables)
    assert mean.get_config() == {"name": "my_mean", "dtype": "float32"}


@pytest.mark.parametrize("cls, name", [(metrics.Mean, "mean"), (metrics.Sum, "sum")])
def test_default_names(cls, name):
    assert cls().name == name
