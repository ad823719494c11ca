"""The collective primitive and the gradient buckets in one process, with a stand-in communicator that
plays a job of two identical processes (a sum doubles, a mean is the value itself) and records calls."""

import numpy
import pytest

import kerasish
from kerasish import distribution, layers, ops
from kerasish.backends.primitives import collective
from kerasish.distribution import collectives


class TwinProcesses:
    rank, size = 0, 2

    def __init__(self):
        self.calls = []

    def allreduce(self, array, op):
        self.calls.append((array.shape, op))
        return array * 2 if op == "sum" else array.copy()

    def broadcast(self, array, root=0):
        return numpy.array(array, copy=True)

    def broadcast_object(self, value, root=0):
        return value

    def allgather_object(self, value):
        return [value, value]


@pytest.fixture
def twins():
    communicator = TwinProcesses()
    collective.install_communicator(communicator)
    yield communicator
    distribution.set_distribution(None)
    collective.install_communicator(None)


def _model():
    kerasish.utils.set_random_seed(3)
    return kerasish.Sequential([kerasish.Input((4,)), layers.Dense(5), layers.Dense(2)])


@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_gradients_are_reduced_in_buckets_once_per_step(twins, engine, monkeypatch):
    monkeypatch.setattr(collectives, "BUCKET_BYTES", 24 * 4)  # kernel (4,5) alone; bias 5 + kernel 10 + bias 2
    distribution.set_distribution(distribution.DataParallel())
    model = _model()
    model.compile(optimizer="sgd", loss="mse", backend=engine)
    x, y = numpy.ones((8, 4), "float32"), numpy.zeros((8, 2), "float32")
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    gradient_calls = [call for call in twins.calls if call[1] == "mean"]
    assert gradient_calls == [((20,), "mean"), ((17,), "mean")] * 2  # two steps, two buckets each
    assert len([call for call in twins.calls if call[1] == "sum"]) == 2  # the metrics, once per step


@pytest.mark.parametrize("with_distribution", [False, True])
@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_the_static_plan_replays_the_allreduce(twins, engine, with_distribution):
    # DistributedOptimizer reduces once, also where the optimizer would reduce under a distribution
    if with_distribution:
        distribution.set_distribution(distribution.DataParallel())
    model = _model()
    optimizer = distribution.DistributedOptimizer(kerasish.optimizers.SGD(0.1))

    def step(x):
        with kerasish.GradientTape() as tape:
            loss = ops.sum(model(x))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
        return loss

    step = kerasish.function(step) if engine == "static" else step
    for _ in range(3):
        step(numpy.ones((2, 4), "float32"))
    assert twins.calls == [((37,), "mean")] * 3


@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_the_gradient_of_an_allreduce_is_the_allreduce_of_the_gradient(twins, engine):
    x = kerasish.Variable(numpy.arange(3.0, dtype="float32"))

    def gradient():
        with kerasish.GradientTape() as tape:
            total = ops.sum(distribution.allreduce(x, op="sum") * ops.convert_to_tensor([1.0, 2.0, 3.0]))
        return tape.gradient(total, [x])[0]

    found = (kerasish.function(gradient) if engine == "static" else gradient)()
    numpy.testing.assert_allclose(ops.convert_to_numpy(found), [2.0, 4.0, 6.0])


def test_synchronized_moments_of_identical_processes_are_the_local_moments(twins):
    x = numpy.random.default_rng(0).normal(size=(6, 3, 4)).astype("float32")
    mean, variance = ops.moments(x, axes=(0, 1), synchronized=True)
    numpy.testing.assert_allclose(ops.convert_to_numpy(mean), x.mean(axis=(0, 1)), atol=1e-6)
    numpy.testing.assert_allclose(ops.convert_to_numpy(variance), x.var(axis=(0, 1)), atol=1e-5)
    assert twins.calls == [((3, 4), "sum")]


def test_synchronized_moments_in_one_process_are_the_moments():
    x = numpy.random.default_rng(1).normal(size=(5, 2)).astype("float32")
    mean, variance = ops.moments(x, axes=0, synchronized=True)
    numpy.testing.assert_allclose(ops.convert_to_numpy(variance), x.var(axis=0), atol=1e-6)


def test_a_last_batch_smaller_than_the_number_of_processes_is_an_error(twins):
    distribution.set_distribution(distribution.DataParallel())
    model = _model()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(
        ValueError,
        match=r"the last batch of the data has 1 samples \(5 samples in batches of 2\), "
        "fewer than the 2 processes",
    ):
        model.fit(numpy.ones((5, 4), "float32"), numpy.ones((5, 2), "float32"), batch_size=2, verbose=0)


def test_an_unknown_allreduce_op_is_an_error(twins):
    with pytest.raises(ValueError, match=r"allreduce: `op` must be one of \('sum', 'mean'\), received 'max'"):
        distribution.allreduce(numpy.ones(2, "float32"), op="max")


def test_model_parallelism_is_refused_clearly():
    with pytest.raises(NotImplementedError, match="data parallelism only"):
        distribution.ModelParallel(layout_map=None)
    with pytest.raises(NotImplementedError, match="data parallelism only"):
        distribution.LayoutMap()


def test_set_distribution_takes_a_data_parallel_or_none():
    with pytest.raises(ValueError, match="expected a DataParallel or None, received 'mesh'"):
        distribution.set_distribution("mesh")


def test_a_data_parallel_mesh_must_have_one_device_per_process(twins):
    with pytest.raises(ValueError, match=r"3 devices .* were given, but the job has 2 processes"):
        distribution.DataParallel(devices=["cpu:0", "cpu:1", "cpu:2"])
    assert distribution.list_devices() == ["cpu:0", "cpu:1"]
