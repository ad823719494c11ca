"""A one-GPU NCCL communicator (through cupy.cuda.nccl, its id passed over MPI): the smoke test of the GPU
transport, run where a GPU, cupy with NCCL and mpi4py are present (skipped otherwise)."""

import numpy
import pytest

from kerasish.backends import device

pytestmark = pytest.mark.gpu


def test_a_one_gpu_nccl_communicator_reduces_and_broadcasts_on_the_device():
    if device.GPU_MODULE != "cupy":
        pytest.skip(f"NCCL needs a real GPU; the GPU module here is the stand-in {device.GPU_MODULE}")
    pytest.importorskip("mpi4py", reason="the NCCL id travels over MPI: pip install 'kerasish[distributed]'")
    cupy = pytest.importorskip("cupy")
    pytest.importorskip("cupy.cuda.nccl", reason="cupy without NCCL (install nvidia-nccl-cu13)")
    from kerasish.distribution.communicators import MPICommunicator, NCCLCommunicator

    communicator = NCCLCommunicator(MPICommunicator())
    values = cupy.arange(6, dtype="float32").reshape(2, 3)
    total = communicator.allreduce(values, "sum")
    mean = communicator.allreduce(values, "mean")
    copied = communicator.broadcast(values, 0)
    assert isinstance(total, cupy.ndarray) and isinstance(copied, cupy.ndarray)
    numpy.testing.assert_array_equal(cupy.asnumpy(total), numpy.arange(6.0).reshape(2, 3))
    numpy.testing.assert_array_equal(cupy.asnumpy(mean), numpy.arange(6.0).reshape(2, 3))
    numpy.testing.assert_array_equal(cupy.asnumpy(copied), numpy.arange(6.0).reshape(2, 3))
