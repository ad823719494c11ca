"""Attention (Keras 3's Luong-style dot-product attention) over `[query, value]` or `[query, value, key]`:
scores `query @ keyᵀ` (times a learned `scale` with `use_scale`) or, with `score_mode="concat"`,
`concat_score_weight * sum(tanh(scale * (query + key)))`; masked keys get `-1e9` added, softmax, dropout,
times the values; the query mask zeroes padded outputs and is the output's mask."""

from kerasish import ops, random
from kerasish.layers.layer import Layer
from kerasish.layers.regularization.dropout import check_fraction


class Attention(Layer):
    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = check_fraction(dropout, "dropout")
        self.seed = seed
        if self.dropout > 0:
            self.seed_generator = random.SeedGenerator(seed=seed)
        if self.score_mode not in ["dot", "concat"]:
            raise ValueError(
                "Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
                f"Received: score_mode={score_mode}"
            )
        self.supports_masking = True

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(), initializer="ones")

    def _calculate_scores(self, query, key):
        """Scores (batch, Tq, Tv)."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.swapaxes(key, -2, -1))
            return scores if self.scale is None else ops.multiply(scores, self.scale)
        summed = ops.expand_dims(query, axis=-2) + ops.expand_dims(key, axis=-3)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * ops.sum(ops.tanh(summed), axis=-1)

    def _apply_scores(self, scores, value, scores_mask=None, training=False):
        if scores_mask is not None:
            padding_mask = ops.logical_not(scores_mask)
            max_value = 65504.0 if str(scores.dtype) == "float16" else 1.0e9
            if len(padding_mask.shape) == 2:
                padding_mask = ops.expand_dims(padding_mask, axis=-2)
            scores = ops.where(padding_mask, scores - max_value, scores)
        weights = ops.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = random.dropout(weights, self.dropout, seed=self.seed_generator)
        return ops.matmul(weights, value), weights

    def _calculate_score_mask(self, scores, value_mask, use_causal_mask):
        if not use_causal_mask:
            return value_mask
        rows, columns = scores.shape[-2], scores.shape[-1]
        if rows is None or columns is None:
            raise ValueError(f"use_causal_mask needs known sequence lengths; the scores have shape {scores.shape}")
        causal = ops.greater_equal(
            ops.reshape(ops.arange(rows), (1, rows, 1)), ops.reshape(ops.arange(columns), (1, 1, columns))
        )
        if value_mask is None:
            return causal
        return ops.logical_and(ops.expand_dims(value_mask, axis=-2), causal)

    def call(self, inputs, mask=None, training=False, return_attention_scores=False, use_causal_mask=False):
        self._validate_inputs(inputs=inputs, mask=mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        if value_mask is not None:
            value_mask = ops.cast(value_mask, "bool")
        scores = self._calculate_scores(query=query, key=key)
        scores_mask = self._calculate_score_mask(scores, value_mask, use_causal_mask)
        self._check_scores_mask(scores_mask, scores)
        output, attention_scores = self._apply_scores(scores, value, scores_mask=scores_mask, training=training)
        if query_mask is not None:
            output = ops.where(ops.expand_dims(ops.cast(query_mask, "bool"), axis=-1), output, 0)
        return (output, attention_scores) if return_attention_scores else output

    def _check_scores_mask(self, scores_mask, scores):
        if scores_mask is None:
            return
        shape, expected = tuple(scores_mask.shape), tuple(scores.shape)
        if len(shape) == 2:  # a value mask (batch, Tv)
            shape = shape[:1] + (1,) + shape[1:]
        fits = len(shape) <= len(expected) and all(
            m is None or e is None or m in (1, e) for m, e in zip(shape[::-1], expected[::-1])
        )
        if not fits:
            raise ValueError(
                f"the mask of shape {tuple(scores_mask.shape)} does not fit the attention scores of shape "
                f"{expected} (batch, Tq, Tv): the value mask must be (batch, Tv)"
            )

    def compute_mask(self, inputs, mask=None):
        self._validate_inputs(inputs=inputs, mask=mask)
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def _symbolic_outputs(self, args, kwargs):
        # `return_attention_scores` decides how many outputs there are, which a shape rule cannot see
        return self.call(*args, **kwargs)

    def compute_output_shape(self, input_shape):
        self._validate_inputs(input_shape)
        return (*input_shape[0][:-1], input_shape[1][-1])

    def _validate_inputs(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(
                f"{name} layer must be called on a list of inputs, namely [query, value] or [query, value, key]. "
                f"Received: inputs={inputs}."
            )
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(
                f"{name} layer accepts inputs list of length 2 or 3, namely [query, value] or "
                f"[query, value, key]. Received length: {len(inputs)}."
            )
        if mask is not None:
            if not isinstance(mask, list):
                raise ValueError(
                    f"{name} layer mask must be a list, namely [query_mask, value_mask]. Received: mask={mask}."
                )
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(
                    f"{name} layer accepts mask list of length 2 or 3. Received: inputs={inputs}, mask={mask}."
                )

    def get_config(self):
        return {
            **super().get_config(),
            "use_scale": self.use_scale,
            "score_mode": self.score_mode,
            "dropout": self.dropout,
            "seed": self.seed,
        }
