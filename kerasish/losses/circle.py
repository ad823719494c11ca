"""Circle loss (Keras 3, Sun et al. 2020) between integer labels and L2-normalised embeddings: every
pair of samples is a positive (same label) or a negative, and each pair's similarity is pushed
towards its optimum with a weight that grows with its distance from it."""

from kerasish import ops

from .loss import Loss, LossFunctionWrapper

# Stands in for -inf in the masked log-sum-exps: the same value, and finite gradients when a row has
# no positive (or no negative) pair.
NO_PAIR = -1e30


def _pair_masks(labels, reference_labels, remove_diagonal):
    """(positives, negatives): pairs with equal / different labels; a sample is not its own positive."""
    labels, reference_labels = ops.reshape(labels, (-1, 1)), ops.reshape(reference_labels, (-1, 1))
    positives = ops.equal(labels, ops.transpose(reference_labels))
    negatives = ops.logical_not(positives)
    if remove_diagonal:
        # positions counted when the op runs, so an unknown batch size works
        rows = ops.cumsum(ops.ones_like(labels), axis=0)
        columns = ops.transpose(ops.cumsum(ops.ones_like(reference_labels), axis=0))
        positives = ops.logical_and(positives, ops.not_equal(rows, columns))
    return positives, negatives


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True, gamma=80, margin=0.4):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, "int32")
    ref_embeddings = y_pred if ref_embeddings is None else ops.convert_to_tensor(ref_embeddings)
    ref_labels = y_true if ref_labels is None else ops.cast(ref_labels, "int32")
    if len(y_pred.shape) != 2 or len(ref_embeddings.shape) != 2:
        raise ValueError(
            "circle: `y_pred` and `ref_embeddings` must be embeddings of shape (batch_size, dimension). "
            f"Received: y_pred.shape={tuple(y_pred.shape)}, ref_embeddings.shape={tuple(ref_embeddings.shape)}"
        )
    distances = ops.maximum(1.0 - ops.matmul(y_pred, ops.transpose(ref_embeddings)), 0.0)
    positives, negatives = _pair_masks(y_true, ref_labels, remove_diagonal)
    positive_weights = ops.maximum((margin + distances) * ops.cast(positives, distances.dtype), 0.0)
    negative_weights = ops.maximum((1.0 + margin - distances) * ops.cast(negatives, distances.dtype), 0.0)
    positive_terms = -gamma * positive_weights * (margin - distances)
    negative_terms = gamma * negative_weights * ((1.0 - margin) - distances)
    positive_loss = ops.logsumexp(ops.where(positives, positive_terms, NO_PAIR), axis=1)
    negative_loss = ops.logsumexp(ops.where(negatives, negative_terms, NO_PAIR), axis=1)
    return ops.softplus(positive_loss + negative_loss)


class Circle(LossFunctionWrapper):
    """The mean runs over the samples whose loss is above zero, as in Keras."""

    def __init__(
        self, gamma=80.0, margin=0.4, remove_diagonal=True, reduction="sum_over_batch_size", name="circle", dtype=None
    ):
        super().__init__(
            circle,
            name=name,
            reduction=reduction,
            dtype=dtype,
            gamma=gamma,
            margin=margin,
            remove_diagonal=remove_diagonal,
        )
        self.gamma, self.margin, self.remove_diagonal = gamma, margin, remove_diagonal

    def compute_mask(self, y_true, y_pred, losses):
        return ops.greater(losses, 0.0)

    def get_config(self):
        return {
            **Loss.get_config(self),
            "gamma": self.gamma,
            "margin": self.margin,
            "remove_diagonal": self.remove_diagonal,
        }
