"""Deterministic pretrained-like weights made with numpy, keyed by name, so that the reference
frameworks (when the fixtures are made) and kerasish (in the tests) get the same numbers without
storing any weight file. Pure numpy: the fixture script imports it too.

BN statistics and all biases are perturbed, never left at their defaults (a swapped gamma/beta or
mean/var would otherwise pass). The last BN of each residual branch gets a small gamma so deep
ResNets stay at O(1) activations without calibrating their statistics.
"""

import re
import zlib

import numpy

SIZES = {"224": 0, "112": 1}  # input size -> seed of its input batch


def inputs(size):
    """One NHWC float32 image of `size`; torch gets it transposed to NCHW."""
    return numpy.random.default_rng(SIZES[str(size)]).standard_normal((1, int(size), int(size), 3)).astype("float32")


def value(key, shape, role, seed=0):
    rng = numpy.random.default_rng([seed, zlib.crc32(key.encode())])
    shape = tuple(shape)
    if role == "conv":
        fan_in = numpy.prod(shape) / shape[-1] if role_layout_hwio(key) else numpy.prod(shape[1:])
        return (rng.standard_normal(shape) * numpy.sqrt(2.0 / fan_in)).astype("float32")
    if role == "dense":
        fan_in = shape[0] if role_layout_hwio(key) else shape[1]
        return (rng.standard_normal(shape) * numpy.sqrt(1.0 / fan_in)).astype("float32")
    if role in ("gamma", "var"):
        return rng.uniform(0.5, 1.5, shape).astype("float32")
    if role == "gamma_residual":
        return rng.uniform(0.1, 0.3, shape).astype("float32")
    if role == "count":
        return numpy.zeros(shape, "int64")
    scale = {"bias": 0.05, "beta": 0.1, "mean": 0.1}[role]
    return (rng.standard_normal(shape) * scale).astype("float32")


def role_layout_hwio(key):
    """Keras keys look like 'layer/0'; torch keys end with '.weight' and friends."""
    return "/" in key


def torch_roles(keys):
    """{torch key: role} for a torchvision state dict's keys."""
    batch_norms = {k.rsplit(".", 1)[0] for k in keys if k.endswith("running_mean")}
    roles = {}
    for key in keys:
        prefix, leaf = key.rsplit(".", 1)
        if prefix in batch_norms:
            roles[key] = {
                "weight": _torch_gamma(prefix, batch_norms),
                "bias": "beta",
                "running_mean": "mean",
                "running_var": "var",
                "num_batches_tracked": "count",
            }[leaf]
        else:
            roles[key] = "bias" if leaf == "bias" else None
    return roles


def _torch_gamma(prefix, batch_norms):
    match = re.fullmatch(r"(layer\d+\.\d+\.)bn(\d)", prefix)
    if match and f"{match.group(1)}bn{int(match.group(2)) + 1}" not in batch_norms and match.group(2) != "1":
        return "gamma_residual"
    return "gamma"


def torch_state(keys_and_shapes, seed=0):
    roles = torch_roles([k for k, _ in keys_and_shapes])
    state = {}
    for key, shape in keys_and_shapes:
        role = roles[key] or ("conv" if len(shape) == 4 else "dense")
        state[key] = value(key, shape, role, seed)
    return state


def keras_roles(class_name, layer_name, count, layer_names):
    if class_name == "BatchNormalization":
        block = layer_name.rsplit("_", 2)[0]
        last = re.fullmatch(r".*_block\d+_(\d)_bn", layer_name) and (
            layer_name.endswith("_3_bn") or (layer_name.endswith("_2_bn") and f"{block}_3_bn" not in layer_names)
        )
        return ["gamma_residual" if last else "gamma", "beta", "mean", "var"][:count]
    kernel = "conv" if "Conv" in class_name else "dense"
    return [kernel, "bias"][:count]


def keras_layers(layer_specs, seed=0):
    """[(layer_name, [arrays])] for [(layer_name, class_name, [shapes])] (Keras layouts)."""
    names = {name for name, _, _ in layer_specs}
    result = []
    for name, class_name, shapes in layer_specs:
        roles = keras_roles(class_name, name, len(shapes), names)
        result.append(
            (name, [value(f"{name}/{i}", shape, role, seed) for i, (shape, role) in enumerate(zip(shapes, roles))])
        )
    return result
