"""GroupQueryAttention (Keras 3's `GroupedQueryAttention`): `num_query_heads` query heads share
`num_key_value_heads` key/value heads. The fused path hands the shared key/value heads to
`ops.dot_product_attention` as they are (the primitive groups the query heads); the explicit path (dropout,
returned scores) repeats them as Keras does."""

import math

from kerasish import ops
from kerasish.layers.activations.softmax import Softmax
from kerasish.layers.arguments import validate_positive_int
from kerasish.layers.attention.multi_head_attention import (
    attention_mask_from,
    causal_mask,
    check_attention_mask,
    check_no_scores_with_flash,
    flash_attention_argument,
    only_causal,
    serialize_weight_arguments,
    sliding_window_argument,
    sublayer_arguments,
    take_masks,
    weight_arguments,
)
from kerasish.layers.core.einsum_dense import EinsumDense
from kerasish.layers.layer import Layer
from kerasish.layers.regularization.dropout import Dropout, check_fraction


class GroupedQueryAttention(Layer):
    keras_class_name = "GroupQueryAttention"  # the name Keras exports it under, and writes in configs

    def __init__(
        self,
        head_dim,
        num_query_heads,
        num_key_value_heads,
        dropout=0.0,
        use_bias=True,
        sliding_window=None,
        flash_attention=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        use_gate=False,
        seed=None,
        **kwargs,
    ):
        self.head_dim = validate_positive_int(head_dim, "head_dim")
        self.num_query_heads = validate_positive_int(num_query_heads, "num_query_heads")
        self.num_key_value_heads = validate_positive_int(num_key_value_heads, "num_key_value_heads")
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError(
                "`num_query_heads` must be divisible by `num_key_value_heads`. Received: "
                f"num_query_heads={num_query_heads}, num_key_value_heads={num_key_value_heads}"
            )
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)  # Keras regularizes its output too
        self.supports_masking = True
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = check_fraction(dropout, "dropout")
        self.use_bias = use_bias
        self.use_gate = use_gate
        self.sliding_window = sliding_window_argument(sliding_window)
        self._flash_attention = flash_attention_argument(flash_attention, dropout)
        self._weight_arguments = weight_arguments(
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            activity_regularizer,
            kernel_constraint,
            bias_constraint,
        )
        self.seed = seed
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(self.head_dim))

    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        self.feature_dim = query_shape[-1]
        self._query_dense = self._projection("bqm,muh->bquh", self.num_query_heads, "uh", "query", query_shape)
        self._key_dense = self._projection("bkm,mvh->bkvh", self.num_key_value_heads, "vh", "key", key_shape)
        if self.use_gate:
            self._gate_dense = self._projection(
                "bqm,muh->bquh", self.num_query_heads, "uh", "gate", query_shape, "sigmoid"
            )
        self._value_dense = self._projection("bkm,mvh->bkvh", self.num_key_value_heads, "vh", "value", value_shape)
        self._softmax = Softmax(axis=-1, dtype=self.dtype_policy)
        self._dropout_layer = Dropout(rate=self.dropout, dtype=self.dtype_policy, seed=self.seed)
        self._output_dense = EinsumDense(
            "bquh,uhm->bqm",
            output_shape=(None, self.feature_dim),
            bias_axes="m" if self.use_bias else None,
            name="attention_output",
            **sublayer_arguments(self._weight_arguments, self.dtype_policy),
        )
        self._output_dense.build((None, None, self.num_query_heads, self.head_dim))

    def _projection(self, equation, heads, bias_axes, name, input_shape, activation=None):
        layer = EinsumDense(
            equation,
            output_shape=(None, heads, self.head_dim),
            bias_axes=bias_axes if self.use_bias else None,
            activation=activation,
            name=name,
            **sublayer_arguments(self._weight_arguments, self.dtype_policy),
        )
        layer.build(tuple(input_shape))
        return layer

    def call(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        return_attention_scores=False,
        training=None,
        use_causal_mask=False,
    ):
        query_mask, value_mask, key_mask = take_masks(query, value, key, query_mask, value_mask, key_mask)
        key = value if key is None else key
        masks = (query_mask, value_mask, key_mask, attention_mask)
        causal_only = only_causal(use_causal_mask, self.sliding_window, *masks)
        mask = None
        if not causal_only:
            check_attention_mask(
                attention_mask, (query.shape[0], query.shape[1], value.shape[1]), query, value, self.num_query_heads
            )
            mask = attention_mask_from(
                query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask, self.sliding_window
            )
        gate = self._gate_dense(query) if self.use_gate else None
        query, key, value = self._query_dense(query), self._key_dense(key), self._value_dense(value)
        output, scores = self._compute_attention(
            query, key, value, mask, training, return_attention_scores, use_causal_mask=causal_only
        )
        output = self._output_dense(output if gate is None else ops.multiply(output, gate))
        return (output, scores) if return_attention_scores else output

    def _compute_attention(
        self, query, key, value, attention_mask, training, return_attention_scores, use_causal_mask=False
    ):
        check_no_scores_with_flash(self._flash_attention, return_attention_scores)
        if not (self.dropout > 0.0 or return_attention_scores):
            if attention_mask is not None:
                attention_mask = ops.expand_dims(attention_mask, -3)
            output = ops.dot_product_attention(
                query,
                key,
                value,
                mask=attention_mask,
                scale=self._inverse_sqrt_head_dim,
                is_causal=use_causal_mask,
                flash_attention=self._flash_attention,
            )
            return output, None
        key, value = ops.repeat(key, self.num_repeats, axis=2), ops.repeat(value, self.num_repeats, axis=2)
        if use_causal_mask:
            mask = causal_mask(query, value)
            attention_mask = mask if attention_mask is None else ops.logical_and(attention_mask, mask)
        query = ops.multiply(query, ops.cast(self._inverse_sqrt_head_dim, query.dtype))
        scores = ops.einsum("bquh,bkuh->buqk", query, key)
        if attention_mask is not None:
            attention_mask = ops.expand_dims(attention_mask, -3)
        scores = self._softmax(scores, mask=attention_mask)
        dropped = self._dropout_layer(scores, training=training) if self.dropout > 0.0 else scores
        return ops.einsum("buqk,bkuh->bquh", dropped, value), scores

    def _symbolic_outputs(self, args, kwargs):
        # `return_attention_scores` decides how many outputs there are, which a shape rule cannot see
        return self.call(*args, **kwargs)

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(
                "The last dimension of `query_shape` and `value_shape` must be equal, but are "
                f"{query_shape[-1]}, {value_shape[-1]}. Received: query_shape={query_shape}, "
                f"value_shape={value_shape}"
            )
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. "
                f"Received: value_shape={value_shape} and key_shape={key_shape}"
            )
        return tuple(query_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "use_bias": self.use_bias,
            "use_gate": self.use_gate,
            "dropout": self.dropout,
            "sliding_window": self.sliding_window,
            **serialize_weight_arguments(self._weight_arguments),
            "seed": self.seed,
        }


GroupQueryAttention = GroupedQueryAttention
