"""keras.io, "Making new layers and models via subclassing": a `Linear` layer with `add_weight` in `build`, a
non-trainable weight, a layer holding layers, `get_config`; a subclassed `keras.Model` trained with `fit`; and
a `train_step`/`test_step`/`predict_step` reading the batch with `keras.utils.unpack_x_y_sample_weight`, given
sample weights (so each step receives `(x, y, sample_weight)`), as "Customizing what happens in fit()" does."""

import json

import numpy

import kerasish as keras
from kerasish import ops


class Linear(keras.layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class ComputeSum(keras.layers.Layer):
    def __init__(self, input_dim):
        super().__init__()
        self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return self.total


class MLPBlock(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.linear_1 = Linear(8)
        self.linear_2 = Linear(4)
        self.linear_3 = Linear(1)

    def call(self, inputs):
        x = keras.activations.relu(self.linear_1(inputs))
        x = keras.activations.relu(self.linear_2(x))
        return self.linear_3(x)


class Regressor(keras.Model):
    def __init__(self):
        super().__init__()
        self.block = MLPBlock()

    def call(self, inputs):
        return self.block(inputs)

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        return super().train_step(keras.utils.pack_x_y_sample_weight(x, y, sample_weight))

    def test_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

    def predict_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        return self(x, training=False) * 10.0


summer = ComputeSum(2)
first = ops.convert_to_numpy(summer(ops.ones((2, 2)))).tolist()
second = ops.convert_to_numpy(summer(ops.ones((2, 2)))).tolist()

rng = numpy.random.default_rng(8)
model = Regressor()
x = rng.random((24, 3)).astype("float32")
y = (x.sum(axis=1, keepdims=True) ** 2).astype("float32")
sample_weight = numpy.where(y[:, 0] > 1.0, 2.0, 0.5).astype("float32")
model(x[:1])
model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
model.compile(optimizer=keras.optimizers.SGD(0.02), loss="mse", metrics=["mae"])
history = model.fit(x, y, sample_weight=sample_weight, batch_size=6, epochs=2, shuffle=False, verbose=0)
evaluation = model.evaluate(x, y, sample_weight=sample_weight, batch_size=6, verbose=0, return_dict=True)
print(
    json.dumps(
        {
            "compute_sum": [first, second],
            "trainable_weights": [len(summer.trainable_weights), len(summer.non_trainable_weights)],
            "linear_config_units": Linear.from_config(Linear(5).get_config()).units,
            "weights": len(model.weights),
            "loss": history.history["loss"],
            "mae": history.history["mae"],
            "evaluation": [evaluation["loss"], evaluation["mae"]],
            "predictions": model.predict(x[:3], verbose=0).ravel().tolist(),
        }
    )
)
