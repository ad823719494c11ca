"""Every CUDA source kerasish generates compiles with NVRTC, without a GPU: the static engine's fused
elementwise kernels that the plans of the test models (MLP, CNN, LSTM, a tiny ResNet; recorded by running them
on the strict stand-in, tests/gpu_standin/record_kernels.py) generate, each for every floatx (float16, float32,
float64), made into the full kernel source by cupy's own generator and compiled with cupy's options for the
oldest and newest architecture the installed NVRTC supports. kerasish has no raw kernel (a test says so, so a
new one cannot go unchecked). Needs cupy and its NVRTC (no GPU): skipped cleanly without them.

The kernel's inputs are compiled as arrays (a Python-number input becomes a scalar parameter at run time, the
same expression over it)."""

import ast
import json
import os

import numpy
import pytest

from tests.gpu_standin.test_suite_on_standin import ROOT, run_on_standin

cupy = pytest.importorskip("cupy")
nvrtc = pytest.importorskip("cupy_backends.cuda.libs.nvrtc")
kernel_code = pytest.importorskip("cupy._core._kernel")  # cupy's generator (a private module: fails loudly if moved)
core = pytest.importorskip("cupy._core.core")
carray = pytest.importorskip("cupy._core._carray")

ARRAY, INDEXER = 1, 2  # cupy's _ArgInfo kinds
FLOATX = ("float16", "float32", "float64")


@pytest.fixture(scope="module")
def kernels():
    result = run_on_standin("tests/gpu_standin/record_kernels.py", timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def source(in_params, out_params, operation, name, preamble, dtype):
    """The full CUDA source cupy compiles for this ElementwiseKernel on 1-d contiguous arrays of `dtype`."""
    kernel = cupy.ElementwiseKernel(in_params, out_params, operation, name, preamble=preamble)
    dtype = numpy.dtype(dtype)
    _, _, types = kernel._decide_params_type((dtype,) * kernel.nin, (dtype,) * kernel.nout)
    array = kernel_code._ArgInfo(ARRAY, cupy.ndarray, dtype, 1, True, True)
    indexer = kernel_code._ArgInfo(INDEXER, carray.Indexer, None, 1, True, True)
    arguments = (array,) * (kernel.nin + kernel.nout) + (indexer,)
    code = kernel_code._get_elementwise_kernel_code(arguments, types, kernel.params, operation, name, preamble)
    return "".join(f"#include <{header}>\n" for header in core._cupy_header_list) + code


def compile_errors(code, arch):
    """NVRTC's log for `code` compiled for compute_`arch` with cupy's options, or None when it compiles."""
    options = [*core.assemble_cupy_compiler_options(()), f"-arch=compute_{arch}", "--device-as-default-execution-space"]
    program = nvrtc.createProgram(code, "kerasish_kernel.cu", [], [])
    try:
        nvrtc.compileProgram(program, options)
        return None
    except nvrtc.NVRTCError:
        return nvrtc.getProgramLog(program)
    finally:
        nvrtc.destroyProgram(program)


def architectures():
    supported = nvrtc.getSupportedArchs()
    return sorted({min(supported), max(supported)})


def test_the_test_models_generate_fused_kernels(kernels):
    names = {name for name, *_ in kernels}
    assert len(kernels) >= 10 and "kerasish_fused_add_relu" in names and "kerasish_fused_add_tanh" in names


def test_every_generated_kernel_compiles_for_every_floatx(kernels):
    failures = []
    for name, in_params, out_params, operation, preamble, _ in kernels:
        for dtype in FLOATX:
            for arch in architectures():
                log = compile_errors(source(in_params, out_params, operation, name, preamble, dtype), arch)
                if log is not None:
                    failures.append(f"{name} ({operation}) on {dtype}, compute_{arch}:\n{log}")
    assert not failures, "\n".join(failures)


def test_a_broken_kernel_fails_to_compile():
    code = source("T in0", "T out", "out = no_such_function(in0)", "kerasish_broken", "", "float32")
    assert "no_such_function" in compile_errors(code, min(nvrtc.getSupportedArchs()))


def test_kerasish_has_no_raw_kernel():
    """A RawKernel or RawModule would need its source compiled here too."""
    found = []
    for folder in ("backends", "kerasish", "applications"):
        for directory, _, files in os.walk(os.path.join(ROOT, folder)):
            for file in (f for f in files if f.endswith(".py")):
                with open(os.path.join(directory, file)) as handle:
                    tree = ast.parse(handle.read())
                found += [
                    f"{file}:{node.lineno}"
                    for node in ast.walk(tree)
                    if isinstance(node, ast.Attribute) and node.attr in ("RawKernel", "RawModule")
                ]
    assert not found
