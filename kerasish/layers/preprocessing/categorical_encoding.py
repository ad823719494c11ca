"""Integer indices as one-hot, multi-hot or count vectors (Keras's `encode_categorical_inputs`), through
`kerasish.ops`, shared by the preprocessing layers with an `output_mode`."""

from kerasish import ops

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def check_output_mode(layer_name, output_mode, allowed=OUTPUT_MODES):
    if output_mode not in allowed:
        raise ValueError(
            f"Invalid value for argument `output_mode`. Expected one of {allowed}. "
            f"Received: output_mode={output_mode!r} (layer {layer_name})"
        )


def encoded_shape(input_shape, output_mode, depth):
    """The output shape of `encode_categorical_inputs` for `input_shape` (Keras's rule)."""
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if not input_shape:
        return (depth,)
    if output_mode == "one_hot":
        if len(input_shape) > 1 and input_shape[-1] == 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    return input_shape[:-1] + (depth,)


def encode_categorical_inputs(inputs, output_mode, depth, dtype="float32", count_weights=None):
    if output_mode == "int":
        return ops.cast(inputs, dtype)
    if ops.ndim(inputs) == 0:
        inputs = ops.expand_dims(inputs, -1)
    shape = tuple(inputs.shape)
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            inputs = ops.squeeze(inputs, -1)
        return ops.one_hot(inputs, depth, dtype=dtype)
    if output_mode == "multi_hot":
        return ops.multi_hot(inputs, depth, dtype=dtype)
    reduction_axis = 1 if len(shape) > 1 else 0
    encoded = ops.one_hot(inputs, depth, dtype=dtype)
    if count_weights is not None:
        encoded = encoded * ops.expand_dims(ops.cast(count_weights, dtype), -1)
    return ops.sum(encoded, axis=reduction_axis)
