"""kerasish.dtype_policies: Keras 3's dtype policies (a layer's compute and variable dtypes)."""

from kerasish.utils import object_serialization as registry

from .dtype_policy import DTypePolicy, FloatDTypePolicy, dtype_policy, set_dtype_policy

ALL_OBJECTS = (DTypePolicy, FloatDTypePolicy)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}


def serialize(policy):
    """Keras's form: module "keras" (where Keras exports DTypePolicy), class_name, config {"name"}."""
    return registry.serialize(policy, "keras")


def deserialize(config, custom_objects=None):
    return registry.deserialize("dtype policy", config, ALL_OBJECTS_DICT, custom_objects)


def get(identifier):
    """A DTypePolicy from a policy, a policy name ("mixed_float16", "float32"), its config, or None (the
    global policy)."""
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    if hasattr(identifier, "name") or hasattr(identifier, "__name__"):  # a dtype object: numpy, JAX, torch, TF
        return DTypePolicy(getattr(identifier, "name", None) or identifier.__name__)
    raise ValueError(
        "Cannot interpret `dtype` argument. Expected a string or an instance of DTypePolicy. "
        f"Received: dtype={identifier}"
    )


__all__ = ["DTypePolicy", "FloatDTypePolicy", "deserialize", "dtype_policy", "get", "serialize", "set_dtype_policy"]
