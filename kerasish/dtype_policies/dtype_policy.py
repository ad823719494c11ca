"""DTypePolicy (Keras 3): a layer's compute dtype and variable dtype, and the global default policy.

"float32" (any float dtype name) computes and stores variables in that dtype; "mixed_float16" and
"mixed_bfloat16" compute in float16 / bfloat16 and keep float32 variables. bfloat16 exists in numpy
only through the `ml_dtypes` package, so the bfloat16 policies import it and say so when it is absent.
"""

import importlib

from kerasish.backends import config, device
from kerasish.backends.dtypes import is_float_dtype, standardize_dtype

_GLOBAL_POLICY = [None]  # the policy set by set_dtype_policy; None follows floatx()


class DTypePolicy:
    """`keras.DTypePolicy(name=None)`: `name` is a float dtype name, "mixed_float16" or
    "mixed_bfloat16"; None takes the global policy's name."""

    def __init__(self, name=None):
        if name is None:
            name = dtype_policy().name
        self._name = name
        self._compute_dtype, self._variable_dtype = self._parse_name(name)
        self._quantization_mode = None

    def _parse_name(self, name):
        if not isinstance(name, str):
            raise TypeError(
                f"'name' must be a string, such as 'mixed_float16'. Received: name={name} (of type {type(name)})"
            )
        if name == "mixed_float16":
            return "float16", "float32"
        if name == "mixed_bfloat16":
            _require_bfloat16(name)
            return "bfloat16", "float32"
        try:
            dtype = standardize_dtype(name)
        except ValueError:
            raise ValueError(
                f"Cannot convert '{name}' to a mixed precision DTypePolicy. Valid policies include "
                "'mixed_float16', 'mixed_bfloat16', and the name of any float dtype such as 'float32'."
            ) from None
        if dtype == "bfloat16":
            _require_bfloat16(name)
        return dtype, dtype

    @property
    def variable_dtype(self):
        return self._variable_dtype

    @property
    def compute_dtype(self):
        return self._compute_dtype

    @property
    def name(self):
        return self._name

    @property
    def quantization_mode(self):
        return self._quantization_mode

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        name = "DTypePolicy" if type(self) is FloatDTypePolicy else type(self).__name__
        return f'<{name} "{self._name}">'

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and self._name == other._name

    def __hash__(self):
        return hash(self._name)


class FloatDTypePolicy(DTypePolicy):
    """`keras.FloatDTypePolicy`: Keras's older name of the float DTypePolicy."""


def _require_bfloat16(name):
    """numpy has bfloat16 once `ml_dtypes` is imported (it registers the dtype); cupy has none."""
    if device.current() == "gpu":
        raise ValueError(
            f"DTypePolicy {name!r}: cupy has no bfloat16 dtype; use 'mixed_float16' on the GPU, or run on the CPU "
            "with the `ml_dtypes` package installed"
        )
    try:
        importlib.import_module("ml_dtypes")
    except ImportError:
        raise ValueError(
            f"DTypePolicy {name!r} needs the bfloat16 dtype, which numpy gets from the `ml_dtypes` package: "
            "install it with `pip install ml-dtypes`, or use 'mixed_float16'"
        ) from None


def set_dtype_policy(policy):
    """`keras.config.set_dtype_policy`: the default policy of layers made from now on."""
    if not isinstance(policy, DTypePolicy):
        if not isinstance(policy, str):
            raise ValueError(
                "Invalid `policy` argument. Expected the string name of a policy (such as 'mixed_float16') "
                f"or a `DTypePolicy` instance. Received: policy={policy} (of type {type(policy)})"
            )
        policy = DTypePolicy(policy)
    _GLOBAL_POLICY[0] = policy


def dtype_policy():
    """`keras.config.dtype_policy`: the current default policy."""
    return _GLOBAL_POLICY[0] or DTypePolicy(config.floatx())


def is_mixed(policy):
    """Whether a layer of `policy` computes in another float dtype than its variables'."""
    return is_float_dtype(policy.compute_dtype) and policy.compute_dtype != policy.variable_dtype
