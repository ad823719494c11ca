"""kerasish.data: loading batches in parallel (DataLoader) and from files larger than memory (HDF5Dataset)."""

from kerasish.data.collate import default_collate
from kerasish.data.data_loader import DataLoader
from kerasish.data.hdf5_dataset import HDF5Dataset

__all__ = ["DataLoader", "HDF5Dataset", "default_collate"]
