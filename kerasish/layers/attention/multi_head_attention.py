"""MultiHeadAttention (Keras 3): query, key and value projected by EinsumDense layers into heads, scaled
dot-product attention, and an EinsumDense back to the query's width (or `output_shape`).

The attention runs where Keras runs it: `ops.dot_product_attention` (one primitive, forward and VJP) for
rank-3 inputs without dropout or returned scores; otherwise Keras's explicit path (einsum scores, a masked
Softmax, Dropout, einsum combination), which also serves `attention_axes` over several axes. The attention
mask is Keras's: the query's Keras mask (B, T, 1), the value's and key's (B, 1, S), the causal and
sliding-window masks (1, T, S) and `attention_mask`, all and-ed.
"""

import math
import string

from kerasish import constraints, initializers, ops, regularizers
from kerasish.layers.activations.softmax import Softmax
from kerasish.layers.arguments import validate_positive_int
from kerasish.layers.core.einsum_dense import EinsumDense
from kerasish.layers.layer import Layer, get_mask, set_mask
from kerasish.layers.regularization.dropout import Dropout, check_fraction


def sliding_window_argument(value):
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value <= 0):
        raise ValueError(f"`sliding_window` must be `None` or a positive integer. Received: sliding_window={value}")
    return value


def flash_attention_argument(flash_attention, dropout):
    if flash_attention and dropout > 0.0:
        raise ValueError(
            "Dropout is not supported when flash attention is enabled. "
            "Please set dropout to 0.0 to use flash attention."
        )
    return flash_attention


def check_no_scores_with_flash(flash_attention, return_attention_scores):
    if flash_attention and return_attention_scores:
        raise ValueError(
            "Returning attention scores is not supported when flash attention is enabled. Please disable "
            "flash attention to access attention scores."
        )


def _sequence_lengths(query, value):
    length, source = query.shape[1], value.shape[1]
    if length is None or source is None:
        raise ValueError(
            "a causal or sliding-window mask needs known sequence lengths; received "
            f"query.shape={tuple(query.shape)} and value.shape={tuple(value.shape)}"
        )
    return length, source


def take_masks(query, value, key, query_mask, value_mask, key_mask):
    """The Keras masks of the inputs (unless given), taken off them as Keras does: the attention mask
    carries them, and the projections do not support masking. The output gets the query's mask."""
    query_mask = get_mask(query) if query_mask is None else query_mask
    value_mask = get_mask(value) if value_mask is None else value_mask
    if key is not None and key is not value and key_mask is None:
        key_mask = get_mask(key)
    for x in (query, value, key):
        if x is not None and get_mask(x) is not None:
            set_mask(x, None)
    return query_mask, value_mask, key_mask


def causal_mask(query, value):
    """(1, T, S), True where key position j <= query position i."""
    length, source = _sequence_lengths(query, value)
    return ops.greater_equal(
        ops.reshape(ops.arange(length), (1, length, 1)), ops.reshape(ops.arange(source), (1, 1, source))
    )


def sliding_window_mask(query, value, window):
    """(1, T, S), True where |i - j| < window."""
    length, source = _sequence_lengths(query, value)
    rows = ops.reshape(ops.arange(length, dtype="int32"), (1, length, 1))
    columns = ops.reshape(ops.arange(source, dtype="int32"), (1, 1, source))
    return ops.less(ops.abs(rows - columns), window)


def only_causal(use_causal_mask, sliding_window, *masks):
    """Whether the causal mask is the only one: the attention primitive then builds it from the shapes, and no
    mask tensor is made."""
    return bool(use_causal_mask) and sliding_window is None and all(mask is None for mask in masks)


def attention_mask_from(
    query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask, sliding_window
):
    """Keras's `_compute_attention_mask`: the Keras masks of the inputs, the causal and sliding-window masks
    and `attention_mask`, and-ed into one boolean mask (B, T, S) (None when there is none)."""
    parts = []
    if query_mask is not None:
        parts.append(ops.expand_dims(ops.cast(query_mask, "bool"), -1))
    for mask in (value_mask, key_mask):
        if mask is not None:
            parts.append(ops.expand_dims(ops.cast(mask, "bool"), -2))
    if use_causal_mask:
        parts.append(causal_mask(query, value))
    if sliding_window is not None:
        parts.append(sliding_window_mask(query, value, sliding_window))
    if attention_mask is not None:
        parts.insert(0, ops.cast(attention_mask, "bool"))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined = ops.logical_and(combined, part)
    return combined


def check_attention_mask(mask, expected, query, value, heads, attention_rank=1):
    """The attention mask must broadcast to `expected`, the scores' shape without the heads axis (or with
    it, before the `attention_rank` query and `attention_rank` key axes)."""
    if mask is None:
        return
    shape = tuple(mask.shape)
    if len(shape) == len(expected) + 1:
        split = len(expected) - 2 * attention_rank
        expected = tuple(expected[:split]) + (heads,) + tuple(expected[split:])
    fits = len(shape) <= len(expected) and all(
        m is None or e is None or m in (1, e) for m, e in zip(shape[::-1], expected[::-1])
    )
    if not fits:
        raise ValueError(
            f"the attention mask of shape {shape} does not broadcast to the attention scores' shape "
            f"(batch, query positions, key positions) {tuple(expected)} (query.shape={tuple(query.shape)}, "
            f"value.shape={tuple(value.shape)})"
        )


def weight_arguments(
    kernel_initializer,
    bias_initializer,
    kernel_regularizer,
    bias_regularizer,
    activity_regularizer,
    kernel_constraint,
    bias_constraint,
):
    """The projections' shared arguments, resolved (an attention layer keeps them for its sublayers)."""
    return dict(
        kernel_initializer=initializers.get(kernel_initializer),
        bias_initializer=initializers.get(bias_initializer),
        kernel_regularizer=regularizers.get(kernel_regularizer),
        bias_regularizer=regularizers.get(bias_regularizer),
        activity_regularizer=regularizers.get(activity_regularizer),
        kernel_constraint=constraints.get(kernel_constraint),
        bias_constraint=constraints.get(bias_constraint),
    )


def sublayer_arguments(arguments, dtype_policy):
    """Arguments for one projection, with fresh initializer instances (a seeded initializer shared by two
    kernels would give them the same values)."""
    fresh = {
        name: type(arguments[name]).from_config(arguments[name].get_config())
        for name in ("kernel_initializer", "bias_initializer")
    }
    return {**arguments, **fresh, "dtype": dtype_policy}


def serialize_weight_arguments(arguments):
    modules = {"initializer": initializers, "regularizer": regularizers, "constraint": constraints}
    return {name: modules[name.rsplit("_", 1)[1]].serialize(value) for name, value in arguments.items()}


class MultiHeadAttention(Layer):
    def __init__(
        self,
        num_heads,
        key_dim,
        value_dim=None,
        dropout=0.0,
        use_bias=True,
        output_shape=None,
        attention_axes=None,
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
        self._num_heads = validate_positive_int(num_heads, "num_heads")
        self._key_dim = validate_positive_int(key_dim, "key_dim")
        self._value_dim = key_dim if value_dim is None else validate_positive_int(value_dim, "value_dim")
        super().__init__(**kwargs)
        self.supports_masking = True
        self._dropout = check_fraction(dropout, "dropout")
        self._use_bias = use_bias
        self._use_gate = use_gate
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError(
                    f"Invalid `output_shape`: {output_shape}. When specified, the `output_shape` should be of "
                    "type tuple, list, or int."
                ) from None
        self._output_shape = output_shape or None
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
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(
                f"`attention_axes` must be an int, list, or tuple.Received: attention_axes={attention_axes}"
            )
        self._attention_axes = tuple(attention_axes) if attention_axes else None
        self._sliding_window = sliding_window_argument(sliding_window)
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)

    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            **serialize_weight_arguments(self._weight_arguments),
            "seed": self.seed,
        }

    def build(self, query_shape, value_shape, key_shape=None):
        # the projections are public attributes (Keras's properties): Keras's `.keras` files name them so
        key_shape = value_shape if key_shape is None else key_shape
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. "
                f"Received: value_shape={value_shape} and key_shape={key_shape}"
            )
        query_rank = len(query_shape)
        self.query_dense = self._projection(query_rank, self._key_dim, "query", query_shape)
        self.key_dense = self._projection(len(key_shape), self._key_dim, "key", key_shape)
        if self._use_gate:
            self._gate_dense = self._projection(query_rank, self._value_dim, "gate", query_shape, "sigmoid")
        self.value_dense = self._projection(len(value_shape), self._value_dim, "value", value_shape)
        self._build_attention(query_rank + 1)
        output_shape = self._output_shape or (query_shape[-1],)
        equation, bias_axes, output_rank = build_projection_equation(query_rank - 1, 2, len(output_shape))
        self.output_dense = EinsumDense(
            equation,
            output_shape=[None] * (output_rank - 1 - len(output_shape)) + list(output_shape),
            bias_axes=bias_axes if self._use_bias else None,
            name="attention_output",
            **sublayer_arguments(self._weight_arguments, self.dtype_policy),
        )
        projected = list(self.query_dense.compute_output_shape(query_shape))
        projected[-1] = self._value_dim
        self.output_dense.build(tuple(projected))

    def _projection(self, rank, depth, name, input_shape, activation=None):
        equation, bias_axes, output_rank = build_projection_equation(rank - 1, 1, 2)
        layer = EinsumDense(
            equation,
            output_shape=[None] * (output_rank - 3) + [self._num_heads, depth],
            bias_axes=bias_axes if self._use_bias else None,
            activation=activation,
            name=name,
            **sublayer_arguments(self._weight_arguments, self.dtype_policy),
        )
        layer.build(tuple(input_shape))
        return layer

    def _build_attention(self, rank):
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(axis if axis >= 0 else (rank - 1) + axis for axis in self._attention_axes)
        self._dot_product_equation, self._combine_equation, scores_rank = build_attention_equation(
            rank, self._attention_axes
        )
        normalized = tuple(range(scores_rank - len(self._attention_axes), scores_rank))
        self._softmax = Softmax(axis=normalized, dtype=self.dtype_policy)
        self._dropout_layer = Dropout(rate=self._dropout, dtype=self.dtype_policy, seed=self.seed)

    def _masked_softmax(self, scores, attention_mask=None):
        if attention_mask is not None:
            expansion = -len(self._attention_axes) * 2 - 1
            for _ in range(len(scores.shape) - len(attention_mask.shape)):
                attention_mask = ops.expand_dims(attention_mask, axis=expansion)
        return self._softmax(scores, mask=attention_mask)

    def _compute_attention(
        self,
        query,
        key,
        value,
        attention_mask=None,
        training=None,
        return_attention_scores=False,
        use_causal_mask=False,
    ):
        check_no_scores_with_flash(self._flash_attention, return_attention_scores)
        if not (self._dropout > 0.0 or return_attention_scores or len(query.shape) != 4):
            if attention_mask is not None:
                for _ in range(4 - len(attention_mask.shape)):
                    attention_mask = ops.expand_dims(attention_mask, axis=-3)
            output = ops.dot_product_attention(
                query,
                key,
                value,
                mask=attention_mask,
                scale=self._inverse_sqrt_key_dim,
                is_causal=use_causal_mask,
                flash_attention=self._flash_attention,
            )
            return output, None
        if use_causal_mask:
            mask = causal_mask(query, value)
            attention_mask = mask if attention_mask is None else ops.logical_and(attention_mask, mask)
        query = ops.multiply(query, ops.cast(self._inverse_sqrt_key_dim, query.dtype))
        scores = self._masked_softmax(ops.einsum(self._dot_product_equation, key, query), attention_mask)
        dropped = self._dropout_layer(scores, training=training) if self._dropout > 0.0 else scores
        return ops.einsum(self._combine_equation, dropped, value), scores

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
        causal_only = (
            only_causal(use_causal_mask, self._sliding_window, query_mask, value_mask, key_mask, attention_mask)
            and type(self)._compute_attention is MultiHeadAttention._compute_attention
        )
        if causal_only:
            mask = None
        else:
            check_attention_mask(
                attention_mask,
                self._scores_shape_without_heads(query, value),
                query,
                value,
                self._num_heads,
                len(self._attention_axes),
            )
            mask = attention_mask_from(
                query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask, self._sliding_window
            )
        gate = self._gate_dense(query) if self._use_gate else None
        projected_query, projected_key = self.query_dense(query), self.key_dense(key)
        projected_value = self.value_dense(value)
        output, scores = self._compute_attention(
            projected_query,
            projected_key,
            projected_value,
            mask,
            training,
            return_attention_scores,
            **({"use_causal_mask": True} if causal_only else {}),
        )
        output = self.output_dense(output if gate is None else ops.multiply(output, gate))
        return (output, scores) if return_attention_scores else output

    def _scores_shape_without_heads(self, query, value):
        axes = self._attention_axes
        batch = [d for i, d in enumerate(query.shape[:-1]) if i not in axes]
        return tuple(batch + [query.shape[a] for a in axes] + [value.shape[a] for a in axes])

    def _symbolic_outputs(self, args, kwargs):
        # `return_attention_scores` decides how many outputs there are, which a shape rule cannot see
        return self.call(*args, **kwargs)

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. "
                f"Received: value_shape={value_shape} and key_shape={key_shape}"
            )
        if self._output_shape:
            query_shape = query_shape[:-1] + tuple(self._output_shape)
        return query_shape


def build_attention_equation(rank, attention_axes):
    """Keras's einsum equations for the scores (key, query -> scores) and the combination (scores, value ->
    output) of projected tensors (batch, <non-attention dims>, <attention dims>, heads, channels)."""
    target = string.ascii_lowercase[:rank]
    batch_dims = tuple(i for i in range(rank) if i not in attention_axes + (rank - 1,))
    offset, source = rank, ""
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source += target[i]
        else:
            source += string.ascii_lowercase[offset]
            offset += 1
    product = "".join(
        [target[i] for i in batch_dims] + [target[i] for i in attention_axes] + [source[i] for i in attention_axes]
    )
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def build_projection_equation(free_dims, bound_dims, output_dims):
    """Keras's projection equation: (equation, bias axes, output rank)."""
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims : free_dims + bound_dims]
    output = letters[free_dims + bound_dims : free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{output}->{free}{output}", output, free_dims + output_dims
