"""Dtype policies and mixed precision: DTypePolicy as Keras defines it, the global policy and its legacy names,
layers' `dtype=`, float16 computation with float32 variables on both engines, loss scaling applied by
`compile`, predictions against real Keras under the same policy, and `.keras` files."""

import importlib

import numpy
import pytest

import kerasish
from kerasish import dtype_policies, layers, mixed_precision, ops, optimizers

RNG = numpy.random.default_rng(3)


@pytest.fixture(autouse=True)
def float32_policy_afterwards():
    yield
    mixed_precision.set_global_policy("float32")


@pytest.fixture
def keras_mixed():
    keras = pytest.importorskip("keras")
    yield keras
    keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("name", ["float32", "float16", "float64", "mixed_float16"])
def test_policy_as_in_keras(name):
    keras = pytest.importorskip("keras")
    ours, theirs = dtype_policies.DTypePolicy(name), keras.DTypePolicy(name)
    assert (ours.name, ours.compute_dtype, ours.variable_dtype, ours.quantization_mode) == (
        theirs.name,
        theirs.compute_dtype,
        theirs.variable_dtype,
        theirs.quantization_mode,
    )
    assert repr(ours) == repr(theirs)
    assert dtype_policies.serialize(ours) == keras.dtype_policies.serialize(theirs)
    assert dtype_policies.deserialize(keras.dtype_policies.serialize(theirs)) == ours
    assert dtype_policies.get(name) == ours == kerasish.FloatDTypePolicy(name)


def test_bad_policies_are_refused_with_keras_wording():
    with pytest.raises(ValueError, match="Cannot convert 'mixed_float8' to a mixed precision DTypePolicy"):
        kerasish.DTypePolicy("mixed_float8")
    with pytest.raises(TypeError, match="'name' must be a string"):
        kerasish.DTypePolicy(16)
    with pytest.raises(ValueError, match="Invalid `policy` argument"):
        mixed_precision.set_global_policy(16)
    with pytest.raises(ValueError, match="Cannot convert 'mixed_float8'"):
        layers.Dense(2, dtype="mixed_float8")
    with pytest.raises(ValueError, match="Unsupported dtype 'floaty'.*'mixed_float16'"):
        layers.Dense(2, dtype="floaty")


def test_global_policy_and_its_names():
    assert mixed_precision.Policy is mixed_precision.DTypePolicy is kerasish.DTypePolicy
    assert mixed_precision.global_policy() == kerasish.config.dtype_policy() == kerasish.DTypePolicy("float32")
    mixed_precision.set_global_policy("mixed_float16")
    assert kerasish.config.dtype_policy().name == "mixed_float16"
    assert kerasish.DTypePolicy().name == "mixed_float16"  # no name: the global one
    dense = layers.Dense(2)
    assert (dense.dtype_policy.name, dense.compute_dtype, dense.variable_dtype, dense.dtype) == (
        "mixed_float16",
        "float16",
        "float32",
        "float32",
    )
    kerasish.config.set_dtype_policy(kerasish.DTypePolicy("float64"))
    assert layers.Dense(2).compute_dtype == "float64"


@pytest.mark.parametrize(
    "dtype",
    [
        "mixed_float16",
        kerasish.DTypePolicy("mixed_float16"),
        {"class_name": "DTypePolicy", "config": {"name": "mixed_float16"}},
    ],
)
def test_layer_dtype_takes_a_policy_its_name_or_config(dtype):
    dense = layers.Dense(3, dtype=dtype)
    assert dense.dtype_policy == kerasish.DTypePolicy("mixed_float16")
    outputs = dense(numpy.ones((2, 4), "float32"))
    assert outputs.dtype == "float16" and dense.kernel.dtype == "float32" and dense.bias.dtype == "float32"
    clone = layers.Dense.from_config(dense.get_config())
    assert clone.dtype_policy == dense.dtype_policy


def test_layer_config_dtype_as_in_keras(keras_mixed):
    keras = keras_mixed
    keras.mixed_precision.set_global_policy("mixed_float16")
    mixed_precision.set_global_policy("mixed_float16")
    assert layers.Dense(2).get_config()["dtype"] == keras.layers.Dense(2).get_config()["dtype"]
    assert (
        layers.Softmax(dtype="float32").get_config()["dtype"]
        == keras.layers.Softmax(dtype="float32").get_config()["dtype"]
    )


def test_variables_are_read_as_float16_and_get_float32_gradients(engine):
    mixed_precision.set_global_policy("mixed_float16")
    dense = layers.Dense(3)
    x = RNG.normal(size=(4, 5)).astype("float32")
    dense(x)

    @kerasish.function(engine=engine)
    def step(x):
        with kerasish.GradientTape() as tape:
            outputs = dense(x)
            loss = ops.sum(ops.square(ops.cast(outputs, "float32")))
        return outputs, tape.gradient(loss, dense.trainable_variables)

    outputs, gradients = step(x)
    assert outputs.dtype == "float16"
    assert [g.dtype for g in gradients] == ["float32", "float32"]
    expected = x.astype("float16") @ dense.kernel.numpy().astype("float16") + dense.bias.numpy().astype("float16")
    numpy.testing.assert_allclose(outputs.numpy(), expected, rtol=2e-3, atol=2e-3)


class _KeepsFloat32(layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(), initializer="ones", autocast=False, name="scale")
        self.shift = self.add_weight(shape=(), initializer="zeros", name="shift")

    def call(self, x):
        return self.scale + x * 0, self.shift + x * 0


def test_add_weight_autocast_false_is_read_as_it_is():
    mixed_precision.set_global_policy("mixed_float16")
    kept, cast = _KeepsFloat32()(numpy.ones((2,), "float32"))
    assert kept.dtype == "float32" and cast.dtype == "float16"


def make_model(module):
    inputs = module.Input((8,))
    hidden = module.layers.Dense(16, activation="relu")(inputs)
    hidden = module.layers.Dense(4)(hidden)
    return module.Model(inputs, module.layers.Activation("softmax", dtype="float32")(hidden))


def test_mixed_float16_trains_with_loss_scaling(engine):
    mixed_precision.set_global_policy("mixed_float16")
    x = RNG.normal(size=(64, 8)).astype("float32")
    y = (x[:, :4] > 0).argmax(axis=1)
    model = make_model(kerasish)
    model.compile(optimizer=optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", backend=engine)
    assert type(model.optimizer) is optimizers.LossScaleOptimizer
    assert model.optimizer.initial_scale == 2.0**15 and model.optimizer.dynamic_growth_steps == 2000
    activations = kerasish.Model(model.inputs, [layer.output for layer in model.layers[1:]])
    assert [a.dtype for a in activations(x[:2])] == ["float16", "float16", "float32"]
    history = model.fit(x, y, epochs=5, batch_size=16, shuffle=False, verbose=0)
    loss = history.history["loss"]
    assert loss[-1] < 0.9 * loss[0], loss
    assert {str(w.dtype) for w in model.weights} == {"float32"}
    assert model.predict(x[:2], verbose=0).dtype == "float32"
    assert int(model.optimizer.iterations.numpy()) > 0


def test_auto_scale_loss_false_keeps_the_optimizer():
    mixed_precision.set_global_policy("mixed_float16")
    model = make_model(kerasish)
    model.compile(optimizer="sgd", loss="mse", auto_scale_loss=False)
    assert type(model.optimizer) is optimizers.SGD
    mixed_precision.set_global_policy("float32")
    model = make_model(kerasish)
    model.compile(optimizer="sgd", loss="mse")
    assert type(model.optimizer) is optimizers.SGD


@pytest.mark.slow
def test_predictions_match_keras_under_mixed_float16(keras_mixed, engine):
    """The same float16 products and sums as Keras's: a float16 rounding differs at most in the last bit
    of the hidden activations, which the softmax output (in [0, 1]) carries as an error of a few float16
    ulps at most (an ulp of 1.0 is 2**-10 ~ 1e-3): 3e-3 absolute."""
    keras = keras_mixed
    keras.mixed_precision.set_global_policy("mixed_float16")
    mixed_precision.set_global_policy("mixed_float16")
    theirs, ours = make_model(keras), make_model(kerasish)
    ours.set_weights([numpy.asarray(w) for w in theirs.get_weights()])
    ours.compile(loss="mse", backend=engine)
    x = RNG.normal(size=(64, 8)).astype("float32") * 3
    expected = numpy.asarray(theirs.predict(x, verbose=0))
    numpy.testing.assert_allclose(ours.predict(x, verbose=0), expected, rtol=0, atol=3e-3)
    hidden = kerasish.Model(ours.inputs, ours.layers[2].output)(x)
    their_hidden = keras.Model(theirs.inputs, theirs.layers[2].output)(x)
    assert hidden.dtype == their_hidden.dtype == "float16"


def test_keras_files_keep_the_policies_and_the_scale(keras_mixed, tmp_path, engine):
    keras = keras_mixed
    mixed_precision.set_global_policy("mixed_float16")
    x = RNG.normal(size=(32, 8)).astype("float32")
    model = make_model(kerasish)
    model.compile(optimizer="adam", loss="mse", backend=engine)
    model.fit(x, numpy.zeros((32, 4), "float32"), batch_size=8, verbose=0)
    model.save(tmp_path / "mixed.keras")
    mixed_precision.set_global_policy("float32")
    loaded = kerasish.saving.load_model(tmp_path / "mixed.keras")
    assert [layer.dtype_policy.name for layer in loaded.layers[1:]] == ["mixed_float16", "mixed_float16", "float32"]
    assert type(loaded.optimizer) is optimizers.LossScaleOptimizer
    numpy.testing.assert_array_equal(loaded.optimizer.dynamic_scale.numpy(), model.optimizer.dynamic_scale.numpy())
    numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    theirs = keras.saving.load_model(tmp_path / "mixed.keras")
    assert theirs.layers[1].dtype_policy.name == "mixed_float16"
    numpy.testing.assert_allclose(numpy.asarray(theirs.predict(x, verbose=0)), model.predict(x, verbose=0), atol=3e-3)


def test_mixed_bfloat16_trains_where_numpy_has_it(engine):
    pytest.importorskip("ml_dtypes")
    mixed_precision.set_global_policy("mixed_bfloat16")
    x = RNG.normal(size=(64, 8)).astype("float32")
    y = (x[:, :4] > 0).argmax(axis=1)
    model = make_model(kerasish)
    model.compile(optimizer=optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", backend=engine)
    assert type(model.optimizer) is optimizers.Adam  # as Keras: bfloat16 has float32's range, no loss scaling
    activations = kerasish.Model(model.inputs, [layer.output for layer in model.layers[1:]])
    assert [str(a.dtype) for a in activations(x[:2])] == ["bfloat16", "bfloat16", "float32"]
    history = model.fit(x, y, epochs=5, batch_size=16, shuffle=False, verbose=0)
    assert history.history["loss"][-1] < 0.9 * history.history["loss"][0]
    assert {str(w.dtype) for w in model.weights} == {"float32"}


def test_mixed_bfloat16_without_ml_dtypes_says_what_to_install(monkeypatch):
    real_import = importlib.import_module

    def without_ml_dtypes(name, *args, **kwargs):
        if name == "ml_dtypes":
            raise ImportError("No module named 'ml_dtypes'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", without_ml_dtypes)
    with pytest.raises(ValueError, match="pip install ml-dtypes"):
        kerasish.DTypePolicy("mixed_bfloat16")
