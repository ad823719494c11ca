"""InputSpec: the rank, dtype and shape a layer accepts, checked before every call (Keras 3)."""

import numpy

from kerasish.backends.tree import flatten


class InputSpec:
    """`InputSpec(dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
    allow_last_axis_squeeze=False, name=None, optional=False)`; shapes include the batch axis."""

    def __init__(
        self,
        dtype=None,
        shape=None,
        ndim=None,
        max_ndim=None,
        min_ndim=None,
        axes=None,
        allow_last_axis_squeeze=False,
        name=None,
        optional=False,
    ):
        self.dtype = numpy.dtype(dtype).name if dtype is not None else None
        if shape is not None:
            self.shape = tuple(None if d is None else int(d) for d in shape)
            self.ndim = len(self.shape)
        else:
            self.shape = None
            self.ndim = ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        try:
            self.axes = {int(k): v for k, v in (axes or {}).items()}
        except (ValueError, TypeError, AttributeError):
            raise TypeError(f"Argument `axes` must be a dict with integer keys. Received: axes={axes}") from None
        top = self.ndim if self.ndim else self.max_ndim
        if self.axes and top is not None and max(self.axes) > top - 1:
            raise ValueError(f"Axis {max(self.axes)} is greater than the maximum allowed value: {top - 1}")

    def __repr__(self):
        parts = [
            f"{key}={value}"
            for key, value in (
                ("dtype", self.dtype),
                ("shape", self.shape),
                ("ndim", self.ndim),
                ("max_ndim", self.max_ndim),
                ("min_ndim", self.min_ndim),
                ("axes", self.axes),
            )
            if value
        ]
        return f"InputSpec({', '.join(parts)})"

    def get_config(self):
        return {
            "dtype": self.dtype,
            "shape": self.shape,
            "ndim": self.ndim,
            "max_ndim": self.max_ndim,
            "min_ndim": self.min_ndim,
            "axes": self.axes,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _describe(layer):
    return layer() if callable(layer) else layer


def _named_inputs(specs, inputs, layer):
    names = [spec.name for spec in specs]
    if not all(names):
        return flatten(inputs)
    missing = [name for name in names if name not in inputs]
    if missing:
        raise ValueError(
            f'Missing data for input "{missing[0]}" of layer {_describe(layer)}. You passed a data '
            f"dictionary with keys {list(inputs)}. Expected the following keys: {names}"
        )
    return [inputs[name] for name in names]


def assert_input_compatibility(input_spec, inputs, layer):
    """Raise a ValueError naming `layer` on a mismatch: a description such as "Dense 'dense_1'", or a
    function giving it, called only then (the check runs on every layer call)."""
    if not input_spec:
        return
    specs = flatten(input_spec)
    inputs = _named_inputs(specs, inputs, layer) if isinstance(inputs, dict) else flatten(inputs)
    if len(inputs) != len(specs):
        raise ValueError(
            f"Layer {_describe(layer)} expects {len(specs)} input(s), but it received {len(inputs)} input tensors"
        )
    for index, (x, spec) in enumerate(zip(inputs, specs)):
        if spec is None or (x is None and spec.optional):
            continue
        if not hasattr(x, "shape"):
            raise ValueError(
                f"Inputs to a layer should be tensors. Got {x!r} (of type {type(x).__name__}) "
                f"as input for layer {_describe(layer)}"
            )
        problem = _problem(x, spec)
        if problem:
            raise ValueError(f"Input {index} of layer {_describe(layer)} is incompatible with the layer: {problem}")


def _problem(x, spec):
    """What is wrong with one input (a tensor), or None."""
    shape = tuple(x.shape)
    ndim = len(shape)
    if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
        return f"expected ndim={spec.ndim}, found ndim={ndim}. Full shape received: {shape}"
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        return f"expected max_ndim={spec.max_ndim}, found ndim={ndim}. Full shape received: {shape}"
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        return f"expected min_ndim={spec.min_ndim}, found ndim={ndim}. Full shape received: {shape}"
    if spec.dtype is not None and numpy.dtype(x.dtype).name != spec.dtype:
        return f"expected dtype={spec.dtype}, found dtype={numpy.dtype(x.dtype).name}"
    for axis, value in spec.axes.items():
        if value is not None and shape[axis] not in (value, None):
            return f"expected axis {axis} of input shape to have value {value}, but received input with shape {shape}"
    if spec.shape is not None:
        expected = spec.shape
        if spec.allow_last_axis_squeeze:
            shape = shape[:-1] if shape and shape[-1] == 1 else shape
            expected = expected[:-1] if expected and expected[-1] == 1 else expected
        for want, got in zip(expected, shape):
            if want is not None and got is not None and want != got:
                return f"expected shape={spec.shape}, found shape={tuple(x.shape)}"
    return None
