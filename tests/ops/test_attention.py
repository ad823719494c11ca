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


def test_under_a_tape_bad_input_is_still_the_attention_error():
    tensors = [Tensor(x) for x in (QUERY, KEY, VALUE)]
    with kerasish.GradientTape() as tape:
        tape.watch(tensors)
        with pytest.raises(ValueError, match=r"^dot_product_attention: the mask of shape \(2, 3, 5\)"):
            ops.dot_product_attention(*tensors, mask=numpy.ones((2, 3, 5), bool))
        with pytest.raises(ValueError, match=r"^dot_product_attention: key and value must have the same length"):
            ops.dot_product_attention(*tensors[:2], Tensor(VALUE[:, :5]))


def test_keras_errors():
    with pytest.raises(ValueError, match="only supports 4D inputs"):
        ops.dot_product_attention(QUERY[0], KEY[0], VALUE[0])
    with pytest.raises(ValueError, match="attn_logits_soft_cap is only supported for JAX on TPU"):
        ops.dot_product_attention(QUERY, KEY, VALUE, attn_logits_soft_cap=20.0)
    with pytest.raises(ValueError, match="Flash attention is not supported"):
        ops.dot_product_attention(QUERY, KEY, VALUE, flash_attention=True)
    with pytest.raises(ValueError, match=r"multiple of the number of key/value heads \(3\)"):
        ops.dot_product_attention(QUERY, KEY[:, :, :3], VALUE[:, :, :3])


def test_a_recording_tape_keeps_the_probabilities():
    """While a tape records, the attention runs as its two halves and the tape keeps the probabilities for the
    backward pass (no second Q Kᵀ and softmax there); the values are those of the one op that runs untaped."""
    tensors = [Tensor(x) for x in (QUERY, KEY, VALUE)]
    alone = ops.dot_product_attention(*tensors, mask=MASK)
    with kerasish.GradientTape() as tape:
        tape.watch(tensors)
        output = ops.dot_product_attention(*tensors, mask=MASK)
    probabilities, values = tape._records
    assert (probabilities.primitive.name, values.primitive.name) == ("attention_probabilities", "attention_values")
    assert values.inputs[0] is probabilities.output
    numpy.testing.assert_array_equal(output.numpy(), alone.numpy())
    grads = tape.gradient(output, tensors)
    assert [g.shape for g in grads] == [x.shape for x in tensors]


EMPTY_ROW_MASK = MASK.copy()
EMPTY_ROW_MASK[1, :, 2] = False  # a query that sees no key: uniform probabilities, no gradient to its scores


def _derivatives(engine, arguments, arrays, directions):
    """A projection of the attention's output (query, key, value and, if given, bias are `arrays`), its gradients,
    the projection of those gradients along `directions[1:]` and that projection's gradients (Hessian-vector
    products), on `engine`."""

    def derivatives(*xs):
        with kerasish.GradientTape() as outer:
            outer.watch(list(xs))
            with kerasish.GradientTape() as inner:
                inner.watch(list(xs))
                bias = {"bias": xs[3]} if len(xs) > 3 else {}
                loss = ops.sum(ops.dot_product_attention(*xs[:3], **bias, **arguments) * directions[0])
            grads = inner.gradient(loss, list(xs))
            projected = sum(ops.sum(g * d) for g, d in zip(grads, directions[1:]))
        return loss, grads, projected, outer.gradient(projected, list(xs))

    if engine == "static":
        loss, grads, projected, second = kerasish.function(derivatives, engine="static")(*arrays)
    else:
        loss, grads, projected, second = derivatives(*[Tensor(a) for a in arrays])
    return float(loss), [numpy.asarray(g) for g in grads], float(projected), [numpy.asarray(h) for h in second]


@pytest.mark.parametrize(
    "name, arguments",
    [
        ("plain", {}),
        ("bias_scale", dict(scale=0.25)),
        ("mask_causal", dict(mask=EMPTY_ROW_MASK, is_causal=True)),
        ("grouped_bias_mask_causal", dict(mask=EMPTY_ROW_MASK, is_causal=True)),
    ],
)
def test_first_and_second_order_gradients_match_finite_differences(name, arguments, engine):
    """The dynamic engine differentiates the two halves (the probabilities kept), the static engine the one op
    (they are computed again, then once by its pass): both give what central differences give, to second order."""
    key, value = (SHARED_KEY, SHARED_VALUE) if name.startswith("grouped") else (KEY, VALUE)
    arrays = [x.astype("float64") for x in (QUERY, key, value) + ((BIAS,) if "bias" in name else ())]
    rng = numpy.random.default_rng(1)
    directions = [rng.standard_normal(QUERY.shape[:3] + value.shape[3:])] + [
        rng.standard_normal(a.shape) for a in arrays
    ]
    steps = [rng.standard_normal(a.shape) for a in arrays]
    _, grads, _, second = _derivatives(engine, arguments, arrays, directions)
    eps = 1e-6
    up, _, projected_up, _ = _derivatives(
        "dynamic", arguments, [a + eps * s for a, s in zip(arrays, steps)], directions
    )
    down, _, projected_down, _ = _derivatives(
        "dynamic", arguments, [a - eps * s for a, s in zip(arrays, steps)], directions
    )
    along = [sum(float(numpy.sum(g * s)) for g, s in zip(derivative, steps)) for derivative in (grads, second)]
    numpy.testing.assert_allclose(along[0], (up - down) / (2 * eps), rtol=1e-6)
    numpy.testing.assert_allclose(along[1], (projected_up - projected_down) / (2 * eps), rtol=1e-6)
