"""Op nodes of a functional graph (a raw `x * 2` or `ops.concatenate` between layers) in Keras 3's config
form: an entry `{"module": "keras.src.ops.numpy", "class_name": "Multiply", "config": {"name": ..., <the op's
arguments>}, "registered_name": "Multiply"}` whose inbound node holds the call's tensors, and constants as
Keras writes them (`__tensor__`, `__numpy__`, `__slice__`, `__ellipsis__`). A node is written under the
public op that replays it (`kerasish.ops.<name>`, whose arguments are Keras's), never under an internal
primitive; one with no public op is a ValueError. Loading calls the public op of the class's snake-case
name, looked up among kerasish's ops only (never a module named in the file).
"""

import inspect
import re

import numpy

from kerasish import ops
from kerasish.backends.primitives.shape import _decode
from kerasish.backends.symbolic import KerasTensor
from kerasish.ops import core, image, linalg, nn
from kerasish.ops import numpy as numpy_ops

# Keras's module of each op family, in the order an op's name is looked for when saving.
_NAMESPACES = (
    ("keras.src.ops.nn", nn),
    ("keras.src.ops.core", core),
    ("keras.src.ops.linalg", linalg),
    ("keras.src.ops.image", image),
    ("keras.src.ops.numpy", numpy_ops),
)
_NAMESPACES_BY_SUFFIX = {module.rsplit(".", 1)[-1]: namespace for module, namespace in _NAMESPACES}
# Where a primitive's attribute is spelled differently from the public op's (and Keras's) argument.
_RENAMED_ATTRIBUTES = {"reshape": {"shape": "newshape"}}
# Keras op classes whose name is not the CamelCase of the op function's.
_CLASS_NAMES = {"getitem": "GetItem"}
_FUNCTION_NAMES = {class_name: name for name, class_name in _CLASS_NAMES.items()}
_TAKES_A_LIST = {"concatenate"}  # Keras's op takes its tensors as one list


def _class_name(name):
    return _CLASS_NAMES.get(name) or "".join(part.capitalize() for part in name.split("_"))


def _function_name(class_name):
    return _FUNCTION_NAMES.get(class_name) or re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


def _public_op(name):
    for module, namespace in _NAMESPACES:
        function = getattr(namespace, name, None)
        if callable(function):
            return module, function
    function = getattr(ops, name, None)  # top-level ops such as getitem are Keras's numpy ops
    return ("keras.src.ops.numpy", function) if callable(function) else (None, None)


def _plain(value):
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, numpy.dtype):
        return value.name
    if isinstance(value, numpy.generic):
        return value.item()
    return value


def serialize_operation(node, name, model_name):
    """(the layer-list entry of a primitive node without its inbound nodes, its call arguments)."""
    primitive = node.operation
    module, function = _public_op(primitive.name)
    if function is None:
        raise ValueError(
            f"Model '{model_name}' cannot be saved: its graph holds the internal op '{primitive.name}', which "
            "has no public Keras operation. Compute it inside a Layer (a custom layer or a Lambda layer)"
        )
    attributes = dict(node.kwargs)
    args = list(node.args)
    if primitive.name == "getitem":
        key = _decode(attributes.pop("index"), args[1:])
        args = [args[0], list(key)]
    elif primitive.name in _TAKES_A_LIST:
        args = [args]
    renames = _RENAMED_ATTRIBUTES.get(primitive.name, {})
    config = {renames.get(key, key): _plain(value) for key, value in attributes.items()}
    try:
        inspect.signature(function).bind(*args, **config)
    except TypeError as error:
        raise ValueError(
            f"Model '{model_name}' cannot be saved: its op node '{primitive.name}' with arguments "
            f"{sorted(config)} does not match the public op kerasish.ops.{primitive.name} ({error})"
        ) from error
    class_name = _class_name(primitive.name)
    entry = {"module": module, "class_name": class_name, "config": {"name": name, **config}}
    entry["registered_name"] = class_name
    return entry, args


def is_operation_entry(entry):
    return str(entry.get("module", "")).startswith("keras.src.ops.")


class OperationCall:
    """An op node read from a config: calls the public op with the node's arguments and the op's config."""

    def __init__(self, entry):
        class_name = entry["class_name"]
        name = _function_name(class_name)
        module = entry["module"].rsplit(".", 1)[-1]
        namespace = _NAMESPACES_BY_SUFFIX.get(module, numpy_ops)
        self.function = None if name.startswith("_") else getattr(namespace, name, None) or getattr(ops, name, None)
        if not callable(self.function):
            raise ValueError(
                f"Unknown operation {class_name!r} (module {entry['module']!r}) in the model config: "
                "kerasish has no such op"
            )
        self.name = name
        # JSON holds tuples (axes, shapes) as lists; ops take tuples as Keras's do
        self.config = {key: _tuples(value) for key, value in entry.get("config", {}).items() if key != "name"}

    def __call__(self, *args, **kwargs):
        if self.name == "getitem" and len(args) == 2 and isinstance(args[1], list):
            args = (args[0], tuple(args[1]))  # Keras writes a tuple key as a list
        return self.function(*args, **kwargs, **self.config)


def _tuples(value):
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def serialize_constant(value):
    """A non-tensor argument of a node as Keras writes it; KerasTensors are left to the caller."""
    if isinstance(value, slice):
        return {
            "class_name": "__slice__",
            "config": {"start": value.start, "stop": value.stop, "step": value.step},
        }
    if value is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(value, numpy.generic):
        return value.item()
    if isinstance(value, numpy.ndarray):
        return {"class_name": "__numpy__", "config": {"value": value.tolist(), "dtype": value.dtype.name}}
    if hasattr(value, "__array__") and hasattr(value, "shape") and not isinstance(value, KerasTensor):
        array = numpy.asarray(value)
        return {"class_name": "__tensor__", "config": {"value": array.tolist(), "dtype": array.dtype.name}}
    return value


def deserialize_constant(value):
    """The value of a `__tensor__`/`__numpy__`/`__slice__`/`__ellipsis__` entry; anything else as it is."""
    if not isinstance(value, dict):
        return value
    kind, config = value.get("class_name"), value.get("config", {})
    if kind == "__tensor__":
        return ops.convert_to_tensor(numpy.asarray(config["value"], dtype=config["dtype"]))
    if kind == "__numpy__":
        return numpy.asarray(config["value"], dtype=config["dtype"])
    if kind == "__slice__":
        return slice(config["start"], config["stop"], config["step"])
    if kind == "__ellipsis__":
        return Ellipsis
    return value


def is_constant_entry(value):
    return isinstance(value, dict) and value.get("class_name") in (
        "__tensor__",
        "__numpy__",
        "__slice__",
        "__ellipsis__",
    )
