"""The CTC loss (Keras 3): `ops.ctc_loss` over whole sequences, for integer labels padded with 0
(the blank) and logits of shape (batch_size, frames, num_classes)."""

from kerasish import ops

from .loss import Loss, LossFunctionWrapper

MASK_INDEX = 0


def ctc(y_true, y_pred):
    if len(y_true.shape) != 2:
        raise ValueError(
            "Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)` in integer "
            f"format. Received: y_true.shape={tuple(y_true.shape)}"
        )
    if len(y_pred.shape) != 3:
        raise ValueError(
            "Logits `y_pred` are expected to be a tensor of shape `(batch_size, max_length, num_classes)`. "
            f"Received: y_pred.shape={tuple(y_pred.shape)}"
        )
    # every sequence uses all its frames (counted when the op runs, so the batch size may be unknown)
    output_length = ops.sum(ops.ones_like(y_pred[:, :, 0], dtype="int32"), axis=1)
    target_length = ops.sum(ops.cast(ops.not_equal(y_true, MASK_INDEX), "int32"), axis=-1)
    return ops.ctc_loss(y_true, y_pred, target_length, output_length, mask_index=MASK_INDEX)


class CTC(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)
