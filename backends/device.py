"""numpy/cupy selection. cupy is imported only when the GPU is asked for."""

import contextlib
import importlib
import os

import numpy

from . import config

_state = {"device": None}
# The module that is the GPU's array module: cupy, or a test stand-in for it (tests/gpu_standin) that CI
# names here to run the GPU code paths on a machine without a GPU.
GPU_MODULE = os.environ.get("KERASISH_GPU_MODULE", "cupy")
_INSTALL_HINT = (
    "pip install 'kerasish[gpu]' (cupy-cuda13x) or 'kerasish[gpu-cuda12]' (cupy-cuda12x) "
    "on a machine with an NVIDIA GPU and driver"
)


def _cupy():
    try:
        cupy = importlib.import_module(GPU_MODULE)
    except ImportError as error:
        raise RuntimeError(f"KERASISH_DEVICE=gpu needs cupy, which is not installed: {_INSTALL_HINT}") from error
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # cupy raises its own CUDARuntimeError types
        raise RuntimeError(f"KERASISH_DEVICE=gpu: cupy found no usable GPU ({error}); {_INSTALL_HINT}") from error
    if count == 0:
        raise RuntimeError(f"KERASISH_DEVICE=gpu: cupy found no GPU; {_INSTALL_HINT}")
    return cupy


def gpu_available():
    try:
        _cupy()
    except RuntimeError:
        return False
    return True


def _resolve(name):
    name = config._choice("device", name.split(":")[0].lower(), config.DEVICES)
    if name == "auto":
        return "gpu" if gpu_available() else "cpu"
    if name == "gpu":
        _cupy()
    return name


def current():
    """The device new arrays go to: "cpu" or "gpu"."""
    if _state["device"] is None:
        _state["device"] = _resolve(config.SETTINGS["device"])
    return _state["device"]


@contextlib.contextmanager
def device(name):
    """`with kerasish.device("gpu"):` places new tensors, variables and functions on that device."""
    previous = current()
    _state["device"] = _resolve(name)
    try:
        yield
    finally:
        _state["device"] = previous


def xp_of(name):
    return _cupy() if name == "gpu" else numpy


def current_xp():
    return xp_of(current())


def is_cupy(array):
    return type(array).__module__.startswith(GPU_MODULE)


def get_array_module(*arrays):
    """numpy or cupy, from the arrays (kerasish tensors and variables are unwrapped)."""
    for array in arrays:
        array = getattr(array, "_data", array)
        if is_cupy(array):
            return importlib.import_module(GPU_MODULE)
    return numpy


def device_of(array):
    return "gpu" if is_cupy(getattr(array, "_data", array)) else "cpu"


def to_device(array, name=None):
    """Move an array (numpy or cupy) to a device, default the current one."""
    name = current() if name is None else name
    if name == "gpu":
        return array if is_cupy(array) else _cupy().asarray(array)
    return to_numpy(array)


def to_numpy(array):
    if is_cupy(array):
        return array.get()
    return numpy.asarray(array)


if config.SETTINGS["device"] != "cpu":
    current()  # a GPU that was asked for but is missing fails at import, not at the first op
