"""Keras 3's `keras.distribution` names over processes: `initialize`, `list_devices`, `DeviceMesh`,
`DataParallel`, `set_distribution`, `distribution`. One process per device, started by `mpiexec -n N`
(or a cluster's `srun`); each holds a full copy of the model and trains on its shard of every batch.
`LayoutMap` and `ModelParallel` exist with Keras's names and refuse to be built: data parallelism is
what kerasish supports.
"""

import functools
import math
import sys
import time
import traceback

from kerasish.backends import device
from kerasish.backends.primitives import collective
from kerasish.distribution.communicators import MPICommunicator, NCCLCommunicator

_state = {"distribution": None}
FORWARDING_SECONDS = 0.5  # how long a failing process waits, its traceback written, before it ends the job


def initialize(job_addresses=None, num_processes=None, process_id=None):
    """Join the job's processes (MPI_COMM_WORLD) and install the transport of the collective ops: NCCL
    through cupy when the device is a GPU, else MPI. `num_processes`/`process_id`, when given, must be what
    the launcher started. From here on an uncaught exception in any process prints its traceback and ends
    every process of the job (MPI_Abort), so a failing rank never leaves the others waiting."""
    del job_addresses  # the launcher (mpiexec, srun) has already placed the processes
    existing = collective.communicator()
    if existing is not None:
        return existing
    communicator = MPICommunicator()
    for name, value, actual in (
        ("num_processes", num_processes, communicator.size),
        ("process_id", process_id, communicator.rank),
    ):
        if value is not None and value != actual:
            raise ValueError(
                f"initialize(): {name}={value!r}, but the launcher started this process with "
                f"{name}={actual} (run `mpiexec -n N python script.py`)"
            )
    if device.current() == "gpu":
        communicator = NCCLCommunicator(communicator)
    collective.install_communicator(communicator)
    _abort_job_on_uncaught_exceptions(communicator)
    return communicator


def _abort_job_on_uncaught_exceptions(communicator):
    previous = sys.excepthook

    def abort(kind, value, trace):
        # one write, then a moment before the abort: the launcher forwards this stderr through a pipe, and the
        # abort ends its forwarder too, which can drop what it has not read yet (the header came through
        # without the traceback on a loaded machine)
        sys.stderr.write(
            f"[kerasish.distribution] process {communicator.rank} of {communicator.size} failed; ending the job:\n"
            + "".join(traceback.format_exception(kind, value, trace))
        )
        sys.stderr.flush()
        if communicator.size > 1:
            time.sleep(FORWARDING_SECONDS)
            communicator.abort(1)
        previous(kind, value, trace)

    sys.excepthook = abort


def communicator():
    """The job's communicator; `initialize()` is called on first use."""
    return collective.communicator() or initialize()


def process_id():
    """This process's rank (0 when no job was initialized: one process)."""
    found = collective.communicator()
    return 0 if found is None else found.rank


def num_processes():
    found = collective.communicator()
    return 1 if found is None else found.size


def is_chief():
    """Whether this process writes logs and files: rank 0, or the only process."""
    return process_id() == 0


def chief_only(method):
    """A callback method that writes (files, logs) runs on rank 0 only; the others skip it."""

    @functools.wraps(method)
    def on_chief(*args, **kwargs):
        if is_chief():
            return method(*args, **kwargs)

    return on_chief


def list_devices(device_type=None):
    """One device per process of the job, as Keras names them: "cpu:0", "cpu:1", ... (or "gpu:<rank>")."""
    if device_type is not None and device_type.lower() not in ("cpu", "gpu"):
        raise ValueError(f"list_devices(): device_type must be 'cpu', 'gpu' or None, received {device_type!r}")
    kind = (device_type or device.current()).lower()
    return [f"{kind}:{rank}" for rank in range(communicator().size)]


class DeviceMesh:
    """A grid of devices with named axes (Keras 3). Data parallelism uses a one-axis mesh over all of them."""

    def __init__(self, shape, axis_names, devices=None):
        shape, axis_names = tuple(shape), tuple(axis_names)
        if not shape or len(shape) != len(axis_names):
            raise ValueError(
                f"Shape and axis_names cannot be empty and must have the same length. Received: "
                f"shape={shape}, axis_names={axis_names}"
            )
        devices = list_devices() if devices is None else list(devices)
        if math.prod(shape) != len(devices):
            raise ValueError(f"Shape {shape} does not match the number of devices {len(devices)}: {devices}")
        self.shape, self.axis_names, self.devices = shape, axis_names, devices

    def __repr__(self):
        return f"<DeviceMesh shape={self.shape}, axis_names={self.axis_names}>"


class DataParallel:
    """Every process holds the whole model and trains on its shard of each global batch; gradients are
    averaged across processes once per step, in buckets (see collectives.py). `auto_shard_dataset=False`
    leaves the data as given: each process then reads batches of its own (already sharded) dataset."""

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset=True):
        if device_mesh is not None and devices is not None:
            raise ValueError("DataParallel: pass `device_mesh` or `devices`, not both")
        if device_mesh is None:
            devices = list_devices() if devices is None else list(devices)
            device_mesh = DeviceMesh((len(devices),), ("batch",), devices)
        if len(device_mesh.shape) != 1:
            raise ValueError(f"DataParallel: the device mesh must have one axis, received shape {device_mesh.shape}")
        size = communicator().size
        if len(device_mesh.devices) != size:
            raise ValueError(
                f"DataParallel: {len(device_mesh.devices)} devices {device_mesh.devices} were given, but "
                f"the job has {size} processes (one device each); start it with "
                f"`mpiexec -n {len(device_mesh.devices)}`"
            )
        self.device_mesh = device_mesh
        self.batch_dim_name = device_mesh.axis_names[0]
        self.auto_shard_dataset = auto_shard_dataset

    @property
    def num_processes(self):
        return communicator().size

    def __enter__(self):
        self._previous = distribution()
        set_distribution(self)
        return self

    def __exit__(self, *exc):
        set_distribution(self._previous)

    def scope(self):
        return self


class LayoutMap:
    def __init__(self, device_mesh=None):
        raise NotImplementedError(
            "LayoutMap: kerasish supports data parallelism only (DataParallel); sharding "
            "variables across devices is not implemented"
        )


class ModelParallel:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(
            "ModelParallel: kerasish supports data parallelism only (DataParallel); model "
            "parallelism is not implemented"
        )


def set_distribution(value):
    """Make `value` (a DataParallel, or None) the distribution that fit/evaluate/predict and optimizers use."""
    if value is not None and not isinstance(value, DataParallel):
        raise ValueError(f"set_distribution(): expected a DataParallel or None, received {value!r}")
    _state["distribution"] = value


def distribution():
    """The current distribution, or None."""
    return _state["distribution"]
