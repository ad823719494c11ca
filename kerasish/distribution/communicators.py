"""The transports under `kerasish.distribution`: MPI through mpi4py for processes on CPUs, NCCL through
cupy for one process per GPU. kerasish implements no transport of its own.

Both offer what the collective primitive and the distribution need: `rank`, `size`,
`allreduce(array, op)` (a new array, on the input's device), `broadcast(array, root)` (a new array),
and, over MPI for both, `broadcast_object`, `allgather_object` and `abort`.
"""

import numpy

from kerasish.backends import device

MPI_MISSING = (
    "kerasish.distribution needs mpi4py and an MPI library: pip install 'kerasish[distributed]' "
    "(mpi4py and the mpich wheel), then start the processes with `mpiexec -n N python train.py`"
)


def mpi():
    """The mpi4py.MPI module, or an ImportError that says what to install."""
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise ImportError(MPI_MISSING) from error
    return MPI


class MPICommunicator:
    """MPI_COMM_WORLD. A cupy array crosses through the host: use NCCLCommunicator to keep it on the GPU."""

    def __init__(self):
        self.comm = mpi().COMM_WORLD
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()

    def allreduce(self, array, op):
        on_gpu = device.is_cupy(array)
        host = numpy.ascontiguousarray(device.to_numpy(array))
        result = numpy.empty_like(host)
        self.comm.Allreduce(host, result, op=mpi().SUM)
        if op == "mean":
            result = _divide(result, self.size)
        return device.to_device(result) if on_gpu else result

    def broadcast(self, array, root=0):
        on_gpu = device.is_cupy(array)
        host = numpy.array(device.to_numpy(array), copy=True, order="C")
        self.comm.Bcast(host, root=root)
        return device.to_device(host) if on_gpu else host

    def broadcast_object(self, value, root=0):
        return self.comm.bcast(value, root=root)

    def allgather_object(self, value):
        return self.comm.allgather(value)

    def abort(self, code=1):
        self.comm.Abort(code)


class NCCLCommunicator:
    """One NCCL communicator over all processes, one GPU each (the process's local rank picks it); the
    NCCL unique id travels from rank 0 over MPI, and objects keep going over MPI. Gradients stay on the
    device: allreduce and broadcast run on the current stream. Written against cupy.cuda.nccl and not yet
    run on a GPU in kerasish's tests."""

    def __init__(self, mpi_communicator):
        import cupy
        from cupy.cuda import nccl

        self.cupy, self.nccl, self.mpi = cupy, nccl, mpi_communicator
        self.rank, self.size = mpi_communicator.rank, mpi_communicator.size
        local = mpi_communicator.comm.Split_type(mpi().COMM_TYPE_SHARED)
        cupy.cuda.Device(local.Get_rank() % cupy.cuda.runtime.getDeviceCount()).use()
        unique_id = mpi_communicator.broadcast_object(nccl.get_unique_id() if self.rank == 0 else None)
        self.comm = nccl.NcclCommunicator(self.size, unique_id, self.rank)
        self.types = {
            numpy.dtype(name): getattr(nccl, f"NCCL_{name.upper()}")
            for name in ("float16", "float32", "float64", "int32", "int64")
        }

    def _type(self, array):
        kind = self.types.get(numpy.dtype(array.dtype))
        if kind is None:
            raise TypeError(
                f"NCCL allreduce: arrays of dtype {array.dtype} are not supported "
                f"(supported: {sorted(str(t) for t in self.types)})"
            )
        return kind

    def allreduce(self, array, op):
        array = self.cupy.ascontiguousarray(device.to_device(array))
        result = self.cupy.empty_like(array)
        self.comm.allReduce(
            array.data.ptr,
            result.data.ptr,
            array.size,
            self._type(array),
            self.nccl.NCCL_SUM,
            self.cupy.cuda.get_current_stream().ptr,
        )
        return _divide(result, self.size) if op == "mean" else result

    def broadcast(self, array, root=0):
        result = self.cupy.array(device.to_device(array), copy=True, order="C")
        self.comm.bcast(result.data.ptr, result.size, self._type(result), root, self.cupy.cuda.get_current_stream().ptr)
        return result

    def broadcast_object(self, value, root=0):
        return self.mpi.broadcast_object(value, root)

    def allgather_object(self, value):
        return self.mpi.allgather_object(value)

    def abort(self, code=1):
        self.mpi.abort(code)


def _divide(result, size):
    if result.dtype.kind == "f":
        result /= size
        return result
    return result // size
