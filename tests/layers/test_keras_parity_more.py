"""Outputs, configs and weight names of the normalisation, regularisation, reshaping, pooling and convolution
layers against Keras 3 with the same weights (runs where keras is installed)."""

import os

import numpy
import pytest

from kerasish import layers
from kerasish.layers.layer import get_mask
from tests.layers.layer_checks import random_inputs

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")
SLOW = pytest.mark.slow  # seconds of JAX compilation; tests/layers/test_rnn_more.py covers the same layers fast

CASES = [
    ("GroupNormalization", dict(groups=2), (2, 3, 4)),
    ("GroupNormalization", dict(groups=-1, axis=1, gamma_initializer="random_normal"), (2, 4, 3)),
    ("RMSNormalization", dict(), (2, 3, 4)),
    ("RMSNormalization", dict(axis=[1, 2]), (2, 3, 4)),
    ("UnitNormalization", dict(axis=[1, 2]), (2, 3, 4)),
    ("PReLU", dict(alpha_initializer="random_normal", shared_axes=[1]), (2, 3, 4)),
    ("Masking", dict(mask_value=0.5), (2, 3, 4)),
    ("ActivityRegularization", dict(l1=0.1, l2=0.2), (2, 3)),
    ("GaussianNoise", dict(stddev=0.1, seed=1), (2, 3)),
    ("GaussianDropout", dict(rate=0.1, seed=1), (2, 3)),
    ("AlphaDropout", dict(rate=0.1, seed=1), (2, 3)),
    ("SpatialDropout1D", dict(rate=0.1, seed=1), (2, 3, 4)),
    ("SpatialDropout2D", dict(rate=0.1, data_format="channels_first"), (2, 3, 4, 2)),
    ("SpatialDropout3D", dict(rate=0.1), (2, 3, 4, 2, 2)),
    ("Cropping1D", dict(cropping=(1, 2)), (2, 5, 2)),
    ("Cropping3D", dict(cropping=((1, 0), 1, (0, 2))), (2, 4, 4, 4, 2)),
    ("ZeroPadding1D", dict(padding=(1, 2)), (2, 5, 2)),
    ("ZeroPadding3D", dict(padding=((1, 0), 1, (0, 2)), data_format="channels_first"), (2, 2, 2, 2, 2)),
    ("UpSampling1D", dict(size=3), (2, 2, 2)),
    ("UpSampling3D", dict(size=(1, 2, 3)), (2, 2, 2, 2, 1)),
    ("AdaptiveAveragePooling1D", dict(output_size=3), (2, 7, 2)),
    ("AdaptiveAveragePooling2D", dict(output_size=(2, 3)), (2, 5, 7, 2)),
    ("AdaptiveAveragePooling3D", dict(output_size=2, data_format="channels_first"), (2, 2, 5, 4, 3)),
    ("AdaptiveMaxPooling1D", dict(output_size=3), (2, 7, 2)),
    ("AdaptiveMaxPooling2D", dict(output_size=(3, 2)), (2, 5, 7, 2)),
    ("AdaptiveMaxPooling3D", dict(output_size=(2, 3, 2)), (2, 5, 4, 3, 2)),
    ("Conv3DTranspose", dict(filters=2, kernel_size=3, strides=2, padding="same"), (2, 2, 3, 2, 2)),
    ("Convolution3DTranspose", dict(filters=2, kernel_size=2), (2, 2, 3, 2, 2)),
    ("SeparableConvolution1D", dict(filters=2, kernel_size=2), (2, 5, 3)),
    pytest.param("ConvLSTM1D", dict(filters=2, kernel_size=3), (2, 3, 5, 2), marks=SLOW),
    pytest.param(
        "ConvLSTM2D",
        dict(filters=2, kernel_size=3, padding="same", return_sequences=True, go_backwards=True),
        (2, 3, 4, 4, 1),
        marks=SLOW,
    ),
    pytest.param(
        "ConvLSTM2D",
        dict(filters=3, kernel_size=2, strides=2, data_format="channels_first"),
        (2, 2, 1, 4, 4),
        marks=SLOW,
    ),
    pytest.param("ConvLSTM3D", dict(filters=1, kernel_size=2, unit_forget_bias=False), (2, 2, 3, 3, 3, 2), marks=SLOW),
]


# The fast tier compares one layer of each kind; the rest (seconds of JAX compilation each) run with the slow tier.
_FAST = {"GroupNormalization", "UnitNormalization", "PReLU", "Masking", "SpatialDropout1D", "Cropping1D"}
CASES = [case if type(case) is not tuple or case[0] in _FAST else pytest.param(*case, marks=SLOW) for case in CASES]


def _same_weights(theirs, ours, x):
    expected = numpy.asarray(theirs(x))
    ours(x)
    ours.set_weights([numpy.asarray(w) for w in theirs.get_weights()])
    return expected


@pytest.mark.slow
@pytest.mark.parametrize("name, kwargs, input_shape", CASES)
def test_outputs_configs_and_weight_names_match_keras(name, kwargs, input_shape):
    x = random_inputs(input_shape, dtype="float32")
    theirs, ours = getattr(keras.layers, name)(**kwargs), getattr(layers, name)(**kwargs)
    expected = _same_weights(theirs, ours, x)
    numpy.testing.assert_allclose(ours(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    assert set(theirs.get_config()) <= set(ours.get_config())
    assert [w.path.split("/", 1)[1] for w in ours.weights] == [w.path.split("/", 1)[1] for w in theirs.weights]
    assert tuple(ours.compute_output_shape(input_shape)) == tuple(theirs.compute_output_shape(input_shape))


@pytest.mark.slow
@pytest.mark.parametrize(
    "power_iterations, wrapped, input_shape, names",
    [
        (1, ("Dense", dict(units=5)), (3, 4), ["kernel", "vector_u", "bias"]),
        pytest.param(3, ("Dense", dict(units=5)), (3, 4), ["kernel", "vector_u", "bias"], marks=SLOW),
        pytest.param(
            2, ("Conv2D", dict(filters=3, kernel_size=2)), (2, 4, 4, 2), ["kernel", "vector_u", "bias"], marks=SLOW
        ),
    ],
)
def test_spectral_normalization_training_step_matches_keras(power_iterations, wrapped, input_shape, names):
    name, kwargs = wrapped
    x = random_inputs(input_shape, dtype="float32")
    theirs = keras.layers.SpectralNormalization(
        getattr(keras.layers, name)(**kwargs), power_iterations=power_iterations
    )
    ours = layers.SpectralNormalization(getattr(layers, name)(**kwargs), power_iterations=power_iterations)
    _same_weights(theirs, ours, x)
    for _ in range(2):
        expected = numpy.asarray(theirs(x, training=True))
        numpy.testing.assert_allclose(ours(x, training=True).numpy(), expected, rtol=1e-5, atol=1e-6)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        numpy.testing.assert_allclose(a, numpy.asarray(b), rtol=1e-5, atol=1e-6)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights] == names


def test_masking_mask_matches_keras():
    x = random_inputs((2, 4, 3), dtype="float32")
    x[0, 1] = 0.0
    x[1, 3] = 0.0
    ours, theirs = layers.Masking()(x), keras.layers.Masking()(x)
    numpy.testing.assert_array_equal(get_mask(ours).numpy(), numpy.asarray(theirs._keras_mask))


@SLOW
def test_stacked_rnn_cells_match_keras():
    x = random_inputs((2, 5, 3), dtype="float32")
    theirs = keras.layers.RNN(keras.layers.StackedRNNCells([keras.layers.LSTMCell(3), keras.layers.GRUCell(2)]))
    ours = layers.RNN(layers.StackedRNNCells([layers.LSTMCell(3), layers.GRUCell(2)]))
    expected = _same_weights(theirs, ours, x)
    numpy.testing.assert_allclose(ours(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    cells = layers.serialize(ours)["config"]["cell"]
    assert keras.layers.deserialize(cells).__class__ is keras.layers.StackedRNNCells


@pytest.mark.parametrize("tie_weights", [True, pytest.param(False, marks=SLOW)])
def test_reversible_embedding_matches_keras(tie_weights):
    ids = numpy.array([[1, 2, 0], [3, 6, 5]])
    kwargs = dict(input_dim=7, output_dim=3, tie_weights=tie_weights, logit_soft_cap=2.0)
    theirs, ours = keras.layers.ReversibleEmbedding(**kwargs), layers.ReversibleEmbedding(**kwargs)
    expected = _same_weights(theirs, ours, ids)
    numpy.testing.assert_allclose(ours(ids).numpy(), expected, rtol=1e-6)
    hidden = random_inputs((2, 3, 3), dtype="float32")
    numpy.testing.assert_allclose(
        ours(hidden, reverse=True).numpy(), numpy.asarray(theirs(hidden, reverse=True)), rtol=1e-5, atol=1e-6
    )
    assert set(theirs.get_config()) - {"quantization_config"} <= set(ours.get_config())
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]


def test_pipeline_matches_keras():
    x = random_inputs((2, 4), dtype="float32")
    theirs = keras.layers.Pipeline([keras.layers.Dense(3), keras.layers.Rescaling(0.5)])
    ours = layers.Pipeline([layers.Dense(3), layers.Rescaling(0.5)])
    expected = _same_weights(theirs, ours, x)
    numpy.testing.assert_allclose(ours(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    assert set(theirs.get_config()) == set(ours.get_config())
    assert type(keras.layers.deserialize(layers.serialize(ours))) is keras.layers.Pipeline


def test_keras_and_kerasish_layer_names_agree():
    """Every layer name of keras.layers exists here, except the attention and preprocessing layers (other
    modules) and the wrappers of other frameworks (not applicable)."""
    from keras.src.layers import attention, preprocessing

    foreign = {"JaxLayer", "FlaxLayer", "TFSMLayer", "TorchModuleWrapper"}
    theirs = {name for name in dir(keras.layers) if not name.startswith("_")}
    elsewhere = {
        name
        for name in theirs
        if (getattr(keras.layers, name).__module__ or "").startswith((attention.__name__, preprocessing.__name__))
        and name != "Pipeline"
    }
    missing = sorted(theirs - elsewhere - foreign - set(dir(layers)))
    assert missing == []


INTEROP = [
    ("GroupNormalization", lambda m: m.GroupNormalization(groups=2, gamma_initializer="random_normal"), (4, 6)),
    ("RMSNormalization", lambda m: m.RMSNormalization(), (4, 6)),
    ("PReLU", lambda m: m.PReLU(alpha_initializer="random_normal", shared_axes=[1]), (4, 6)),
    ("SpectralNormalization", lambda m: m.SpectralNormalization(m.Dense(3)), (6,)),
    ("Conv3DTranspose", lambda m: m.Conv3DTranspose(2, 2, strides=2), (2, 3, 2, 1)),
    ("ConvLSTM2D", lambda m: m.ConvLSTM2D(2, 3, padding="same", return_sequences=True), (3, 4, 4, 1)),
    ("StackedRNNCells", lambda m: m.RNN(m.StackedRNNCells([m.LSTMCell(3), m.GRUCell(2)])), (5, 3)),
    ("Pipeline", lambda m: m.Pipeline([m.Dense(3), m.UnitNormalization()]), (4,)),
    ("SpatialDropout2D", lambda m: m.SpatialDropout2D(0.3), (3, 3, 2)),
    ("Cropping3D", lambda m: m.Cropping3D(((1, 0), 1, 0)), (3, 3, 3, 1)),
    ("ZeroPadding1D", lambda m: m.ZeroPadding1D((1, 2)), (3, 2)),
    ("UpSampling3D", lambda m: m.UpSampling3D((1, 2, 1)), (2, 2, 2, 1)),
    ("AdaptiveMaxPooling2D", lambda m: m.AdaptiveMaxPooling2D((2, 3)), (5, 7, 2)),
    ("GaussianNoise", lambda m: m.GaussianNoise(0.2, seed=3), (4,)),
]


@SLOW  # each layer's .keras round trip runs fast in its own test file
@pytest.mark.parametrize("name, make, shape", INTEROP)
@pytest.mark.parametrize("writer", ["kerasish", "keras"])
def test_keras_files_interoperate(name, make, shape, writer, tmp_path):
    """A model holding the layer, written by one library, loads in the other with the same predictions."""
    import kerasish

    x = random_inputs((2, *shape), dtype="float32")
    library = kerasish if writer == "kerasish" else keras
    inputs = library.Input(shape)
    model = library.Model(inputs, make(library.layers)(inputs))
    rng = numpy.random.default_rng(5)
    model.set_weights([rng.uniform(0.5, 1.5, numpy.shape(w)).astype("float32") for w in model.get_weights()])
    path = str(tmp_path / "model.keras")
    model.save(path)
    reader = keras.saving.load_model if writer == "kerasish" else kerasish.saving.load_model
    loaded = reader(path)
    numpy.testing.assert_allclose(
        numpy.asarray(loaded.predict(x, verbose=0)), numpy.asarray(model.predict(x, verbose=0)), rtol=1e-5, atol=1e-6
    )
