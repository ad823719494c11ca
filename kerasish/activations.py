"""kerasish.activations: Keras 3's activation functions, computed with `kerasish.ops`.

`get(identifier)` turns a name, a serialized form or a callable into an activation function
(None gives `linear`); `serialize` writes a built-in activation as its name, as Keras 3 does.
"""

from kerasish import ops
from kerasish.utils.object_registration import custom_objects_in_force, get_registered_name, registered_by_bare_name
from kerasish.utils.object_serialization import lookup


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """max(x, 0), with an optional slope below `threshold` and a cap at `max_value`."""
    if negative_slope != 0.0:
        if max_value is None and threshold == 0.0:
            return ops.leaky_relu(x, negative_slope=negative_slope)
        negative_part = ops.relu(-x + threshold) if threshold != 0.0 else ops.relu(-x)
    if threshold != 0.0:
        x = ops.where(ops.greater(x, threshold), x, 0.0)
    elif max_value == 6:
        x = ops.relu6(x)
    else:
        x = ops.relu(x)
    if max_value is not None:
        x = ops.clip(x, 0.0, float(max_value))
    if negative_slope != 0.0:
        x = x - negative_slope * negative_part
    return x


def leaky_relu(x, negative_slope=0.2):
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x):
    return ops.relu6(x)


def softmax(x, axis=-1):
    return ops.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return ops.log_softmax(x, axis=axis)


def elu(x, alpha=1.0):
    return ops.elu(x, alpha=alpha)


def selu(x):
    return ops.selu(x)


def softplus(x):
    return ops.softplus(x)


def softsign(x):
    return ops.softsign(x)


def silu(x):
    return ops.silu(x)


def gelu(x, approximate=False):
    return ops.gelu(x, approximate=approximate)


def tanh(x):
    return ops.tanh(x)


def sigmoid(x):
    return ops.sigmoid(x)


def exponential(x):
    return ops.exp(x)


def hard_sigmoid(x):
    return ops.hard_sigmoid(x)


def hard_silu(x):
    return ops.hard_silu(x)


def log_sigmoid(x):
    return ops.log_sigmoid(x)


def mish(x):
    return x * ops.tanh(ops.softplus(x))


def celu(x, alpha=1.0):
    return ops.celu(x, alpha=alpha)


def glu(x, axis=-1):
    return ops.glu(x, axis=axis)


def hard_shrink(x, threshold=0.5):
    return ops.hard_shrink(x, threshold=threshold)


def hard_tanh(x):
    return ops.hard_tanh(x)


def soft_shrink(x, threshold=0.5):
    return ops.soft_shrink(x, threshold=threshold)


def sparse_plus(x):
    return ops.sparse_plus(x)


def sparse_sigmoid(x):
    return ops.sparse_sigmoid(x)


def sparsemax(x, axis=-1):
    return ops.sparsemax(x, axis=axis)


def squareplus(x, b=4):
    return ops.squareplus(x, b=b)


def tanh_shrink(x):
    return ops.tanh_shrink(x)


def threshold(x, threshold, default_value):
    return ops.threshold(x, threshold, default_value)


def linear(x):
    return x


ALL_OBJECTS = {
    fn.__name__: fn
    for fn in (
        relu,
        leaky_relu,
        relu6,
        softmax,
        log_softmax,
        elu,
        selu,
        softplus,
        softsign,
        silu,
        gelu,
        tanh,
        sigmoid,
        exponential,
        hard_sigmoid,
        hard_silu,
        log_sigmoid,
        mish,
        linear,
        celu,
        glu,
        hard_shrink,
        hard_tanh,
        soft_shrink,
        sparse_plus,
        sparse_sigmoid,
        sparsemax,
        squareplus,
        tanh_shrink,
        threshold,
    )
}
ALIASES = {"swish": silu, "hard_swish": hard_silu}
swish = silu
hard_swish = hard_silu


def _lookup(name, custom_objects=None):
    objects = {**registered_by_bare_name(), **ALL_OBJECTS, **ALIASES, **custom_objects_in_force(custom_objects)}
    return lookup("activation function", name, objects)


def serialize(activation):
    """A built-in activation's name; other callables as Keras's {"module", "class_name", ...} form."""
    name = getattr(activation, "__name__", None)
    if ALL_OBJECTS.get(name) is activation:
        return name
    if hasattr(activation, "get_config"):
        return {
            "module": type(activation).__module__,
            "class_name": type(activation).__name__,
            "config": activation.get_config(),
            "registered_name": type(activation).__name__,
        }
    if name is None or name == "<lambda>":
        raise ValueError(
            f"Unknown activation function '{activation}' cannot be serialized: give it a name "
            "and pass it in `custom_objects` when loading"
        )
    return {
        "module": "builtins",
        "class_name": "function",
        "config": get_registered_name(activation),
        "registered_name": "function",
    }


def deserialize(config, custom_objects=None):
    """An activation from its name or serialized form."""
    if isinstance(config, str):
        return _lookup(config, custom_objects)
    if isinstance(config, dict) and "class_name" in config:
        if config["class_name"] == "function":
            return _lookup(config["config"], custom_objects)
        cls = _lookup(config["class_name"], custom_objects)
        return cls.from_config(config.get("config") or {})
    raise ValueError(f"Could not interpret activation function identifier: {config!r}")


def get(identifier):
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")
