"""`ops.dot_product_attention`: Keras's numbers (JAX backend) with bias, masks, causal masks, scales and
grouped key/value heads; float32 kept; symbolic shapes; Keras's errors; what the primitive keeps for its
gradient."""

import os

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends.dynamic import Tensor
from kerasish.backends.symbolic import KerasTensor

rng = numpy.random.default_rng(0)
QUERY = rng.standard_normal((2, 3, 4, 5)).astype("float32")
KEY = rng.standard_normal((2, 6, 4, 5)).astype("float32")
VALUE = rng.standard_normal((2, 6, 4, 5)).astype("float32")
SHARED_KEY, SHARED_VALUE = KEY[:, :, :2], rng.standard_normal((2, 6, 2, 5)).astype("float32")
BIAS = rng.standard_normal((1, 4, 3, 6)).astype("float32")
MASK = rng.random((2, 1, 3, 6)) > 0.3

CASES = {
    "plain": ((QUERY, KEY, VALUE), {}),
    "bias_scale": ((QUERY, KEY, VALUE), dict(bias=BIAS, scale=0.25)),
    "mask": ((QUERY, KEY, VALUE), dict(mask=MASK)),
    "causal": ((QUERY, KEY, VALUE), dict(is_causal=True)),
    "grouped_bias_mask_causal": ((QUERY, SHARED_KEY, SHARED_VALUE), dict(bias=BIAS, mask=MASK, is_causal=True)),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras(name):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    arrays, arguments = CASES[name]
    expected = numpy.asarray(keras.ops.dot_product_attention(*arrays, **arguments))
    result = ops.dot_product_attention(*arrays, **arguments)
    assert result.dtype == numpy.float32
    numpy.testing.assert_allclose(result.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_symbolic_shapes_follow_the_value_heads():
    query, key, value = KerasTensor((None, 3, 4, 5)), KerasTensor((None, 6, 2, 5)), KerasTensor((None, 6, 2, 7))
    assert tuple(ops.dot_product_attention(query, key, value).shape) == (None, 3, 4, 7)


def test_a_mask_of_the_wrong_shape_names_both_shapes():
    with pytest.raises(ValueError, match=r"mask of shape \(2, 3, 5\).*\(2, 4, 3, 6\)"):
        ops.dot_product_attention(QUERY, KEY, VALUE, mask=numpy.ones((2, 3, 5), bool))
    with pytest.raises(ValueError, match=r"bias of shape \(4, 4\).*\(2, 4, 3, 6\)"):
        ops.dot_product_attention(QUERY, KEY, VALUE, bias=numpy.ones((4, 4), "float32"))


def test_keras_errors():
    with pytest.raises(ValueError, match="only supports 4D inputs"):
        ops.dot_product_attention(QUERY[0], KEY[0], VALUE[0])
    with pytest.raises(ValueError, match="attn_logits_soft_cap is only supported for JAX on TPU"):
        ops.dot_product_attention(QUERY, KEY, VALUE, attn_logits_soft_cap=20.0)
    with pytest.raises(ValueError, match="Flash attention is not supported"):
        ops.dot_product_attention(QUERY, KEY, VALUE, flash_attention=True)
    with pytest.raises(ValueError, match=r"multiple of the number of key/value heads \(3\)"):
        ops.dot_product_attention(QUERY, KEY[:, :, :3], VALUE[:, :, :3])


def test_the_tape_keeps_the_inputs_and_output_only():
    """One record for the whole attention: the probabilities are recomputed in the backward pass, not kept."""
    tensors = [Tensor(x) for x in (QUERY, KEY, VALUE)]
    with kerasish.GradientTape() as tape:
        tape.watch(tensors)
        output = ops.dot_product_attention(*tensors, mask=MASK)
    names = [record.primitive.name for record in tape._records]
    assert names == ["dot_product_attention"]
    grads = tape.gradient(output, tensors)
    assert [g.shape for g in grads] == [x.shape for x in tensors]
