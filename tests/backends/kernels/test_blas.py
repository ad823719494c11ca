"""accumulate_product: c ← alpha · a @ b + beta · c in place, one gemm call into numpy's BLAS, for every layout gemm
reads without a copy; for anything else it writes nothing and says so (False)."""

import os
import subprocess
import sys

import numpy
import pytest

from kerasish.backends.kernels import blas


def _data(*shape, seed=0, dtype="float32"):
    return numpy.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _expected(c, a, b, alpha, beta):
    """The result in float64 from the same inputs."""
    wide = [numpy.asarray(x, numpy.float64) for x in (c, a, b)]
    return beta * wide[0] + alpha * (wide[1] @ wide[2])


def _c_ordered(x):
    return numpy.ascontiguousarray(x)


def _f_ordered(x):
    return numpy.asfortranarray(x)


def _transposed_view(x):
    return numpy.ascontiguousarray(x.T).T  # the transpose of a C-ordered array: gemm reads it transposed


def _strided_rows(x):
    wider = numpy.zeros((x.shape[0], x.shape[1] + 3), x.dtype)
    wider[:, : x.shape[1]] = x
    return wider[:, : x.shape[1]]  # rows further apart than their length: a leading dimension > columns


def _strided_columns(x):
    taller = numpy.zeros((x.shape[0] + 2, x.shape[1]), x.dtype, order="F")
    taller[: x.shape[0]] = x
    return taller[: x.shape[0]]  # Fortran-ordered with columns further apart than their length


def _offset_rows(x):
    taller = numpy.zeros((x.shape[0] + 2, x.shape[1]), x.dtype)
    taller[2:] = x
    return taller[2:]  # one block, starting after the first values of its buffer


def _read_only(x):
    x = numpy.array(x)
    x.flags.writeable = False
    return x


LAYOUTS = [_c_ordered, _f_ordered, _transposed_view, _strided_rows, _strided_columns, _offset_rows, _read_only]


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda f: f.__name__.strip("_"))
def test_the_address_of_every_layout_is_numpy_s(layout):
    x = layout(_data(7, 5))
    assert blas._address(x) == x.ctypes.data


@pytest.mark.parametrize("layout_a", LAYOUTS, ids=lambda f: f.__name__.strip("_"))
@pytest.mark.parametrize("layout_b", LAYOUTS, ids=lambda f: f.__name__.strip("_"))
def test_every_layout_gemm_reads_gives_the_product_added_into_c(layout_a, layout_b):
    a, b, c = _data(7, 5, seed=1), _data(5, 6, seed=2), _data(7, 6, seed=3)
    expected = _expected(c, a, b, -0.25, 1.0)
    operands = layout_a(a), layout_b(b)
    assert blas.accumulate_product(c, *operands, -0.25)
    numpy.testing.assert_allclose(c, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("alpha", "beta"), [(-0.01, 1.0), (-0.5, 0.9), (2.0, 0.0), (1.0, -1.5)])
def test_alpha_and_beta_in_both_precisions(dtype, alpha, beta):
    a, b, c = _data(9, 4, seed=4, dtype=dtype), _data(4, 3, seed=5, dtype=dtype), _data(9, 3, seed=6, dtype=dtype)
    expected = _expected(c, a, b, alpha, beta)
    assert blas.accumulate_product(c, a.T.copy().T, b, alpha, beta)
    tolerance = 1e-5 if dtype == "float32" else 1e-13
    numpy.testing.assert_allclose(c, expected, rtol=tolerance, atol=tolerance)
    assert c.dtype == dtype


def test_numpy_scalars_are_taken_as_alpha_and_beta():
    a, b, c = _data(3, 2, seed=7), _data(2, 4, seed=8), _data(3, 4, seed=9)
    expected = _expected(c, a, b, numpy.float32(-0.5), numpy.float32(0.75))
    assert blas.accumulate_product(c, a, b, numpy.float32(-0.5), numpy.float32(0.75))
    numpy.testing.assert_allclose(c, expected, rtol=1e-5, atol=1e-6)


def test_one_row_one_column_and_one_deep_products():
    for rows, depth, columns in [(1, 5, 4), (5, 4, 1), (3, 1, 2), (1, 1, 1)]:
        a, b, c = _data(rows, depth, seed=10), _data(depth, columns, seed=11), _data(rows, columns, seed=12)
        expected = _expected(c, a, b, -1.0, 1.0)
        assert blas.accumulate_product(c, a, b, -1.0)
        numpy.testing.assert_allclose(c, expected, rtol=1e-5, atol=1e-6)


def _refused():
    """(description, c, a, b): arrays gemm cannot take as they are."""
    a, b, c = _data(4, 3, seed=13), _data(3, 5, seed=14), _data(4, 5, seed=15)
    square = _data(4, 4, seed=16)
    wide = _data(4, 10, seed=17)
    return [
        ("float16", c.astype("float16"), a.astype("float16"), b.astype("float16")),
        ("mixed dtypes", c, a.astype("float64"), b),
        ("integers", c.astype("int32"), a.astype("int32"), b.astype("int32")),
        ("3-D", c[None], a[None], b),
        ("1-D", c[0], a[0], b),
        ("c overlapping a", square, square[:, :3], _data(3, 4, seed=18)),
        ("c overlapping b", square, _data(4, 4, seed=19), square),
        (
            "empty product",
            numpy.zeros((4, 5), "float32"),
            numpy.zeros((4, 0), "float32"),
            numpy.zeros((0, 5), "float32"),
        ),
        ("empty result", numpy.zeros((0, 5), "float32"), numpy.zeros((0, 3), "float32"), b),
        ("c not contiguous", wide[:, ::2], a, b),
        ("c transposed", _data(5, 4, seed=20).T, a, b),
        ("c read-only", _read_only(c), a, b),
        ("a with strided columns", c, _data(4, 6, seed=21)[:, ::2], b),
        ("b reversed", c, a, b[::-1]),
        ("shapes that do not chain", c, a, _data(4, 5, seed=22)),
        ("c of the wrong shape", _data(5, 4, seed=23), a, b),
        ("a list", c, a.tolist(), b),
    ]


def _read_only(x):
    x = x.copy()
    x.flags.writeable = False
    return x


@pytest.mark.parametrize("case", range(len(_refused())), ids=[case[0] for case in _refused()])
def test_what_gemm_cannot_take_is_refused_and_nothing_is_written(case):
    _, c, a, b = _refused()[case]
    before = [numpy.array(x, copy=True) for x in (c, a, b)]
    assert blas.accumulate_product(c, a, b, -0.5, 0.9) is False
    for after, old in zip((c, a, b), before):
        numpy.testing.assert_array_equal(numpy.asarray(after), old)


def test_missing_library_is_refused(monkeypatch):
    a, b, c = _data(2, 3), _data(3, 2, seed=1), _data(2, 2, seed=2)
    before = c.copy()
    monkeypatch.setattr(blas, "_gemm", lambda kind: None)
    assert blas.accumulate_product(c, a, b, -1.0) is False
    numpy.testing.assert_array_equal(c, before)


def test_numpy_s_own_blas_is_found():
    assert blas._gemm("f") is not None and blas._gemm("d") is not None


@pytest.mark.parametrize(("variable", "core"), [("haswell", "Haswell"), ("SKYLAKEX", "SkylakeX")])
def test_the_description_names_the_kernels_the_library_chose(variable, core):
    """OPENBLAS_CORETYPE (any case) makes OpenBLAS load the kernels it names instead of its own choice: the
    description gives the library's name for the set it loaded, not the variable's text."""
    if blas.describe() is None:
        pytest.skip("numpy's BLAS is not a bundled scipy-openblas here")
    probe = "from kerasish.backends.kernels import blas; print(blas.describe())"
    environment = {**os.environ, "OPENBLAS_CORETYPE": variable}
    described = subprocess.run([sys.executable, "-c", probe], env=environment, capture_output=True, text=True)
    assert described.returncode == 0, described.stderr
    assert described.stdout.strip().startswith("OpenBLAS 0.")
    assert described.stdout.strip().endswith(f", {core} kernels")


def test_a_library_without_its_descriptions_is_described_as_unknown(monkeypatch):
    monkeypatch.setattr(blas, "_library", lambda: (object(), "64_", None))
    assert blas.describe() is None
    monkeypatch.setattr(blas, "_library", lambda: None)
    assert blas.describe() is None
