"""`.keras` files with the attention layers and EinsumDense pass between Keras 3 and kerasish both ways:
same class names, weight paths and predictions."""

import os

import numpy
import pytest

import kerasish


@pytest.mark.slow
def test_keras_files_load_both_ways(tmp_path):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    query, value = keras.Input((4, 6)), keras.Input((5, 6))
    x = keras.layers.MultiHeadAttention(2, 3, name="mha")(query, value, use_causal_mask=False)
    x = keras.layers.EinsumDense("abc,cd->abd", output_shape=(None, 3), bias_axes="d")(x)
    x = keras.layers.GroupQueryAttention(3, 4, 2)(x, x)
    x = keras.layers.AdditiveAttention()([x, x])
    model = keras.Model([query, value], keras.layers.Attention(use_scale=True)([x, x]))
    rng = numpy.random.default_rng(0)
    for weight in model.weights:
        weight.assign((0.3 * rng.standard_normal(weight.shape)).astype("float32"))
    data = [rng.random((2, 4, 6)).astype("float32"), rng.random((2, 5, 6)).astype("float32")]
    expected = model.predict(data, verbose=0)
    model.save(tmp_path / "theirs.keras")
    ours = kerasish.saving.load_model(str(tmp_path / "theirs.keras"))
    numpy.testing.assert_allclose(ours.predict(data, verbose=0), expected, rtol=1e-5, atol=1e-6)
    ours.save(str(tmp_path / "ours.keras"))
    back = keras.saving.load_model(tmp_path / "ours.keras")
    numpy.testing.assert_allclose(back.predict(data, verbose=0), expected, rtol=1e-5, atol=1e-6)
    assert [w.path for w in back.weights] == [w.path for w in model.weights]
