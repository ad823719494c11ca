import math

import numpy
import pytest

import kerasish
from kerasish import initializers
from kerasish.utils import set_random_seed


@pytest.mark.parametrize(
    "name, scale, fan, uniform",
    [
        ("glorot_uniform", 1.0, "avg", True),
        ("glorot_normal", 1.0, "avg", False),
        ("he_uniform", 2.0, "in", True),
        ("he_normal", 2.0, "in", False),
        ("lecun_uniform", 1.0, "in", True),
        ("lecun_normal", 1.0, "in", False),
    ],
)
def test_variance_scaling_presets(name, scale, fan, uniform):
    values = numpy.asarray(initializers.get(name)((300, 200)))
    assert values.dtype == numpy.float32
    n = 250 if fan == "avg" else 300
    numpy.testing.assert_allclose(values.std(), math.sqrt(scale / n), rtol=0.03)
    limit = math.sqrt(3 * scale / n) if uniform else 2 * math.sqrt(scale / n) / 0.87962566103423978
    assert numpy.abs(values).max() <= limit * 1.0001


def test_conv_kernel_fans_count_the_receptive_field():
    assert initializers.compute_fans((3, 3, 4, 8)) == (36, 72)
    assert initializers.compute_fans((2, 3, 5), input_axes=[0, 1], output_axes=[2]) == (6, 5)


def test_seeds_make_draws_repeatable():
    assert numpy.array_equal(initializers.RandomNormal(seed=1)((3, 3)), initializers.RandomNormal(seed=1)((3, 3)))
    set_random_seed(5)
    first = initializers.GlorotUniform()((4, 4))
    set_random_seed(5)
    numpy.testing.assert_array_equal(first, initializers.GlorotUniform()((4, 4)))


def test_orthogonal_identity_constant_and_truncation():
    q = initializers.Orthogonal(gain=2.0, seed=0)((5, 3))
    numpy.testing.assert_allclose(q.T @ q, 4 * numpy.eye(3), atol=1e-5)
    numpy.testing.assert_array_equal(initializers.Identity(gain=3.0)((2, 3)), 3 * numpy.eye(2, 3))
    numpy.testing.assert_array_equal(initializers.Constant(0.5)((2,)), [0.5, 0.5])
    values = initializers.TruncatedNormal(stddev=1.0, seed=2)((10000,))
    assert numpy.abs(values).max() <= 2.0
    with pytest.raises(ValueError, match="rank 3"):
        initializers.Identity()((2, 2, 2))


def test_serialization_round_trip_and_names():
    initializer = initializers.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform", seed=4)
    config = initializers.serialize(initializer)
    assert config == {
        "module": "keras.initializers",
        "class_name": "VarianceScaling",
        "config": {
            "scale": 2.0,
            "mode": "fan_out",
            "distribution": "uniform",
            "seed": 4,
            "input_axes": None,
            "output_axes": None,
        },
        "registered_name": None,
    }
    numpy.testing.assert_array_equal(initializers.deserialize(config)((3, 2)), initializer((3, 2)))
    assert isinstance(initializers.get("zeros"), initializers.Zeros)
    assert initializers.serialize(initializers.get("GlorotUniform"))["config"] == {
        "seed": None,
        "input_axes": None,
        "output_axes": None,
    }
    with pytest.raises(ValueError, match="scale=-1"):
        initializers.VarianceScaling(scale=-1)
    with pytest.raises(ValueError, match="'bogus'"):
        initializers.get("bogus")


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: initializers.VarianceScaling(mode="fan_middle"), "mode=fan_middle"),
        (lambda: initializers.VarianceScaling(distribution="cauchy"), "distribution=cauchy"),
        (lambda: initializers.RandomNormal(seed="x"), "seed='x'"),
        (lambda: initializers.Orthogonal()((3,)), "rank 1"),
    ],
)
def test_initializer_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(
    "name",
    [
        "zeros",
        "ones",
        "identity",
        "constant",
        "random_normal",
        "random_uniform",
        "truncated_normal",
        "glorot_uniform",
        "he_normal",
        "orthogonal",
    ],
)
def test_initializers_compute_with_ops_on_the_current_device(name):
    from kerasish.backends.dynamic import Tensor

    values = initializers.get(name)((4, 4), "float32")
    assert isinstance(values, Tensor) and values.dtype == numpy.float32 and values.shape == (4, 4)


def test_orthogonal_wide_kernels_have_orthonormal_rows():
    q = numpy.asarray(initializers.Orthogonal(gain=1.5, seed=3)((2, 3, 10)))
    rows = q.reshape(6, 10)
    numpy.testing.assert_allclose(rows @ rows.T, 2.25 * numpy.eye(6), atol=1e-5)


def test_keras_lower_case_names_are_the_classes():
    import os

    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    for namespace in ("initializers", "regularizers", "constraints"):
        theirs, ours = getattr(keras, namespace), getattr(kerasish, namespace)
        for name in dir(theirs):
            value = getattr(theirs, name)
            if name[0].islower() and isinstance(value, type) and name != "stft":
                assert getattr(ours, name).__name__ == value.__name__, (namespace, name)
    assert isinstance(kerasish.regularizers.l2(0.01), kerasish.regularizers.L2)
    assert kerasish.initializers.glorot_uniform(seed=1)((2, 2)).shape == (2, 2)
    assert isinstance(kerasish.constraints.max_norm(2), kerasish.constraints.MaxNorm)


STFT_CASES = [
    ("real", "hann", "density", False),
    ("imag", "hamming", "spectrum", True),
    ("real", None, None, False),
    ("imag", [0.1, 0.4, 0.9, 1.0, 0.9, 0.4, 0.1, 0.05], "spectrum", False),
]


@pytest.mark.slow
@pytest.mark.parametrize("side, window, scaling, periodic", STFT_CASES)
def test_stft_matches_keras(side, window, scaling, periodic):
    keras = pytest.importorskip("keras")
    shape = (8, 1, 5)
    expected = numpy.asarray(keras.initializers.STFT(side, window, scaling, periodic)(shape))
    ours = initializers.STFT(side, window, scaling, periodic)
    numpy.testing.assert_allclose(ours(shape).numpy(), expected, rtol=1e-5, atol=1e-6)
    assert ours.get_config() == keras.initializers.STFT(side, window, scaling, periodic).get_config()
    clone = initializers.deserialize(initializers.serialize(ours))
    numpy.testing.assert_array_equal(clone(shape).numpy(), ours(shape).numpy())


def test_stft_names_windows_and_errors():
    assert initializers.STFTInitializer is initializers.stft is initializers.STFT
    assert type(initializers.get("stft")) is type(initializers.get("STFTInitializer")) is initializers.STFT
    kernel = initializers.STFT(window="hann", scaling=None)((4, 1, 3), dtype="float64").numpy()
    assert kernel.dtype == numpy.float64
    numpy.testing.assert_allclose(kernel[:, 0, 0], [0.0, 0.75, 0.75, 0.0], atol=1e-12)  # symmetric Hann(4) x cos(0)
    with pytest.raises(ValueError, match="side should be 'real' or 'imag', not both"):
        initializers.STFT(side="both")
    with pytest.raises(ValueError, match="Scaling is invalid"):
        initializers.STFT(scaling="l2")
    with pytest.raises(ValueError, match=r"The shape of `window` must be equal to \[frame_length\]"):
        initializers.STFT(window=[1.0, 2.0])((4, 1, 3))


def test_stft_other_scipy_windows():
    signal = pytest.importorskip("scipy.signal")
    kernel = initializers.STFT(window="blackman", scaling=None)((6, 1, 4), dtype="float64").numpy()
    numpy.testing.assert_allclose(kernel[:, 0, 0], signal.get_window("blackman", 6, False), atol=1e-12)
