"""Convert torchvision tensors to Keras layouts (numpy only).

conv   OIHW -> HWIO
dense  (out, in) -> (in, out); after a flatten, the rows go from torch's (C, H, W) order to the
       (H, W, C) order that kerasish's Flatten uses (Keras flattens channels-last, whatever the data format)
bn     weight, bias, running_mean, running_var -> gamma, beta, moving_mean, moving_variance
       (the momentum is a layer setting: torch's m is Keras's 1 - m; epsilon is set on the layer)
"""

import numpy

# per kind: the torch names a layer reads, with the number of dimensions each has; a conv's bias is optional
LAYOUTS = {
    "conv": {"weight": 4, "bias": 1},
    "dense": {"weight": 2, "bias": 1},
    "bn": {"weight": 1, "bias": 1, "running_mean": 1, "running_var": 1},
}
OPTIONAL = {("conv", "bias")}


def conv(state, prefix):
    arrays = [numpy.transpose(state[f"{prefix}.weight"], (2, 3, 1, 0))]
    if f"{prefix}.bias" in state:
        arrays.append(state[f"{prefix}.bias"])
    return arrays


def dense(state, prefix, chw=None):
    weight = state[f"{prefix}.weight"]
    if chw is not None:
        channels, height, width = chw
        weight = weight.reshape(-1, channels, height, width).transpose(0, 2, 3, 1).reshape(weight.shape[0], -1)
    return [numpy.ascontiguousarray(weight.T), state[f"{prefix}.bias"]]


def batch_norm(state, prefix):
    return [state[f"{prefix}.{key}"] for key in ("weight", "bias", "running_mean", "running_var")]


def keras_dense_rows_to_torch(kernel, chw):
    """The inverse row permutation, for writing torch files from a Keras-order kernel (tests, export)."""
    channels, height, width = chw
    return kernel.reshape(height, width, channels, -1).transpose(3, 2, 0, 1).reshape(kernel.shape[1], -1)


def torch_momentum(keras_momentum):
    return 1.0 - keras_momentum


CONVERTERS = {"conv": conv, "dense": dense, "bn": batch_norm}
