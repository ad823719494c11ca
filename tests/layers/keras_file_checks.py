"""The `.keras` check of the layer tests: a one-layer functional model saved and loaded gives the same outputs,
weights and config."""

import numpy

import kerasish
from tests.layers.layer_checks import as_list


def check_keras_file_round_trip(layer, inputs, tmp_path):
    """Save a model made of `layer` applied to Inputs shaped like `inputs` (a list for several), load it back
    and compare predictions, weights and the layer's config."""
    arrays = as_list(inputs)
    symbolic = [kerasish.Input(shape=numpy.shape(a)[1:], dtype=str(numpy.asarray(a).dtype)) for a in arrays]
    outputs = layer(symbolic if isinstance(inputs, list) else symbolic[0])
    model = kerasish.Model(symbolic if isinstance(inputs, list) else symbolic[0], outputs)
    expected = as_list(model.predict(inputs, verbose=0))
    path = str(tmp_path / "layer.keras")
    model.save(path)
    loaded = kerasish.saving.load_model(path)
    restored = loaded.get_layer(layer.name)
    assert type(restored) is type(layer)
    assert restored.get_config() == layer.get_config()
    for a, b in zip(layer.get_weights(), restored.get_weights()):
        numpy.testing.assert_array_equal(a, b)
    for a, b in zip(expected, as_list(loaded.predict(inputs, verbose=0))):
        numpy.testing.assert_allclose(numpy.asarray(b), numpy.asarray(a), rtol=1e-6, atol=1e-6)
    return loaded
