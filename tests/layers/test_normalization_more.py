"""GroupNormalization, RMSNormalization, UnitNormalization and SpectralNormalization."""

import numpy
import pytest

import kerasish
from kerasish import layers
from kerasish.backends.dynamic import Tensor
from tests.layers.keras_file_checks import check_keras_file_round_trip
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs

CASES = [
    (lambda: layers.GroupNormalization(groups=2, dtype="float64"), (2, 3, 4)),
    (lambda: layers.GroupNormalization(groups=-1, axis=1, center=False, dtype="float64"), (2, 4, 3)),
    (lambda: layers.RMSNormalization(dtype="float64"), (2, 3, 4)),
    (lambda: layers.RMSNormalization(axis=(1, 2), dtype="float64"), (2, 3, 4)),
    (lambda: layers.UnitNormalization(dtype="float64"), (2, 3, 4)),
    (lambda: layers.UnitNormalization(axis=[1, 2], dtype="float64"), (2, 3, 4)),
    (lambda: layers.SpectralNormalization(layers.Dense(3, dtype="float64"), dtype="float64"), (2, 4)),
]


@pytest.mark.parametrize("make, input_shape", CASES)
def test_normalization_layers(make, input_shape, engine, tmp_path):
    layer = make()
    x = random_inputs(input_shape)
    check_shapes(layer, x, input_shape[:-1] + (3,) if isinstance(layer, layers.SpectralNormalization) else input_shape)
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)
    check_keras_file_round_trip(layer, x, tmp_path)


def test_group_normalization_normalizes_each_group_of_channels():
    x = random_inputs((3, 5, 6)) * 4 + 2
    y = layers.GroupNormalization(groups=3, epsilon=0, dtype="float64")(x).numpy()
    grouped, normalized = x.reshape(3, 5, 3, 2), y.reshape(3, 5, 3, 2)
    expected = (grouped - grouped.mean((1, 3), keepdims=True)) / grouped.std((1, 3), keepdims=True)
    numpy.testing.assert_allclose(normalized, expected, rtol=1e-8, atol=1e-10)


def test_rms_and_unit_normalization_values():
    x = random_inputs((2, 3, 4))
    rms = layers.RMSNormalization(epsilon=0, dtype="float64")(x).numpy()
    numpy.testing.assert_allclose(rms, x / numpy.sqrt(numpy.mean(x**2, axis=-1, keepdims=True)), rtol=1e-10)
    unit = layers.UnitNormalization(axis=[1, 2], dtype="float64")(x).numpy()
    numpy.testing.assert_allclose(unit, x / numpy.sqrt(numpy.sum(x**2, axis=(1, 2), keepdims=True)), rtol=1e-10)


@pytest.mark.parametrize("wrapped", ["dense", "embedding"])
def test_spectral_normalization_brings_the_largest_singular_value_to_one(wrapped, engine):
    kerasish.utils.set_random_seed(0)
    inner = layers.Dense(6) if wrapped == "dense" else layers.Embedding(9, 6)
    layer = layers.SpectralNormalization(inner, power_iterations=5)
    x = random_inputs((4, 8), dtype="float32") if wrapped == "dense" else numpy.array([[1, 2, 8], [0, 4, 5]])
    layer(x)
    step = (
        (lambda v: layer(v, training=True))
        if engine == "dynamic"
        else kerasish.function(lambda v: layer(v, training=True), engine="static")
    )
    for _ in range(5):
        outputs = step(Tensor(x) if engine == "dynamic" else x)
    assert numpy.asarray(outputs).dtype == numpy.float32
    weight = layer.layer.kernel if wrapped == "dense" else layer.layer.embeddings
    assert abs(numpy.linalg.svd(weight.numpy(), compute_uv=False)[0] - 1) < 1e-3


@pytest.mark.parametrize(
    "make, input_shape, message",
    [
        (lambda: layers.GroupNormalization(groups=0), None, r"groups=0"),
        (
            lambda: layers.GroupNormalization(groups=4, name="probe"),
            (2, 6),
            r"GroupNormalization 'probe'.*\(4\).*\(6\)",
        ),
        (
            lambda: layers.GroupNormalization(groups=8, name="probe"),
            (2, 6),
            r"GroupNormalization 'probe'.*\(8\).*\(6\)",
        ),
        (lambda: layers.RMSNormalization(axis=3, name="probe"), (2, 6), r"RMSNormalization 'probe'.*Axis 3.*\(2, 6\)"),
        (lambda: layers.UnitNormalization(axis="last"), None, r"axis=last"),
        (lambda: layers.SpectralNormalization(layers.Dense(2), power_iterations=0), None, r"power_iterations=0"),
        (lambda: layers.SpectralNormalization(layers.Flatten(), name="probe"), (2, 6), r"Flatten.*'kernel'"),
    ],
)
def test_normalization_errors(make, input_shape, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()(random_inputs(input_shape, dtype="float32"))
