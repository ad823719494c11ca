"""Data-parallel training across processes, with Keras 3's `keras.distribution` names."""

from kerasish.distribution.collectives import allreduce, broadcast_variables
from kerasish.distribution.distributed_optimizer import DistributedOptimizer
from kerasish.distribution.distribution_lib import (
    DataParallel,
    DeviceMesh,
    LayoutMap,
    ModelParallel,
    distribution,
    initialize,
    is_chief,
    list_devices,
    num_processes,
    process_id,
    set_distribution,
)

__all__ = [
    "DataParallel",
    "DeviceMesh",
    "DistributedOptimizer",
    "LayoutMap",
    "ModelParallel",
    "allreduce",
    "broadcast_variables",
    "distribution",
    "initialize",
    "is_chief",
    "list_devices",
    "num_processes",
    "process_id",
    "set_distribution",
]
