"""Masks as Keras exposes them (the masking guide reads them): `tensor._keras_mask` on eager and symbolic
tensors, `layer.compute_mask`, `supports_masking`; a mask set by hand reaches the next layer."""

import gc

import numpy

import kerasish
from kerasish.backends import masks

TOKENS = numpy.array([[3, 1, 0, 0], [2, 5, 7, 0]], "int32")
EXPECTED = TOKENS != 0


def test_embedding_outputs_carry_their_mask_eagerly_and_symbolically():
    embedding = kerasish.layers.Embedding(8, 2, mask_zero=True)
    numpy.testing.assert_array_equal(embedding(TOKENS)._keras_mask.numpy(), EXPECTED)
    symbolic = embedding(kerasish.Input((4,), dtype="int32"))
    assert symbolic._keras_mask.shape == (None, 4) and symbolic._keras_mask.dtype == "bool"
    numpy.testing.assert_array_equal(embedding.compute_mask(TOKENS).numpy(), EXPECTED)
    assert kerasish.layers.Embedding(8, 2)(TOKENS)._keras_mask is None


def test_supports_masking_as_keras():
    assert kerasish.layers.Embedding(8, 2, mask_zero=True).supports_masking
    assert kerasish.layers.LSTM(2).supports_masking
    assert kerasish.layers.Dense(2).supports_masking


def test_a_mask_set_by_hand_reaches_the_next_layer():
    values = kerasish.ops.convert_to_tensor(numpy.ones((2, 4, 3), "float32"))
    values._keras_mask = kerasish.ops.convert_to_tensor(EXPECTED)
    numpy.testing.assert_array_equal(values._keras_mask.numpy(), EXPECTED)
    average = kerasish.layers.GlobalAveragePooling1D()(values)
    numpy.testing.assert_allclose(average.numpy(), numpy.ones((2, 3)))  # the mask is used, not lost
    padded = numpy.ones((2, 4, 3), "float32") * EXPECTED[..., None] * [[[1.0]], [[3.0]]]
    tensor = kerasish.ops.convert_to_tensor(padded)
    tensor._keras_mask = kerasish.ops.convert_to_tensor(EXPECTED)
    numpy.testing.assert_allclose(kerasish.layers.GlobalAveragePooling1D()(tensor).numpy(), [[1.0] * 3, [3.0] * 3])


def test_a_mask_goes_with_its_tensor():
    tensor = kerasish.ops.ones((2,))
    tensor._keras_mask = kerasish.ops.ones((2,), dtype="bool")
    key = id(tensor)
    assert key in masks._MASKS
    del tensor
    gc.collect()
    assert key not in masks._MASKS
