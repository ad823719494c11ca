"""Dtype names as Keras 3 spells them: `standardize_dtype` turns any library's dtype object into one, and
`result_type` promotes them with Keras's lattice (JAX's), not numpy's (int32 with float32 is float32 here).
"""

import functools

import numpy

from . import device
from .config import floatx

INTEGER_DTYPES = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")
FLOAT_DTYPES = ("bfloat16", "float16", "float32", "float64")
COMPLEX_DTYPES = ("complex64", "complex128")
FLOAT8_DTYPES = ("float8_e4m3fn", "float8_e5m2")
ALLOWED_DTYPES = (*FLOAT_DTYPES, *INTEGER_DTYPES, "bool", "string", *FLOAT8_DTYPES, *COMPLEX_DTYPES)

_PYTHON_TYPES = {bool: "bool", int: "int32", float: "float32", str: "string", complex: "complex64", "int": "int32"}


def standardize_dtype(dtype):
    """The Keras name of `dtype`: None is floatx; numpy, JAX, torch and TensorFlow dtypes (anything with a
    `.name`, a `__name__`, or a `torch.`/`jax.numpy.` spelling) and Python types give their name."""
    if dtype is None:
        return floatx()
    if isinstance(dtype, dict):  # a serialized DTypePolicy
        dtype = dtype.get("config", {}).get("name")
    if isinstance(dtype, (type, str)) and dtype in _PYTHON_TYPES:
        return _PYTHON_TYPES[dtype]
    name = dtype
    if hasattr(dtype, "name") and isinstance(dtype.name, str):
        name = dtype.name
    elif hasattr(dtype, "__name__"):
        name = dtype.__name__
    elif any(prefix in str(dtype) for prefix in ("torch.", "jax.numpy.")):
        name = str(dtype).split(".")[-1]
    if name == "str":
        name = "string"
    if name not in ALLOWED_DTYPES:
        raise ValueError(
            f"Invalid dtype: {dtype!r} has no kerasish equivalent. Expected a dtype object or name among: "
            f"{', '.join(ALLOWED_DTYPES)}"
        )
    return name


def numpy_dtype(dtype):
    """The numpy dtype of `dtype`: numpy dtypes, names and scalar types (`numpy.float32`, `jnp.float32`) as
    numpy reads them; other libraries' dtype objects (`torch.float32`, TensorFlow's) by their Keras name."""
    if isinstance(dtype, (str, numpy.dtype, type)):
        return numpy.dtype(dtype)
    return numpy.dtype(standardize_dtype(dtype))


def as_array(x):
    """A numpy array of another library's array (`__array__`, else `__dlpack__`: torch, JAX, TensorFlow)."""
    if hasattr(x, "__array__"):
        try:
            return numpy.asarray(x)
        except (TypeError, RuntimeError):  # torch: a tensor that requires grad, or on a GPU
            if not hasattr(x, "__dlpack__"):
                raise
    return numpy.from_dlpack(x)


def is_foreign_array(x):
    """Whether `x` is another library's array: it has a shape and `__array__` or `__dlpack__`, and is not numpy's."""
    return (
        not isinstance(x, numpy.ndarray)
        and not device.is_cupy(x)
        and not type(x).__module__.startswith("kerasish")
        and hasattr(x, "shape")
        and (hasattr(x, "__array__") or hasattr(x, "__dlpack__"))
    )


def is_float_dtype(dtype):
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype):
    return standardize_dtype(dtype).startswith(("int", "uint"))


# Each dtype and the dtypes immediately above it; "int" and "float" are the weak types of Python scalars.
_LATTICE = {
    "bool": ("int",),
    "uint8": ("int16", "uint16"),
    "uint16": ("int32", "uint32"),
    "uint32": ("int64", "uint64"),
    "uint64": ("float",),
    "int": ("uint8", "int8", "complex64"),
    "int8": ("int16",),
    "int16": ("int32",),
    "int32": ("int64",),
    "int64": ("float",),
    "float": ("bfloat16", "float16"),
    "bfloat16": ("float32",),
    "float16": ("float32",),
    "float32": ("float64", "complex64"),
    "float64": ("complex128",),
    "complex64": ("complex128",),
    "complex128": (),
}


@functools.cache
def _at_or_above(node):
    return frozenset({node}).union(*(_at_or_above(above) for above in _LATTICE[node]))


def _least_upper_bound(nodes):
    common = frozenset.intersection(*(_at_or_above(node) for node in nodes))
    least = [c for c in common if common <= _at_or_above(c)]
    if len(least) != 1:
        raise ValueError(f"Input dtypes {tuple(sorted(nodes))} have no implicit promotion; cast them explicitly")
    return least[0]


def _weak(dtype):
    """The weak type of a Python scalar's dtype (`int` gives int32, `float` float32)."""
    return "float" if dtype.startswith("float") else "int"


def result_type(*dtypes):
    """The dtype Keras's type promotion gives `dtypes` (what `keras.backend.result_type` returns): Python
    `int`/`float` are weak and follow the other operands; 64-bit results come back as 32-bit, as in Keras."""
    if not dtypes:
        return floatx()
    if any(dtype in FLOAT8_DTYPES for dtype in dtypes):
        raise ValueError(f"There is no implicit conversions from float8 dtypes to others. You must cast them: {dtypes}")
    weak = [dtype is int or dtype is float for dtype in dtypes]
    names = [standardize_dtype(floatx() if dtype is None else dtype) for dtype in dtypes]
    if len(set(names)) == 1 and not all(weak):
        result, result_is_weak = names[0], False
    elif all(weak):
        result, result_is_weak = _least_upper_bound(set(names)), True
    else:
        result = _least_upper_bound({_weak(name) if w else name for name, w in zip(names, weak)})
        result_is_weak = result in ("int", "float")
    if result_is_weak and result != "bool":
        kind = "int" if result.startswith("int") else "uint" if result.startswith("uint") else "float"
        result = f"{kind}{floatx()[-2:]}"
    return {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}.get(result, result)
