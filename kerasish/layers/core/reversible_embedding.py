"""ReversibleEmbedding: an Embedding that can also run backwards, from hidden states to logits over the
vocabulary (`call(inputs, reverse=True)`), with the table itself (tied weights, the default) or a separate
`reverse_embeddings` (output_dim, input_dim) matrix; `logit_soft_cap` bounds the logits with a tanh."""

import numpy

from kerasish import ops
from kerasish.layers.core.embedding import Embedding


class ReversibleEmbedding(Embedding):
    def __init__(
        self,
        input_dim,
        output_dim,
        tie_weights=True,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        embeddings_constraint=None,
        mask_zero=False,
        reverse_dtype=None,
        logit_soft_cap=None,
        **kwargs,
    ):
        super().__init__(
            input_dim,
            output_dim,
            embeddings_initializer=embeddings_initializer,
            embeddings_regularizer=embeddings_regularizer,
            embeddings_constraint=embeddings_constraint,
            mask_zero=mask_zero,
            **kwargs,
        )
        self.tie_weights = tie_weights
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None):
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                name="reverse_embeddings",
                shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer,
            )

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        kernel = ops.transpose(self.embeddings) if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            inputs, kernel = ops.cast(inputs, self.reverse_dtype), ops.cast(kernel, self.reverse_dtype)
        logits = ops.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = ops.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def _symbolic_outputs(self, args, kwargs):
        return self.call(*args, **kwargs)  # the shape depends on `reverse`, which compute_output_shape's callers omit

    def compute_mask(self, inputs, previous_mask=None):
        """Token ids (integers) masked as Embedding masks them; hidden states run in reverse carry no mask."""
        return super().compute_mask(inputs) if numpy.dtype(inputs.dtype).kind in "iu" else None

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return tuple(input_shape[:-1]) + (self.input_dim,)
        return super().compute_output_shape(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "tie_weights": self.tie_weights,
            "reverse_dtype": self.reverse_dtype,
            "logit_soft_cap": self.logit_soft_cap,
        }
