"""`get_compile_config`/`compile_from_config` as Keras has them: the config is serialized (a registered
custom loss or metric by its registered name), a fresh model compiles from it, and a `.keras` file whose
model was compiled with custom objects reloads compiled."""

import json

import numpy
import pytest

import kerasish
from kerasish import ops


@kerasish.saving.register_keras_serializable(package="CompileConfigTest")
def doubled_squared_error(y_true, y_pred):
    return 2.0 * ops.mean(ops.square(y_true - y_pred), axis=-1)


@kerasish.saving.register_keras_serializable(package="CompileConfigTest")
class LargestError(kerasish.metrics.Metric):
    def __init__(self, name="largest_error", **kwargs):
        super().__init__(name=name, **kwargs)
        self.largest = self.add_variable(shape=(), initializer="zeros", name="largest")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.largest.assign(ops.maximum(self.largest, ops.max(ops.abs(y_true - y_pred))))

    def result(self):
        return ops.copy(self.largest)


def unregistered_loss(y_true, y_pred):
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


def model():
    inputs = kerasish.Input((3,))
    built = kerasish.Model(inputs, kerasish.layers.Dense(1)(inputs))
    built.set_weights([numpy.full((3, 1), 0.25, "float32"), numpy.zeros(1, "float32")])
    return built


DATA = (numpy.linspace(0, 1, 24, dtype="float32").reshape(8, 3), numpy.linspace(1, 0, 8, dtype="float32")[:, None])


def test_compile_config_is_serialized_and_compiles_a_fresh_model(engine):
    trained = model()
    trained.compile(
        optimizer=kerasish.optimizers.SGD(0.1),
        loss=doubled_squared_error,
        metrics=[LargestError(), "mae"],
        backend=engine,
    )
    config = trained.get_compile_config()
    json.dumps(config)  # plain JSON, as Keras writes it
    fresh = model()
    fresh.compile_from_config(config)
    assert fresh.loss is doubled_squared_error
    assert fresh.optimizer.learning_rate.numpy() == pytest.approx(0.1)
    expected = trained.evaluate(*DATA, verbose=0, return_dict=True)
    got = fresh.evaluate(*DATA, verbose=0, return_dict=True)
    assert set(got) == {"loss", "largest_error", "mae"}
    for key in expected:
        assert got[key] == pytest.approx(expected[key], rel=1e-6)


def test_a_model_never_compiled_has_no_compile_config():
    assert model().get_compile_config() is None


def test_keras_files_compiled_with_custom_objects_reload_compiled(tmp_path):
    for loss, custom_objects in (
        (doubled_squared_error, None),
        (unregistered_loss, {"unregistered_loss": unregistered_loss}),
    ):
        saved = model()
        saved.compile(optimizer="sgd", loss=loss, metrics=[LargestError()])
        saved.fit(*DATA, epochs=1, verbose=0)
        path = tmp_path / f"{loss.__name__}.keras"
        saved.save(path)
        loaded = kerasish.saving.load_model(path, custom_objects=custom_objects)
        assert loaded.compiled and loaded.loss is loss
        expected = saved.evaluate(*DATA, verbose=0, return_dict=True)
        got = loaded.evaluate(*DATA, verbose=0, return_dict=True)
        assert got["loss"] == pytest.approx(expected["loss"], rel=1e-6)
        assert "largest_error" in got
