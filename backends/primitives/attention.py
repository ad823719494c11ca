"""Scaled dot-product attention (Keras's `ops.dot_product_attention`) as one primitive with its own VJP.

Layout as Keras's: query (B, T, N, H), key (B, S, K, H), value (B, S, K, Hv), N a multiple of K (grouped
query attention: query head n reads key/value head n // (N / K), as Keras's `repeat` of the key heads);
`bias` and the boolean `mask` broadcast to the scores (B, N, T, S); `causal` keeps key j <= query i (the
lower triangle from the top-left corner, as Keras). A masked score becomes a large negative number before
the softmax (Keras's `where`), so a row masked everywhere averages the values uniformly.

`dot_product_attention` materialises one array beyond its inputs and output: the score matrix, turned
into probabilities in place. It is `attention_values(attention_probabilities(q, k, ...), v)`, and primitives
have one output, so its VJP computes the probabilities again (one more Q Kᵀ and softmax, as flash attention
does). Neither engine pays that in training: while a tape records, the dynamic engine runs the two halves, so
the tape keeps the probabilities (one (B, N, T, S) array per attention until the backward pass, as torch and
JAX keep them); the static engine, which sees both passes, computes them once (passes/recomputed_residuals.py).
Both follow the `recomputes` fact. Without a tape the attention stays one op and nothing is kept. The gradient
of the scores is softmax's (`softmax_gradient`, one op); every VJP is written with ops, so higher orders work.
"""

import math

import numpy

from ..kernels import softmax as softmax_kernels
from .registry import broadcast_shapes, describe, export, ops, primitive, result_dtype, shape_of
from .softmax import softmax_gradient


def _large_negative(dtype):
    return -0.7 * float(numpy.finfo(dtype).max)


# ----- layouts, written once for xp (forward) and ops (VJPs): both have reshape/transpose/matmul ------------


def _query_heads(api, q, groups):
    """(B, T, N, H) -> (B, N, T, H), or (B, K, G, T, H) when key/value heads are shared by G query heads."""
    if groups == 1:
        return api.transpose(q, (0, 2, 1, 3))
    _, length, heads, depth = shape_of(q)
    return api.transpose(api.reshape(q, (-1, length, heads // groups, groups, depth)), (0, 2, 3, 1, 4))


def _key_heads(api, k, groups):
    """(B, S, K, H) -> (B, K, S, H), or (B, K, 1, S, H) beside grouped query heads."""
    heads = api.transpose(k, (0, 2, 1, 3))
    return heads if groups == 1 else api.expand_dims(heads, 2)


def _from_query_heads(api, x, groups):
    """The inverse of `_query_heads`: (B, N, T, D) or (B, K, G, T, D) -> (B, T, N, D)."""
    if groups == 1:
        return api.transpose(x, (0, 2, 1, 3))
    _, heads, group, length, depth = shape_of(x)
    return api.reshape(api.transpose(x, (0, 3, 1, 2, 4)), (-1, length, heads * group, depth))


def _from_key_heads(api, x, groups):
    """The gradient of `_key_heads`: (B, K, S, D), or (B, K, G, S, D) summed over G -> (B, S, K, D)."""
    if groups != 1:
        x = api.sum(x, axis=2)
    return api.transpose(x, (0, 2, 1, 3))


def _grouped_scores(api, scores, groups):
    """(B, N, T, S) scores as (B, K, G, T, S) when query heads are grouped."""
    if groups == 1:
        return scores
    _, heads, length, source = shape_of(scores)
    return api.reshape(scores, (-1, heads // groups, groups, length, source))


def _ungrouped_scores(api, scores, groups):
    if groups == 1:
        return scores
    _, heads, group, length, source = shape_of(scores)
    return api.reshape(scores, (-1, heads * group, length, source))


def _swap(api, x):
    rank = len(shape_of(x))
    return api.transpose(x, tuple(range(rank - 2)) + (rank - 1, rank - 2))


def _groups(q, k):
    return shape_of(q)[2] // shape_of(k)[2]


def _extras(inputs, biased, masked):
    """(bias, mask) from the inputs after query and key (and value), None where absent."""
    rest = list(inputs)
    bias = rest.pop(0) if biased else None
    mask = rest.pop(0) if masked else None
    return bias, mask


# ----- forward ------------------------------------------------------------------------------------


def _probabilities(xp, q, k, bias, mask, scale, causal):
    """softmax(mask(scale * Q Kᵀ + bias)) over the keys, shape (B, N, T, S), computed in one array."""
    groups = _groups(q, k)
    scores = xp.matmul(_query_heads(xp, q, groups), _swap(xp, _key_heads(xp, k, groups)))
    scores = _ungrouped_scores(xp, scores, groups)
    scores *= scores.dtype.type(scale)
    if bias is not None:
        scores += bias
    dropped = None if mask is None else xp.logical_not(mask)
    if causal:
        above = xp.logical_not(xp.tri(scores.shape[-2], scores.shape[-1], dtype=bool))
        dropped = above if dropped is None else xp.logical_or(dropped, above)
    if dropped is not None:
        xp.copyto(scores, scores.dtype.type(_large_negative(scores.dtype)), where=dropped)
    return softmax_kernels.softmax(xp, scores, -1, overwrite=True)


def _probabilities_forward(xp, q, k, *extras, scale, causal, biased, masked):
    return _probabilities(xp, q, k, *_extras(extras, biased, masked), scale, causal)


def _values_forward(xp, p, v):
    """The probabilities (B, N, T, S) times the values (B, S, K, Hv): the encoded queries (B, T, N, Hv), which
    the product writes in that layout (no transposed copy)."""
    batch, heads, length, _ = p.shape
    groups = heads // v.shape[2]
    encoded = xp.empty((batch, length, heads, v.shape[3]), xp.result_type(p, v))
    xp.matmul(_grouped_scores(xp, p, groups), _key_heads(xp, v, groups), out=_query_heads(xp, encoded, groups))
    return encoded


def _attention_forward(xp, q, k, v, *extras, scale, causal, biased, masked):
    return _values_forward(xp, _probabilities(xp, q, k, *_extras(extras, biased, masked), scale, causal), v)


# ----- shapes -------------------------------------------------------------------------------------


def _check_rank(name, shapes):
    if any(len(s) != 4 for s in shapes):
        raise ValueError(
            f"`{name}` only supports 4D inputs. Received: query.shape={shapes[0]}, key.shape={shapes[1]}"
            + (f", value.shape={shapes[2]}." if len(shapes) > 2 else ".")
        )


def _scores_shape(name, q, k, extra_shapes, biased, masked):
    """The scores' shape (B, N, T, S); bias and mask must broadcast to it (an error names both shapes)."""
    batch, length, heads, depth = q
    key_batch, source, key_heads, key_depth = k
    if None not in (depth, key_depth) and depth != key_depth:
        raise ValueError(f"{name}: query and key heads differ in size: query.shape={q}, key.shape={k}")
    if None not in (heads, key_heads) and heads % key_heads:
        raise ValueError(
            f"{name}: the number of query heads ({heads}) must be a multiple of the number of key/value heads "
            f"({key_heads}): query.shape={q}, key.shape={k}"
        )
    if None not in (batch, key_batch) and batch != key_batch:
        raise ValueError(f"{name}: query and key differ in batch size: query.shape={q}, key.shape={k}")
    scores = (batch if batch is not None else key_batch, heads, length, source)
    bias, mask = _extras(extra_shapes, biased, masked)
    for label, shape in (("bias", bias), ("mask", mask)):
        if shape is None:
            continue
        try:
            fits = len(shape) <= 4 and broadcast_shapes(name, shape, scores) == broadcast_shapes(name, scores)
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(
                f"{name}: the {label} of shape {tuple(shape)} does not broadcast to the attention scores "
                f"(batch, heads, query length, key length) = {scores} (query.shape={q}, key.shape={k})"
            )
    return scores


def _probabilities_infer(shapes, dtypes, scale, causal, biased, masked):
    shapes = [tuple(s) for s in shapes]
    _check_rank("attention_probabilities", shapes[:2])
    scores = _scores_shape("attention_probabilities", shapes[0], shapes[1], shapes[2:], biased, masked)
    return scores, result_dtype(*dtypes[:2])


def _attention_infer(shapes, dtypes, scale, causal, biased, masked):
    shapes = [tuple(s) for s in shapes]
    _check_rank("dot_product_attention", shapes[:3])
    q, k, v = shapes[:3]
    if None not in (k[1], v[1], k[2], v[2]) and (k[1], k[2]) != (v[1], v[2]):
        raise ValueError(
            f"dot_product_attention: key and value must have the same length and heads: key.shape={k}, value.shape={v}"
        )
    _scores_shape("dot_product_attention", q, k, shapes[3:], biased, masked)
    return q[:3] + v[3:], result_dtype(*dtypes[:3])


def _values_infer(shapes, dtypes):
    p, v = (tuple(s) for s in shapes)
    if len(p) != 4 or len(v) != 4:
        raise ValueError(f"attention_values: probabilities and values must be 4D, got {describe(shapes)}")
    batch, heads, length, source = p
    if None not in (source, v[1]) and source != v[1]:
        raise ValueError(
            f"attention_values: the probabilities' key length {source} is not the values' length {v[1]}: "
            f"probabilities.shape={p}, value.shape={v}"
        )
    return (batch if batch is not None else v[0], length, heads, v[3]), result_dtype(*dtypes)


# ----- gradients ----------------------------------------------------------------------------------


def _score_gradients(d_scores, q, k, needs, scale, groups):
    """Gradients of query and key from the gradient of the scaled scores (B, N, T, S)."""
    d_scores = _grouped_scores(ops, d_scores, groups)
    d_q = d_k = None
    if needs[0]:
        d_q = _from_query_heads(ops, ops.matmul(d_scores, _key_heads(ops, k, groups)) * scale, groups)
    if needs[1]:
        d_k = _from_key_heads(ops, ops.matmul(_swap(ops, d_scores), _query_heads(ops, q, groups)) * scale, groups)
    return d_q, d_k


def _kept(d_scores, mask, causal):
    """A masked score is replaced, not shifted: no gradient reaches it. This matters only in a row masked
    everywhere, where the probabilities are uniform instead of zero; the causal mask alone leaves every row
    its first key, so it counts only beside a mask."""
    if mask is None:
        return d_scores
    if causal:
        length, source = shape_of(d_scores)[-2:]
        if None in (length, source):
            below = ops.greater(ops.tril(ops.ones_like(d_scores)), 0.0)
        else:
            below = numpy.tri(length, source, dtype=bool)
        mask = ops.logical_and(mask, below)
    return ops.where(mask, d_scores, 0.0)


def _probabilities_vjp(g, inputs, p, needs, scale, causal, biased, masked):
    q, k, *extras = inputs
    bias, mask = _extras(extras, biased, masked)
    d_scores = _kept(softmax_gradient(p, g, axis=-1), mask, causal)
    d_q, d_k = _score_gradients(d_scores, q, k, needs, scale, _groups(q, k))
    return (d_q, d_k) + ((d_scores,) if biased else ()) + ((None,) if masked else ())


def _values_vjp(g, inputs, output, needs):
    p, v = inputs
    groups = shape_of(p)[1] // shape_of(v)[2]
    g_heads = _query_heads(ops, g, groups)
    d_p = d_v = None
    if needs[0]:
        d_p = _ungrouped_scores(ops, ops.matmul(g_heads, _swap(ops, _key_heads(ops, v, groups))), groups)
    if needs[1]:
        d_v = _from_key_heads(ops, ops.matmul(_swap(ops, _grouped_scores(ops, p, groups)), g_heads), groups)
    return d_p, d_v


def _attention_vjp(g, inputs, output, needs, scale, causal, biased, masked):
    """The two halves' rules in turn, the probabilities computed again."""
    q, k, v, *extras = inputs
    attrs = dict(scale=scale, causal=causal, biased=biased, masked=masked)
    p = attention_probabilities(q, k, *extras, **attrs)
    score_needs = (needs[0], needs[1], *needs[3:])
    d_p, d_v = _values_vjp(g, (p, v), output, (needs[0] or needs[1] or (biased and needs[3]), needs[2]))
    if d_p is None:
        return (None, None, d_v) + (None,) * len(extras)
    d_q, d_k, *d_extras = _probabilities_vjp(d_p, (q, k, *extras), p, score_needs, **attrs)
    return (d_q, d_k, d_v, *d_extras)


attention_probabilities = primitive(
    "attention_probabilities", _probabilities_forward, _probabilities_vjp, _probabilities_infer, fresh=True
)
attention_values = primitive("attention_values", _values_forward, _values_vjp, _values_infer, saves=(0, 1), fresh=True)
_attention = primitive(
    "dot_product_attention",
    _attention_forward,
    _attention_vjp,
    _attention_infer,
    fresh=True,
    recomputes=(attention_probabilities, attention_values, (2,)),
)


@export
def dot_product_attention(
    query,
    key,
    value,
    bias=None,
    mask=None,
    scale=None,
    is_causal=False,
    flash_attention=None,
    attn_logits_soft_cap=None,
):
    if attn_logits_soft_cap is not None:
        raise ValueError(
            "attn_logits_soft_cap is only supported for JAX on TPU. "
            "Set attn_logits_soft_cap=None when not using JAX on TPU."
        )
    if flash_attention:
        raise ValueError(
            "Flash attention is not supported by kerasish's numpy and cupy backends: pass flash_attention=None "
            "or False (dot_product_attention keeps only the score matrix beyond its inputs and output)."
        )
    shapes = [shape_of(x) for x in (query, key, value)]
    _check_rank("dot_product_attention", shapes)
    if scale is None:
        depth = shapes[1][-1]
        if depth is None:
            raise ValueError(f"dot_product_attention: the key's last dimension must be known, got {describe(shapes)}")
        scale = 1.0 / math.sqrt(depth)
    extras = []
    if bias is not None:
        extras.append(bias)
    if mask is not None:
        extras.append(mask if str(getattr(mask, "dtype", "")) == "bool" else ops.cast(mask, "bool"))
    return _attention(
        query,
        key,
        value,
        *extras,
        scale=float(scale),
        causal=bool(is_causal),
        biased=bias is not None,
        masked=mask is not None,
    )
