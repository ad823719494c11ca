"""A strict stand-in for cupy, for tests on machines without a GPU (`KERASISH_GPU_MODULE` names it).

Its `ndarray` wraps a numpy array and behaves like a cupy array where a numpy/cupy framework breaks:
implicit conversion to the host raises TypeError with cupy's wording (`numpy.asarray(x)`, `x.__array__()`)
and so do the hidden host syncs `float(x)`, `int(x)`, `bool(x)`, `operator.index(x)`, `x.tolist()` and
formatting (stricter than cupy, which syncs there silently); an operation that mixes it with a numpy array
raises as cupy's do. Host transfers go only through `asnumpy(x)`, `x.get()` and `x.item()`, and are
counted in `TRANSFERS`. Module functions and array methods delegate to numpy with unwrapping and wrapping;
`ElementwiseKernel` records each kernel it is given (`KERNELS`, for the NVRTC compile test) and runs its
CUDA operation through a small translation to numpy, so a wrong CUDA expression gives wrong numbers.
"""

import re
import types

import numpy

IMPLICIT = (
    "Implicit conversion to a NumPy array is not allowed. Please use `.get()` to construct a NumPy array explicitly."
)
TRANSFERS = {"to_host": 0, "to_device": 0}
KERNELS = {}  # (name, in_params, out_params, operation, preamble) -> set of the dtype names it ran with
REFUSALS = []  # every refused conversion, so a test that catches the TypeError still fails (see plugin.py)


def reset_transfers():
    TRANSFERS.update(to_host=0, to_device=0)


def _refuse(what):
    def refused(self, *args, **kwargs):
        REFUSALS.append(what)
        raise TypeError(f"{IMPLICIT} (strict cupy stand-in: {what} of a device array is a hidden host transfer)")

    return refused


def _unwrap(value):
    """The numpy array inside stand-in arrays, through lists, tuples and dicts; a numpy array is refused."""
    kind = type(value)
    if kind is ndarray:
        return value._array
    if kind is numpy.ndarray:
        REFUSALS.append("a numpy array mixed with device arrays")
        raise TypeError(f"Unsupported type {kind} (strict cupy stand-in: a numpy array mixed with device arrays)")
    if kind is list or kind is tuple:
        return kind(_unwrap(v) for v in value)
    if kind is dict:
        return {k: _unwrap(v) for k, v in value.items()}
    return value


def _wrap(value):
    """Device arrays for numpy results: numpy scalars become 0-d arrays, as cupy never returns numpy scalars."""
    if isinstance(value, numpy.ndarray):
        return ndarray(value)
    if isinstance(value, numpy.generic):
        return ndarray(numpy.asarray(value))
    if type(value) is list or type(value) is tuple:
        return type(value)(_wrap(v) for v in value)
    if isinstance(value, tuple):  # numpy.linalg's named results (QRResult, EighResult, ...)
        return type(value)(*[_wrap(v) for v in value])
    return value


def _upload(value):
    """Host data (numpy arrays, lists, numbers) copied to a new device array; a device array as it is."""
    if type(value) is ndarray:
        return value
    if isinstance(value, (list, tuple)):
        value = [v.get() if type(v) is ndarray else v for v in value]
    TRANSFERS["to_device"] += 1
    return numpy.array(value)


class ndarray:
    __slots__ = ("_array",)
    __hash__ = None

    def __init__(self, array):
        self._array = array

    shape = property(lambda self: self._array.shape)
    dtype = property(lambda self: self._array.dtype)
    ndim = property(lambda self: self._array.ndim)
    size = property(lambda self: self._array.size)
    strides = property(lambda self: self._array.strides)
    itemsize = property(lambda self: self._array.itemsize)
    nbytes = property(lambda self: self._array.nbytes)
    flags = property(lambda self: self._array.flags)
    T = property(lambda self: ndarray(self._array.T))

    def get(self, stream=None, order="C", out=None):
        TRANSFERS["to_host"] += 1
        return numpy.array(self._array, order=order)

    def item(self):
        TRANSFERS["to_host"] += 1
        return self._array.item()

    __array__ = _refuse("__array__")
    __float__ = _refuse("float()")
    __int__ = _refuse("int()")
    __complex__ = _refuse("complex()")
    __bool__ = _refuse("bool()")
    __index__ = _refuse("__index__")
    tolist = _refuse("tolist()")
    tobytes = _refuse("tobytes()")
    __buffer__ = _refuse("the buffer protocol")

    def __format__(self, spec):
        if spec:
            REFUSALS.append("formatting")
            raise TypeError(f"{IMPLICIT} (strict cupy stand-in: formatting a device array's value with {spec!r})")
        return repr(self)

    def __repr__(self):
        return f"strict_cupy.ndarray(shape={self.shape}, dtype={self.dtype})"

    __str__ = __repr__

    def __len__(self):
        return len(self._array)

    def __iter__(self):
        return (ndarray(row) if isinstance(row, numpy.ndarray) else _wrap(row) for row in self._array)

    def __getitem__(self, key):
        key = _index(key)
        try:
            return _wrap(self._array[key])
        except IndexError:  # cupy wraps out-of-bounds index arrays around: a value check reports them, not this
            return _wrap(self._array[_wrapped_around(self._array.shape, key)])

    def __setitem__(self, key, value):
        self._array[_index(key)] = _unwrap(value)

    def __copy__(self):
        return ndarray(self._array.copy())

    def __deepcopy__(self, memo):
        return ndarray(self._array.copy())

    def __reduce__(self):
        return (_from_host, (self.get(),))

    def __getattr__(self, name):
        if name.startswith("__"):  # numpy's __array_interface__ and __array_struct__ are host access
            raise AttributeError(name)
        attribute = getattr(self._array, name)
        if not callable(attribute):
            return _wrap(attribute)
        return lambda *args, **kwargs: _wrap(attribute(*_unwrap(args), **_unwrap(kwargs)))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        outputs = kwargs.get("out")
        result = getattr(ufunc, method)(*_unwrap(inputs), **_unwrap(kwargs))
        if outputs is not None:
            return outputs[0] if len(outputs) == 1 else outputs
        return _wrap(result)

    def __array_function__(self, function, kinds, args, kwargs):
        return _wrap(function(*_unwrap(args), **_unwrap(kwargs)))


def _index(key):
    """Indices may be device arrays or (as cupy allows) host integer/boolean arrays."""
    if type(key) is tuple:
        return tuple(_index(k) for k in key)
    if type(key) is ndarray:
        return key._array
    return key


def _wrapped_around(shape, key):
    """`key` with its integer index arrays taken modulo their axis's size, as cupy's indexing does (numpy's
    raises); a boolean array covers as many axes as it has dimensions. Keys with None or ... are left to raise."""
    key = key if type(key) is tuple else (key,)
    if any(k is None or k is Ellipsis for k in key):
        return key
    wrapped, axis = [], 0
    for k in key:
        if isinstance(k, numpy.ndarray) and k.dtype.kind in "iu":
            k = k % shape[axis]
        wrapped.append(k)
        axis += k.ndim if isinstance(k, numpy.ndarray) and k.dtype.kind == "b" else 1
    return tuple(wrapped)


def take(a, indices, axis=None, out=None):
    """cupy.take wraps out-of-bounds indices around (numpy's default raises)."""
    return _wrap(numpy.take(_unwrap(a), _unwrap(indices), axis=axis, mode="wrap"))


def take_along_axis(a, indices, axis):
    array = _unwrap(a)
    size = array.size if axis is None else array.shape[axis]
    return _wrap(numpy.take_along_axis(array, _unwrap(indices) % size, axis=axis))


def _from_host(array):
    TRANSFERS["to_device"] += 1
    return ndarray(array)


def _operator(ufunc, reflected=False):
    if reflected:
        return lambda self, other: ufunc(other, self)
    return lambda self, other: ufunc(self, other)


def _in_place(ufunc):
    return lambda self, other: ufunc(self, other, out=(self,))


for _name, _ufunc in {
    "add": numpy.add,
    "sub": numpy.subtract,
    "mul": numpy.multiply,
    "truediv": numpy.true_divide,
    "floordiv": numpy.floor_divide,
    "mod": numpy.remainder,
    "pow": numpy.power,
    "matmul": numpy.matmul,
    "and": numpy.bitwise_and,
    "or": numpy.bitwise_or,
    "xor": numpy.bitwise_xor,
    "lshift": numpy.left_shift,
    "rshift": numpy.right_shift,
}.items():
    setattr(ndarray, f"__{_name}__", _operator(_ufunc))
    setattr(ndarray, f"__r{_name}__", _operator(_ufunc, reflected=True))
    setattr(ndarray, f"__i{_name}__", _in_place(_ufunc))
for _name, _ufunc in {
    "eq": numpy.equal,
    "ne": numpy.not_equal,
    "lt": numpy.less,
    "le": numpy.less_equal,
    "gt": numpy.greater,
    "ge": numpy.greater_equal,
}.items():
    setattr(ndarray, f"__{_name}__", _operator(_ufunc))
ndarray.__neg__ = lambda self: numpy.negative(self)
ndarray.__pos__ = lambda self: numpy.positive(self)
ndarray.__abs__ = lambda self: numpy.absolute(self)
ndarray.__invert__ = lambda self: numpy.invert(self)


def asnumpy(array, stream=None, order="C", out=None):
    if type(array) is ndarray:
        return array.get(order=order)
    return numpy.asarray(array, order=order)


def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0):
    host = obj._array if type(obj) is ndarray else _upload(obj)
    return ndarray(numpy.array(host, dtype=dtype, copy=copy, order=order, ndmin=ndmin))


def asarray(a, dtype=None, order=None):
    if type(a) is ndarray:
        return ndarray(numpy.asarray(a._array, dtype=dtype, order=order))
    return ndarray(numpy.asarray(_upload(a), dtype=dtype, order=order))


class _Ufunc:
    """A numpy ufunc over device arrays (cupy's ufuncs: call, `at`, `reduce`, `accumulate`, `outer`)."""

    def __init__(self, ufunc):
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__

    def __call__(self, *args, **kwargs):
        return _wrap(self._ufunc(*_device_only(args), **kwargs))

    def __getattr__(self, name):
        attribute = getattr(self._ufunc, name)
        if not callable(attribute):
            return attribute
        return lambda *args, **kwargs: _wrap(attribute(*_device_only(args), **kwargs))

    def at(self, a, indices, b=None):
        """cupy's ufunc.at wraps out-of-bounds indices around, as its indexing does (numpy's raises)."""
        _device_only((a, indices, b))
        key = _wrapped_around(a.shape, _index(indices))
        self._ufunc.at(a._array, key, *([] if b is None else [_unwrap(b)]))


def _device_only(args):
    for arg in args:
        if type(arg) is numpy.ndarray:
            REFUSALS.append("a numpy array given to a kernel")
            raise TypeError(f"Unsupported type {type(arg)} (strict cupy stand-in: a numpy array given to a kernel)")
    return args


class _Namespace(types.SimpleNamespace):
    """A numpy submodule (linalg, lib.stride_tricks, ...) over device arrays."""

    def __init__(self, module):
        super().__init__(_module=module)

    def __getattr__(self, name):
        return _delegate(getattr(self._module, name))


def _delegate(attribute):
    if isinstance(attribute, numpy.ufunc):
        return _Ufunc(attribute)
    if isinstance(attribute, types.ModuleType):
        return _Namespace(attribute)
    if isinstance(attribute, type) or not callable(attribute):
        return attribute  # dtypes, constants, finfo/iinfo: the same objects in cupy

    def function(*args, **kwargs):
        return _wrap(attribute(*_unwrap(args), **_unwrap(kwargs)))

    function.__name__ = attribute.__name__
    return function


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return _delegate(getattr(numpy, name))


class _Runtime:
    @staticmethod
    def getDeviceCount():
        return 1


cuda = types.SimpleNamespace(runtime=_Runtime())


_FUNCTIONS = {
    "max": numpy.maximum,
    "min": numpy.minimum,
    "abs": numpy.absolute,
    "sqrt": numpy.sqrt,
    "exp": numpy.exp,
    "log": numpy.log,
    "tanh": numpy.tanh,
}


def _python(expression):
    """The CUDA expression in Python: `(T)x` becomes `T(x)`, x being a parenthesised group, a call or a name."""
    head, cast, rest = expression.partition("(T)")
    if not cast:
        return expression
    rest = rest.lstrip()
    end = len(re.match(r"[\w.]*", rest).group())
    if end < len(rest) and rest[end] == "(":  # a group or a call: up to its closing parenthesis
        depth, start = 0, end
        for end in range(start, len(rest)):
            depth += {"(": 1, ")": -1}.get(rest[end], 0)
            if depth == 0:
                break
        end += 1
    return f"{head}T({_python(rest[:end])}){_python(rest[end:])}"


class ElementwiseKernel:
    """Records the kernel (the NVRTC test compiles what it records) and runs `out = <expression>` in numpy:
    the expression's C functions map to numpy's and `(T)x` casts to the kernel's type."""

    def __init__(self, in_params, out_params, operation, name="kernel", preamble="", **kwargs):
        self.in_params, self.out_params, self.operation, self.name, self.preamble = (
            in_params,
            out_params,
            operation,
            name,
            preamble,
        )
        self.inputs = [p.split()[-1] for p in in_params.split(",")]
        target, _, expression = operation.partition("=")
        if target.strip() != out_params.split()[-1] or ";" in expression or "?" in expression:
            raise NotImplementedError(f"strict cupy stand-in: cannot run the CUDA operation {operation!r}")
        self.expression = compile(_python(expression.strip()), f"<kernel {name}>", "eval")

    def __call__(self, *args):
        arrays = _device_only(args)
        dtype = next(a.dtype for a in arrays if type(a) is ndarray)
        for a in arrays:
            if type(a) is ndarray and a.dtype != dtype:
                raise TypeError(f"{self.name}: type T is {dtype} and {a.dtype} (cupy's 'Type is mismatched')")
        key = (self.name, self.in_params, self.out_params, self.operation, self.preamble)
        KERNELS.setdefault(key, set()).add(dtype.name)
        values = dict(zip(self.inputs, _unwrap(list(arrays[: len(self.inputs)]))), **_FUNCTIONS)
        values["T"] = lambda x: numpy.asarray(x).astype(dtype)
        result = numpy.asarray(eval(self.expression, {"__builtins__": {}}, values)).astype(dtype, copy=False)
        if len(arrays) > len(self.inputs):
            out = arrays[len(self.inputs)]
            out._array[...] = result
            return out
        shape = numpy.broadcast_shapes(*[a.shape for a in arrays if type(a) is ndarray])
        return ndarray(numpy.array(numpy.broadcast_to(result, shape)))
