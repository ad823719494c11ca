"""HDF5Dataset: batches read lazily from HDF5 arrays, so data larger than memory can train.

Like Caffe's HDF5Data layer, rows are read in contiguous blocks of `cache_batches * batch_size` rows
(fast sequential reads) and served from memory; at most two blocks are held at a time. With
`shuffle=True` the order of the blocks and the rows inside each block are permuted every epoch, which
keeps reads contiguous; pass `shuffle=False` to `fit` then, since a random batch order defeats the cache.
The file is read through `backends/io/hdf5`: arrays must be numeric data stored in the file itself
(no external storage, external or soft links, virtual datasets).
"""

import collections
import math
import os
import threading

import numpy

from kerasish.backends.io.hdf5 import HDF5File
from kerasish.utils.py_dataset import PyDataset

_BLOCKS_HELD = 2


class HDF5Dataset(PyDataset):
    """`HDF5Dataset(path, x="x", y="y", batch_size=32, shuffle=False, seed=None, cache_batches=8, **kwargs)`;
    `y=None` gives batches of `x` alone; `kwargs` are PyDataset's (`workers`, ...)."""

    def __init__(self, path, x="x", y="y", batch_size=32, shuffle=False, seed=None, cache_batches=8, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"HDF5Dataset: `batch_size` must be a positive integer, received {batch_size!r}")
        if not isinstance(cache_batches, int) or cache_batches < 1:
            raise ValueError(f"HDF5Dataset: `cache_batches` must be a positive integer, received {cache_batches!r}")
        self.path = os.fspath(path)
        self.batch_size, self.shuffle, self.cache_batches = batch_size, shuffle, cache_batches
        self._file = HDF5File(self.path, kind="HDF5 data file")
        try:
            self._arrays = [self._array(key) for key in (x, y) if key is not None]
            lengths = {array.path: array.shape[0] for array in self._arrays}
            if len(set(lengths.values())) > 1:
                raise ValueError(f"HDF5Dataset: the arrays in {self.path} have different numbers of rows: {lengths}")
        except BaseException:
            self._file.close()
            raise
        self.num_samples = self._arrays[0].shape[0]
        self._block_rows = batch_size * cache_batches
        self._num_blocks = math.ceil(self.num_samples / self._block_rows)
        self._rng = numpy.random.default_rng(seed)
        self._cache = collections.OrderedDict()
        self._lock = threading.Lock()
        self._plan_epoch()

    def _array(self, key):
        root = self._file.root
        if not root.is_dataset(key):
            raise KeyError(
                f"HDF5Dataset: {self.path} has no array {key!r}; its arrays are "
                f"{sorted(name for name in root.names() if root.is_dataset(name))}"
            )
        array = root.dataset(key)
        if not array.shape:
            raise ValueError(f"HDF5Dataset: array {key!r} of {self.path} is a scalar, not rows")
        return array

    def __len__(self):
        return math.ceil(self.num_samples / self.batch_size)

    @property
    def cached_rows(self):
        """Rows held in memory now (at most two blocks)."""
        with self._lock:
            return sum(len(arrays[0]) for arrays in self._cache.values())

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"HDF5Dataset: batch index {index} out of range for {len(self)} batches")
        block, batch_in_block = self._locate(index)
        start = batch_in_block * self.batch_size
        arrays = tuple(array[start : start + self.batch_size] for array in self._block(block))
        return arrays if len(arrays) > 1 else arrays[0]

    def _block(self, block):
        with self._lock:
            if block not in self._cache:
                if len(self._cache) == _BLOCKS_HELD:
                    self._cache.popitem(last=False)
                self._cache[block] = self._read_block(block)
            return self._cache[block]

    def _read_block(self, block):
        start = block * self._block_rows
        arrays = [array.read_rows(start, start + self._block_rows) for array in self._arrays]
        if self.shuffle:
            rows = numpy.random.default_rng(self._block_seeds[block]).permutation(len(arrays[0]))
            arrays = [array[rows] for array in arrays]
        return arrays

    def _plan_epoch(self):
        """The order of the blocks this epoch: in file order, or one permutation entry per block with
        `shuffle` (never one entry per batch, and nothing per row: a file may declare more rows than
        memory holds)."""
        if self.shuffle:
            self._order = self._rng.permutation(self._num_blocks)
            self._block_seeds = self._rng.integers(2**31, size=self._num_blocks)
            short = numpy.flatnonzero(self._order == self._num_blocks - 1)
            self._short_position = int(short[0]) if short.size else 0
        else:
            self._order, self._short_position = None, max(self._num_blocks - 1, 0)
        with self._lock:
            self._cache.clear()

    def _locate(self, index):
        """(block, batch within the block) that batch `index` reads this epoch. Every block holds
        `cache_batches` batches but the last one, which may hold fewer, wherever the order puts it."""
        full, before_short = self.cache_batches, self._short_position * self.cache_batches
        if index < before_short:
            position, batch = divmod(index, full)
        elif index < before_short + self._batches_in(self._num_blocks - 1):
            position, batch = self._short_position, index - before_short
        else:
            position, batch = divmod(index - before_short - self._batches_in(self._num_blocks - 1), full)
            position += self._short_position + 1
        return (position if self._order is None else int(self._order[position])), batch

    def _batches_in(self, block):
        rows = min(self._block_rows, self.num_samples - block * self._block_rows)
        return math.ceil(rows / self.batch_size)

    def on_epoch_end(self):
        if self.shuffle:
            self._plan_epoch()

    def close(self):
        self._file.close()
