"""`accumulate_product`: C ← alpha · A @ B + beta · C in place, one BLAS gemm call into numpy's own BLAS.

numpy's matmul always writes a new result (or overwrites `out=`); BLAS's gemm also reads C. An SGD step
`w - lr * (aᵀ @ g)` done as one gemm into `w` never writes the gradient out and reads it back: the MLP
784-512-512-10's step at batch 128 is 0.43 ms (8%) shorter that way than as a product and then an update
(numpy-only step 5.23 → 4.76 ms, one thread). The library is the one numpy loaded (a wheel's bundled
scipy-openblas, so its thread settings hold); where it cannot be found or the arrays do not suit gemm
(not float32/float64, not 2-D, neither C- nor Fortran-ordered, overlapping, empty, cupy), the call does
nothing and returns False: the caller takes its own path.
"""

import ctypes
import functools
import glob
import os

import numpy

ROW_MAJOR, NO_TRANSPOSE, TRANSPOSE = 101, 111, 112
DTYPES = (numpy.dtype("float32"), numpy.dtype("float64"))  # what BLAS computes in (numpy hands these to it)
# A result of fewer values is done faster by numpy's matmul and a pass over it than by gemm through ctypes (its
# checks and argument conversion, ~9 µs a call when this was measured, ~6 µs since `_address`): callers take gemm
# from this size (the dynamic step of an 8-wide MLP was 60 µs slower with it on every kernel; a (512, 10) static
# update 26.6 against 18.4 µs)
SMALLEST = 1 << 15
# numpy's wheels bundle scipy-openblas; its symbols end in these suffixes, with these integers: ILP64 (numpy >= 2)
# and LP64 builds
SUFFIXES = (("64_", ctypes.c_int64), ("", ctypes.c_int))
LIBRARY_PATTERNS = (
    os.path.join("numpy.libs", "*scipy_openblas*"),  # Linux (auditwheel), Windows (delvewheel)
    os.path.join("numpy", ".dylibs", "*scipy_openblas*"),  # macOS (delocate)
)


@functools.cache
def _library():
    """numpy's bundled BLAS, with its symbols' suffix and integer type; None if absent."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(numpy.__file__)))
    for pattern in LIBRARY_PATTERNS:
        for path in sorted(glob.glob(os.path.join(root, pattern))):
            try:
                library = ctypes.CDLL(path)
            except OSError:
                continue
            for suffix, integer in SUFFIXES:
                if hasattr(library, f"scipy_cblas_sgemm{suffix}"):
                    return library, suffix, integer
    return None


@functools.cache
def _gemm(kind):
    """The cblas gemm of numpy's bundled BLAS for float32 ("f") or float64 ("d", numpy's dtype.char); None if
    absent."""
    found = _library()
    if found is None:
        return None
    library, suffix, integer = found
    letter = {"f": "s", "d": "d"}[kind]
    scalar = {"f": ctypes.c_float, "d": ctypes.c_double}[kind]
    function = getattr(library, f"scipy_cblas_{letter}gemm{suffix}")
    pointer = ctypes.c_void_p
    function.argtypes = [ctypes.c_int] * 3 + [integer] * 3 + [scalar, pointer, integer]
    function.argtypes += [pointer, integer, scalar, pointer, integer]
    function.restype = None
    return function


def describe():
    """numpy's bundled BLAS, its version and the kernels it chose for this CPU when it loaded (OpenBLAS picks them
    by the CPU's instruction sets unless OPENBLAS_CORETYPE names others): "OpenBLAS 0.3.31.188.0, SkylakeX
    kernels"; None if absent."""
    found = _library()
    if found is None:
        return None
    library, suffix, _ = found
    functions = [getattr(library, f"scipy_openblas_{name}{suffix}", None) for name in ("get_config", "get_corename")]
    if None in functions:
        return None
    texts = []
    for function in functions:
        function.restype = ctypes.c_char_p
        texts.append(function().decode("ascii", "replace"))
    return f"{' '.join(texts[0].split()[:2])}, {texts[1]} kernels"


def _operand(x):
    """(transpose flag, leading dimension) of a 2-D array read row-major; None if gemm cannot read it."""
    rows, columns = x.shape
    item = x.itemsize
    if x.strides[1] == item and x.strides[0] >= max(1, columns) * item and x.strides[0] % item == 0:
        return NO_TRANSPOSE, x.strides[0] // item
    if x.strides[0] == item and x.strides[1] >= max(1, rows) * item and x.strides[1] % item == 0:
        return TRANSPOSE, x.strides[1] // item
    return None


def suits(c, a, b):
    """Whether `accumulate_product(c, a, b, ...)` can run: numpy arrays of one float dtype, 2-D, c C-ordered,
    writeable and apart from a and b, each operand readable by gemm, shapes (m, k) @ (k, n) → (m, n), none empty,
    and the library found."""
    if type(c) is not numpy.ndarray or type(a) is not numpy.ndarray or type(b) is not numpy.ndarray:
        return False
    if c.ndim != 2 or a.ndim != 2 or b.ndim != 2 or not c.flags.c_contiguous or not c.flags.writeable:
        return False
    if not (c.dtype == a.dtype == b.dtype) or c.dtype not in DTYPES:
        return False
    (rows, depth), columns = a.shape, b.shape[1]
    if b.shape[0] != depth or c.shape != (rows, columns) or 0 in (rows, depth, columns):
        return False
    if _operand(a) is None or _operand(b) is None or _gemm(c.dtype.char) is None:
        return False
    return not (numpy.may_share_memory(c, a) or numpy.may_share_memory(c, b))


def accumulate_product(c, a, b, alpha, beta=1.0):
    """c ← alpha · a @ b + beta · c, in place; whether it was done (False: nothing was written)."""
    if not suits(c, a, b):
        return False
    accumulate_suited(c, a, b, alpha, beta)
    return True


def accumulate_suited(c, a, b, alpha, beta=1.0):
    """`accumulate_product` on arrays `suits` has already said yes to."""
    (rows, depth), columns = a.shape, b.shape[1]
    first, second = _operand(a), _operand(b)
    _gemm(c.dtype.char)(
        ROW_MAJOR,
        first[0],
        second[0],
        rows,
        columns,
        depth,
        alpha,
        _address(a),
        first[1],
        _address(b),
        second[1],
        beta,
        _address(c),
        columns,
    )


def _address(x):
    """The address of `x`'s first value. A writeable array whose values are one block, in either order, lends its
    buffer to ctypes (its transpose's, for column order: the same address), four times faster than numpy's
    `x.ctypes.data`, which any other takes."""
    try:
        return ctypes.addressof(ctypes.c_char.from_buffer(x if x.strides[-1] == x.itemsize else x.T))
    except (TypeError, ValueError, BufferError):  # read-only, or not one block
        return x.ctypes.data
