import numpy
import pytest

from kerasish import layers
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs

A, B = random_inputs((2, 3), 0), random_inputs((2, 3), 1)
CASES = [
    (layers.Add, A + B),
    (layers.Subtract, A - B),
    (layers.Multiply, A * B),
    (layers.Average, (A + B) / 2),
    (layers.Maximum, numpy.maximum(A, B)),
    (layers.Minimum, numpy.minimum(A, B)),
    (layers.Concatenate, numpy.concatenate([A, B], -1)),
]


@pytest.mark.parametrize("cls, expected", CASES)
def test_merge_layers(cls, expected, engine):
    layer = cls(dtype="float64")
    y = check_shapes(layer, [A, B], expected.shape)
    numpy.testing.assert_allclose(y.numpy(), expected, rtol=1e-12)
    check_config_round_trip(layer, [A, B])
    check_gradients(layer, [A, B], engine)


@pytest.mark.parametrize(
    "axes, shapes, output_shape",
    [
        (1, [(2, 3), (2, 3)], (2, 1)),
        ((2, 2), [(2, 4, 3), (2, 5, 3)], (2, 4, 5)),
        ((1, 2), [(2, 3, 4), (2, 5, 3)], (2, 4, 5)),
    ],
)
def test_dot(axes, shapes, output_shape, engine):
    layer = layers.Dot(axes, dtype="float64")
    x1, x2 = random_inputs(shapes[0], 0), random_inputs(shapes[1], 1)
    y = check_shapes(layer, [x1, x2], output_shape).numpy()
    axes = (axes, axes) if isinstance(axes, int) else axes
    expected = numpy.stack([numpy.tensordot(a, b, axes=(axes[0] - 1, axes[1] - 1)) for a, b in zip(x1, x2)])
    numpy.testing.assert_allclose(y, expected.reshape(output_shape), rtol=1e-12)
    check_config_round_trip(layer, [x1, x2])
    check_gradients(layer, [x1, x2], engine)


def test_dot_normalize_gives_cosine_similarity():
    y = layers.Dot(1, normalize=True)([A.astype("float32"), A.astype("float32")]).numpy()
    numpy.testing.assert_allclose(y, 1.0, rtol=1e-5)


def test_merge_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"Subtract 'subtract_probe'.*exactly 2 inputs"):
        layers.Subtract(name="subtract_probe")([A, B, A])
    with pytest.raises(ValueError, match=r"Add 'add_probe'.*incompatible shapes"):
        layers.Add(name="add_probe")([A, random_inputs((2, 4))])
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        layers.Concatenate(axis=1)([A, random_inputs((3, 3))])
