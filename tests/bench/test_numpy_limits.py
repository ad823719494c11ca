"""bench/numpy_limits.py's convolutional, recurrent, transformer and ResNet-50 steps are kerasish's arithmetic: the same
logits from the same weights, and the same parameters after one SGD step (no timings)."""

import numpy
import pytest

import kerasish
from tests.bench.scripts import RATE, WORKLOADS, data, numpy_limits


def _random_parameters(name, seed=1):
    """The limit's parameters for `name`, every one random (zero biases and unit gammas would hide mistakes)."""
    workload = WORKLOADS[name]
    parameters = numpy_limits.STEPS[name][0](workload, numpy.random.default_rng(0))
    rng = numpy.random.default_rng(seed)
    return {
        key: (value + rng.standard_normal(value.shape) * 0.1).astype("float32") for key, value in parameters.items()
    }


def _cnn_weights(parameters):
    """The limit's CNN parameters in the order and shapes of the Keras model's weights."""
    return [
        parameters["kernel0"].reshape(3, 3, -1, 32),
        parameters["bias0"],
        parameters["kernel1"].reshape(3, 3, 32, 64),
        parameters["bias1"],
        parameters["w0"],
        parameters["b0"],
    ]


def _transformer_weights(parameters):
    width = parameters["attention_output"].shape[0]
    heads, key_dim = numpy_limits.HEADS, width // numpy_limits.HEADS
    projections = numpy.split(parameters["projection"], 3, axis=1)
    biases = numpy.split(parameters["projection_bias"], 3)
    return [
        *(
            array
            for kernel, bias in zip(projections, biases)
            for array in (kernel.reshape(width, heads, key_dim), bias.reshape(heads, key_dim))
        ),
        parameters["attention_output"].reshape(heads, key_dim, width),
        parameters["attention_output_bias"],
        *(parameters[key] for key in ("gamma0", "beta0", "feed_forward0", "feed_forward_bias0", "feed_forward1")),
        *(parameters[key] for key in ("feed_forward_bias1", "gamma1", "beta1", "w0", "b0")),
    ]


def _recurrent_weights(parameters):
    """The limit's LSTM/GRU parameters as the Keras model's weights (a GRU's two biases as one (2, 3·units))."""
    bias = parameters["bias"]
    if "recurrent_bias" in parameters:
        bias = numpy.stack([bias, parameters["recurrent_bias"]])
    return [parameters["kernel"], parameters["recurrent"], bias, parameters["w0"], parameters["b0"]]


# name: (forward, weights in Keras's order, batch, the indices of weights whose gradient is zero: the key
# projection's bias adds the same amount to each query's scores, which the softmax takes away)
TRAIN = {
    "cnn": (numpy_limits.cnn_forward, _cnn_weights, 4, ()),
    "lstm": (numpy_limits.lstm_forward, _recurrent_weights, 3, ()),
    "gru": (numpy_limits.gru_forward, _recurrent_weights, 3, ()),
    "transformer": (numpy_limits.transformer_forward, _transformer_weights, 2, (3,)),
}
ROUNDING = 1e-5  # float32 parameters of size ~0.3 differ by ~3e-8 per rounding: 3e-6 after dividing by RATE


@pytest.mark.parametrize("name", sorted(TRAIN))
def test_the_train_limits_take_kerasish_s_forward_pass_and_sgd_step(name, engine):
    forward, keras_weights, batch, still = TRAIN[name]
    workload = WORKLOADS[name]
    x, y = data(workload, batch, 1)
    parameters = _random_parameters(name)
    model = workload.build(kerasish)
    model.set_weights(keras_weights(parameters))
    model.compile(
        optimizer=kerasish.optimizers.SGD(RATE),
        loss=kerasish.losses.SparseCategoricalCrossentropy(from_logits=True),
        backend=engine,
    )
    logits = model.predict(x, batch_size=batch, verbose=0)
    numpy.testing.assert_allclose(forward(parameters, x)[0], logits, rtol=1e-4, atol=1e-4 * abs(logits).max())

    before = [array.copy() for array in keras_weights(parameters)]
    model.train_on_batch(x, y)
    numpy_limits.STEPS[name][1](parameters, x, y)
    for index, (old, expected, taken) in enumerate(zip(before, model.get_weights(), keras_weights(parameters))):
        expected_step, taken_step = (old - expected) / RATE, (old - taken) / RATE
        assert (abs(expected_step).max() > 100 * ROUNDING) != (index in still), index  # a lost gradient shows
        tolerance = 1e-3 * abs(expected_step).max() + ROUNDING
        numpy.testing.assert_allclose(taken_step, expected_step, atol=tolerance, err_msg=index)


def _random_resnet50(model, rng, dtype="float32"):
    """Random weights and batch-norm statistics into `model`'s convolutions: {name: Keras's weights, the
    convolution's (kernel, bias) then the batch norm's (gamma, beta, moving mean, moving variance)}."""
    weights = {}
    for name, size, channels, filters in numpy_limits.resnet50_convolutions():
        kernel = rng.standard_normal((size, size, channels, filters)) * numpy.sqrt(2 / (size * size * channels))
        convolution = [kernel, rng.standard_normal(filters) * 0.1]
        batch_norm = [rng.uniform(0.5, 1.5, filters), rng.standard_normal(filters) * 0.1]
        batch_norm += [rng.standard_normal(filters) * 0.1, rng.uniform(0.5, 1.5, filters)]  # moving mean, variance
        model.get_layer(f"{name}_conv").set_weights([array.astype(dtype) for array in convolution])
        model.get_layer(f"{name}_bn").set_weights([array.astype(dtype) for array in batch_norm])
        weights[name] = model.get_layer(f"{name}_conv").get_weights() + model.get_layer(f"{name}_bn").get_weights()
    return weights


# The limit is the same numpy code whichever engine runs the model: the fast tier checks it against the static
# engine (the cheaper here); the dynamic engine's ResNet-50 step runs in the full suite.
ONE_ENGINE_FAST = ["static", pytest.param("dynamic", marks=pytest.mark.slow)]


@pytest.mark.parametrize("engine", ONE_ENGINE_FAST)
def test_the_resnet50_limit_takes_kerasish_s_inference_with_the_batch_norms_folded(engine):
    model = kerasish.applications.ResNet50(weights=None, input_shape=(32, 32, 3), classifier_activation=None)
    parameters = {
        **numpy_limits.fold_batch_norms(_random_resnet50(model, numpy.random.default_rng(2))),
        "predictions": tuple(model.get_layer("predictions").get_weights()),
    }
    model.compile(backend=engine)
    x = numpy.random.default_rng(3).standard_normal((2, 32, 32, 3)).astype("float32")
    logits = model.predict(x, batch_size=2, verbose=0)
    numpy.testing.assert_allclose(numpy_limits.resnet50_logits(parameters, x), logits, atol=1e-4 * abs(logits).max())
    probabilities = numpy_limits.STEPS["resnet50-infer"][1](parameters, x, None)
    numpy.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)


BATCH_NORM_KEYS = ("gamma", "beta", "moving_mean", "moving_variance")


@pytest.mark.parametrize("engine", ONE_ENGINE_FAST)
def test_the_resnet50_training_limit_takes_kerasish_s_sgd_step(engine, monkeypatch):
    """The workload's model (softmax head, loss from logits on it) at 32x32, 10 classes, batch 4, in float64 on
    both sides: a random ResNet-50's training step is ill-conditioned at this size (batch norms over 4 to 64
    values), so the limit's own float32 step differs from its float64 one by up to 5%."""
    kerasish.config.set_floatx("float64")  # the autouse fixture of tests/conftest.py restores it
    monkeypatch.setattr(numpy_limits, "FLOAT", numpy.float64)
    model = kerasish.applications.ResNet50(weights=None, input_shape=(32, 32, 3), classes=10)
    rng = numpy.random.default_rng(4)
    parameters = {}
    for name, (kernel, bias, *batch_norm) in _random_resnet50(model, rng, "float64").items():
        parameters.update({f"{name}_kernel": kernel.reshape(-1, kernel.shape[-1]), f"{name}_bias": bias})
        parameters.update({f"{name}_{key}": value for key, value in zip(BATCH_NORM_KEYS, batch_norm)})
    parameters["w0"], parameters["b0"] = model.get_layer("predictions").get_weights()
    model.compile(
        optimizer=kerasish.optimizers.SGD(RATE),
        loss=kerasish.losses.SparseCategoricalCrossentropy(from_logits=True),
        backend=engine,
    )
    x = rng.standard_normal((4, 32, 32, 3))
    y = rng.integers(0, 10, 4)
    before = {key: value.copy() for key, value in parameters.items()}
    model.train_on_batch(x, y)
    numpy_limits.STEPS["resnet50-train"][1](parameters, x, y)

    def check(key, expected, scale=None):
        """The step taken for `key` against kerasish's, to 1e-6 of `scale` (the step's own size)."""
        expected_step, taken_step = (before[key] - expected) / RATE, (before[key] - parameters[key]) / RATE
        scale = abs(expected_step).max() if scale is None else scale
        assert scale > 1e-6, key  # a lost gradient shows
        numpy.testing.assert_allclose(taken_step, expected_step, atol=1e-6 * scale, err_msg=key)
        return scale

    for name, *_ in numpy_limits.resnet50_convolutions():
        kernel, bias = model.get_layer(f"{name}_conv").get_weights()
        kernel_scale = check(f"{name}_kernel", kernel.reshape(-1, kernel.shape[-1]))
        check(f"{name}_bias", bias, kernel_scale)  # zero but for rounding: the batch norm takes the mean away
        for key, value in zip(BATCH_NORM_KEYS, model.get_layer(f"{name}_bn").get_weights()):
            if key.startswith("moving"):
                numpy.testing.assert_allclose(parameters[f"{name}_{key}"], value, rtol=1e-8, atol=1e-12, err_msg=name)
            else:
                check(f"{name}_{key}", value)
    for key, value in zip(("w0", "b0"), model.get_layer("predictions").get_weights()):
        check(key, value)
