"""Lambda: wraps a function of tensors as a layer.

Its config holds the function: a named function by module and name, an anonymous one as marshalled
bytecode (as Keras does). Loading bytecode or importing a module named in a config runs code, so
`from_config` refuses both unless it is given `safe_mode=False` (or runs inside `load_model(...,
safe_mode=False)`); functions of `kerasish.ops` and `kerasish.activations` and those passed in
`custom_objects` load in safe mode.
"""

import base64
import importlib
import inspect
import marshal
import types

from kerasish.backends.tree import flatten, map_structure
from kerasish.layers.layer import Layer, tensors_for_shapes
from kerasish.utils.object_registration import custom_objects_in_force as scoped_custom_objects
from kerasish.utils.object_registration import registered_by_bare_name
from kerasish.utils.object_serialization import in_safe_mode

SAFE_MODULES = ("kerasish.ops", "kerasish.activations")


def _unsafe(what):
    return ValueError(
        f"Lambda: the config holds {what}; loading it can run arbitrary code, so it is refused in "
        "safe mode. Pass `safe_mode=False` if you trust the source of this config."
    )


def serialize_function(function):
    from kerasish import ops

    name = getattr(function, "__name__", None) or getattr(function, "name", None)
    if getattr(ops, str(name), None) is function:  # ops may be primitive objects, without a __module__
        return {"module": "kerasish.ops", "class_name": "function", "config": name, "registered_name": "function"}
    if name != "<lambda>" and "<locals>" not in function.__qualname__:
        return {"module": function.__module__, "class_name": "function", "config": name, "registered_name": "function"}
    code = base64.b64encode(marshal.dumps(function.__code__)).decode("ascii")
    closure = None if function.__closure__ is None else [cell.cell_contents for cell in function.__closure__]
    return {"class_name": "__lambda__", "config": {"code": code, "defaults": function.__defaults__, "closure": closure}}


def loads_safely(config, custom_objects=None):
    """Whether loading a serialized function runs no code from the file: a named function given in
    `custom_objects`, or one of kerasish's ops and activations."""
    return (
        isinstance(config, dict)
        and config.get("class_name") == "function"
        and (config.get("config") in (custom_objects or {}) or config.get("module") in SAFE_MODULES)
    )


def deserialize_function(config, custom_objects=None, safe_mode=True):
    named = config["class_name"] == "function"
    if safe_mode and not loads_safely(config, custom_objects):
        raise _unsafe(f"the function {config.get('module')}.{config['config']}" if named else "a lambda's bytecode")
    if named:
        name, module = config["config"], config.get("module")
        if name in (custom_objects or {}):
            return custom_objects[name]
        return getattr(importlib.import_module(module), name)
    body = config["config"]
    code = marshal.loads(base64.b64decode(body["code"]))
    closure = None if body["closure"] is None else tuple(types.CellType(value) for value in body["closure"])
    defaults = None if body["defaults"] is None else tuple(body["defaults"])
    return types.FunctionType(code, globals(), code.co_name, defaults, closure)


class Lambda(Layer):
    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda: argument `function` must be callable. Received: function={function!r}")
        self.function = function
        self.arguments = arguments or {}
        self._output_shape = output_shape
        self.mask = mask
        self.supports_masking = mask is not None
        parameters = inspect.signature(function).parameters
        self._function_wants = {name for name in ("mask", "training") if name in parameters}

    def call(self, inputs, mask=None, training=None):
        extra = {"mask": mask, "training": training}
        outputs = self.function(inputs, **self.arguments, **{name: extra[name] for name in self._function_wants})
        returned = sorted({type(x).__name__ for x in flatten(outputs) if not hasattr(x, "shape")})
        if returned:
            raise TypeError(
                f"the function must return tensors (or lists/dicts of tensors), it returned {', '.join(returned)}"
            )
        return outputs

    def compute_mask(self, inputs, previous_mask=None):
        if callable(self.mask):
            return self.mask(inputs, previous_mask)
        return self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:  # the function itself, run on KerasTensors, gives the shapes
            outputs = self.call(tensors_for_shapes(input_shape, self.compute_dtype))
            return map_structure(lambda x: x.shape, outputs)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        return (input_shape[0],) + tuple(self._output_shape)

    def get_config(self):
        output_shape = self._output_shape
        if callable(output_shape):
            output_shape = serialize_function(output_shape)
        return {
            **super().get_config(),
            "function": serialize_function(self.function),
            "output_shape": output_shape,
            "arguments": self.arguments,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        safe_mode = in_safe_mode() if safe_mode is None else safe_mode
        custom_objects = {**registered_by_bare_name(), **scoped_custom_objects(), **(custom_objects or {})}
        config = dict(config)
        config["function"] = deserialize_function(config["function"], custom_objects, safe_mode)
        if isinstance(config.get("output_shape"), dict):
            config["output_shape"] = deserialize_function(config["output_shape"], custom_objects, safe_mode)
        return cls(**config)
