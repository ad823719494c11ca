import numpy
import pytest

import kerasish as keras
from kerasish.utils import pack_x_y_sample_weight, unpack_x_y_sample_weight


def test_unpacking_follows_keras():
    assert unpack_x_y_sample_weight((1,)) == (1, None, None)
    assert unpack_x_y_sample_weight([1, 2]) == (1, 2, None)
    assert unpack_x_y_sample_weight(5) == (5, None, None)
    with pytest.raises(ValueError, match="4 elements"):
        unpack_x_y_sample_weight((1, 2, 3, 4))


def test_packing_follows_keras():
    assert pack_x_y_sample_weight(1) == 1
    assert pack_x_y_sample_weight((1, 2)) == ((1, 2),)
    assert pack_x_y_sample_weight(1, 2) == (1, 2)
    assert pack_x_y_sample_weight(1, 2, 3) == (1, 2, 3)


class Recording(keras.Model):
    """Keeps the structure each step receives, and unpacks it as keras.io's guides do."""

    seen = []

    def train_step(self, data):
        Recording.seen.append(("train", type(data).__name__, len(data) if isinstance(data, tuple) else None))
        if isinstance(data, tuple) and len(data) == 3:
            x, y, sample_weight = data
        else:
            x, y = data
        return super().train_step(data)

    def test_step(self, data):
        Recording.seen.append(("test", type(data).__name__, len(data) if isinstance(data, tuple) else None))
        return super().test_step(data)

    def predict_step(self, data):
        Recording.seen.append(("predict", type(data).__name__, len(data) if isinstance(data, tuple) else None))
        return super().predict_step(data)


def test_steps_receive_what_the_user_gave(engine):
    Recording.seen = []
    inputs = keras.Input((3,))
    model = Recording(inputs, keras.layers.Dense(1)(inputs))
    assert isinstance(model, keras.Model) and type(model).__name__ == "Recording"
    model.compile(optimizer="sgd", loss="mse", backend=engine)
    x, y = numpy.ones((4, 3), "float32"), numpy.ones((4, 1), "float32")
    model.fit(x, y, batch_size=4, verbose=0)
    model.fit(x, y, sample_weight=numpy.ones(4, "float32"), batch_size=4, verbose=0)
    model.evaluate(x, y, batch_size=4, verbose=0)
    model.predict(x, batch_size=4, verbose=0)
    kinds = {(kind, name, length) for kind, name, length in Recording.seen}
    assert ("train", "tuple", 2) in kinds and ("train", "tuple", 3) in kinds
    assert ("test", "tuple", 2) in kinds
    assert any(kind == "predict" and length is None for kind, _, length in kinds)
