"""Cases for scaled dot-product attention (the `dot_product_attention` primitive and, in its VJP,
`attention_probabilities`; `attention_values`, its second half, which the static engine uses), against a
numpy reference written as Keras's numpy backend computes it."""

import numpy

from kerasish import ops
from kerasish.backends.primitives.attention import attention_values

from . import Case, randn, rng


def attention_reference(q, k, v, bias=None, mask=None, scale=None, causal=False):
    groups = q.shape[2] // k.shape[2]
    k, v = numpy.repeat(k, groups, axis=2), numpy.repeat(v, groups, axis=2)
    scores = numpy.einsum("btnh,bsnh->bnts", q, k) * (1 / numpy.sqrt(q.shape[-1]) if scale is None else scale)
    if bias is not None:
        scores = scores + bias
    keep = numpy.ones(scores.shape, bool)
    if mask is not None:
        keep &= mask
    if causal:
        keep &= numpy.tri(*scores.shape[-2:], dtype=bool)
    scores = numpy.where(keep, scores, -0.7 * numpy.finfo(scores.dtype).max)
    p = numpy.exp(scores - scores.max(-1, keepdims=True))
    return numpy.einsum("bnts,bsnh->btnh", p / p.sum(-1, keepdims=True), v)


def values_reference(p, v):
    return numpy.einsum("bnts,bsnh->btnh", p, numpy.repeat(v, p.shape[1] // v.shape[2], axis=2))


def _mask(shape, seed, empty_row=True):
    mask = rng(seed).random(shape) > 0.3
    if empty_row:
        mask[0, ..., 1, :] = False  # a row masked everywhere: uniform probabilities, no gradient to its scores
    return mask


_Q, _K, _V = randn(2, 3, 4, 5), randn(2, 6, 4, 5, seed=1), randn(2, 6, 4, 3, seed=2)
_K_SHARED, _V_SHARED = randn(2, 6, 2, 5, seed=3), randn(2, 6, 2, 3, seed=4)

CASES = [
    Case(
        "dot_product_attention",
        ops.dot_product_attention,
        [_Q, _K, _V],
        attention_reference,
        covers=("attention_probabilities",),
    ),
    Case(
        "dot_product_attention",
        lambda q, k, v, b: ops.dot_product_attention(q, k, v, bias=b, scale=0.3),
        [_Q, _K, _V, randn(1, 4, 3, 6, seed=5)],
        lambda q, k, v, b: attention_reference(q, k, v, bias=b, scale=0.3),
        id="dot_product_attention-bias-scale",
    ),
    Case(
        "dot_product_attention",
        lambda q, k, v, m: ops.dot_product_attention(q, k, v, mask=m, is_causal=True),
        [_Q, _K, _V, _mask((2, 1, 3, 6), 6)],
        lambda q, k, v, m: attention_reference(q, k, v, mask=m, causal=True),
        id="dot_product_attention-mask-causal",
    ),
    Case(
        "dot_product_attention",
        lambda q, k, v, b, m: ops.dot_product_attention(q, k, v, bias=b, mask=m, is_causal=True),
        [_Q, _K_SHARED, _V_SHARED, randn(2, 4, 3, 6, seed=7), _mask((3, 6), 8, empty_row=False)],
        lambda q, k, v, b, m: attention_reference(q, k, v, bias=b, mask=m, causal=True),
        id="dot_product_attention-grouped-bias-mask-causal",
    ),
    Case(
        "attention_probabilities",
        lambda q, k, m: ops.dot_product_attention(q, k, ops.ones_like(k), mask=m),
        [_Q, _K_SHARED, _mask((2, 4, 3, 6), 9)],
        lambda q, k, m: attention_reference(q, k, numpy.ones_like(k), mask=m),
        id="attention_probabilities-grouped-mask",
    ),
    Case("attention_values", attention_values, [randn(2, 4, 3, 6, seed=10), _V], values_reference),
    Case(
        "attention_values",
        attention_values,
        [randn(2, 4, 3, 6, seed=11), _V_SHARED],
        values_reference,
        id="attention_values-grouped",
    ),
]
