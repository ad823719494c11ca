"""keras.io, "Save, serialize, and export models": custom objects. A custom layer, activation, loss and metric
registered with `@keras.saving.register_keras_serializable()`, a layer passed through `custom_objects=`, one
through `keras.saving.custom_object_scope`, and one through `keras.utils.custom_object_scope`; the model goes
through `load_model`, `Model.from_config`, `keras.models.model_from_json` and `keras.models.clone_model`."""

import json

import numpy

import kerasish as keras
from kerasish import ops


@keras.saving.register_keras_serializable(package="MyLayers")
class ScaledDense(keras.layers.Layer):
    def __init__(self, units, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.units, self.scale = units, scale

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones", name="kernel")

    def call(self, inputs):
        return self.scale * ops.matmul(inputs, self.kernel)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "scale": self.scale}


@keras.saving.register_keras_serializable(package="my_package", name="custom_fn")
def custom_activation(x):
    return ops.tanh(x) * 1.5


@keras.utils.register_keras_serializable()
def halved_mse(y_true, y_pred):
    return 0.5 * ops.mean(ops.square(y_true - y_pred), axis=-1)


class Offset(keras.layers.Layer):  # not registered: found through custom_objects or a scope
    def __init__(self, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.offset = offset

    def call(self, inputs):
        return inputs + self.offset

    def get_config(self):
        return {**super().get_config(), "offset": self.offset}


inputs = keras.Input(shape=(4,))
x = ScaledDense(3, scale=0.5)(inputs)
x = keras.layers.Activation(custom_activation)(x)
x = Offset(0.25)(x)
outputs = keras.layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
rng = numpy.random.default_rng(7)
model.set_weights([rng.normal(0, 0.4, w.shape).astype("float32") for w in model.get_weights()])
model.compile(optimizer=keras.optimizers.SGD(0.05), loss=halved_mse, metrics=["mae"])
data = rng.random((16, 4)).astype("float32")
targets = rng.random((16, 1)).astype("float32")
model.fit(data, targets, batch_size=8, epochs=1, shuffle=False, verbose=0)
expected = model.predict(data[:3], verbose=0)

model.save("custom_model.keras")
loaded = keras.saving.load_model("custom_model.keras", custom_objects={"Offset": Offset})
with keras.saving.custom_object_scope({"Offset": Offset}):
    from_config = keras.Model.from_config(model.get_config())
with keras.utils.custom_object_scope({"Offset": Offset}):
    from_json = keras.models.model_from_json(model.to_json())
    cloned = keras.models.clone_model(model)
for rebuilt in (from_config, from_json, cloned):
    rebuilt.set_weights(model.get_weights())

print(
    json.dumps(
        {
            "registered_names": [
                keras.saving.get_registered_name(ScaledDense),
                keras.saving.get_registered_name(custom_activation),
                keras.saving.get_registered_name(halved_mse),
            ],
            "loaded_is_compiled": loaded.compiled,
            "loaded_loss": loaded.evaluate(data, targets, verbose=0),
            "expected": expected.ravel().tolist(),
            "loaded": loaded.predict(data[:3], verbose=0).ravel().tolist(),
            "from_config": from_config.predict(data[:3], verbose=0).ravel().tolist(),
            "from_json": from_json.predict(data[:3], verbose=0).ravel().tolist(),
            "cloned": cloned.predict(data[:3], verbose=0).ravel().tolist(),
            "layer_classes": [type(layer).__name__ for layer in loaded.layers],
        }
    )
)
