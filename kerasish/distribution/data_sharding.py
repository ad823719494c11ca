"""Each process's shard of the data that fit/evaluate/predict read (DataParallel's `distribute_dataset`).

- Arrays, and iterables of unknown length (generators): `batch_size` is the global batch; every
  process takes its contiguous slice of each global batch (sizes differ by one at most) and sets its
  `batch_share` so the averaged gradient is the global batch's. Shuffled arrays shuffle alike on every
  process: rank 0's numpy random state is given to all when the data is distributed.
- Datasets with a length (a PyDataset, a DataLoader): process r trains on batches r, r + N, r + 2N, ...
  of the epoch's order (rank 0's, when shuffled); the global batch is N of the dataset's batches. A
  DataLoader (a PyDataset is read through one) loads only this process's batches; another iterable
  with a length is read whole and the other batches dropped. Every process takes the same number of
  steps (len // N); the len % N batches left over are skipped, with a warning.
- `gather` puts the per-process outputs of `predict` back in the order of the data.
"""

import warnings

import numpy

from kerasish.backends.tree import flatten, map_structure
from kerasish.distribution.collectives import batch_share
from kerasish.distribution.distribution_lib import communicator, distribution


def distribute_dataset(adapter):
    """`adapter` (a trainer's data adapter: `passes()`, `num_batches`, `source`) read as this process's
    shard under a DataParallel distribution with `auto_shard_dataset`; else `adapter` itself."""
    current = distribution()
    if current is None or not current.auto_shard_dataset:
        return adapter
    transport = communicator()
    if getattr(adapter, "num_samples", None) is None and adapter.num_batches is not None:
        return InterleavedShard(adapter, transport.rank, transport.size)
    numpy.random.set_state(transport.broadcast_object(numpy.random.get_state()))
    return SlicedShard(adapter, transport.rank, transport.size)


class SlicedShard:
    """This process's slice of every global batch."""

    def __init__(self, adapter, rank, size):
        self.adapter, self.rank, self.size = adapter, rank, size
        self.source, self.num_batches = adapter.source, adapter.num_batches
        total = getattr(adapter, "num_samples", None)
        last = total - (adapter.num_batches - 1) * adapter.batch_size if total is not None else None
        if last is not None and last < size:
            raise ValueError(
                f"DataParallel: the last batch of the data has {last} samples ({total} samples in "
                f"batches of {adapter.batch_size}), fewer than the {size} processes: every process "
                "needs at least one sample; choose a batch_size that leaves at least that many"
            )

    def passes(self):
        for one_pass in self.adapter.passes():
            yield self._slices(one_pass)

    def _slices(self, batches):
        share = batch_share()
        try:
            for batch in batches:
                total = flatten(batch[0])[0].shape[0]
                start, stop = _bounds(total, self.rank, self.size)
                if stop == start:
                    raise ValueError(
                        f"DataParallel: a batch of {total} samples cannot be shared by {self.size} "
                        "processes: every process needs at least one sample"
                    )
                share.assign(numpy.asarray((stop - start) * self.size / total, dtype=share.dtype))
                yield map_structure(lambda a: None if a is None else a[start:stop], batch)
        finally:
            share.assign(numpy.asarray(1.0, dtype=share.dtype))

    def gather(self, outputs):
        """The outputs of every process's slices, batch by batch, in the order of the data."""
        everyone = communicator().allgather_object(outputs)
        return [_joined([parts[index] for parts in everyone]) for index in range(len(outputs))]


def _bounds(total, rank, size):
    base, extra = divmod(total, size)
    start = rank * base + min(rank, extra)
    return start, start + base + (rank < extra)


class InterleavedShard:
    """Batches rank, rank + size, ... of a dataset with a length."""

    def __init__(self, adapter, rank, size):
        self.adapter, self.rank, self.size = adapter, rank, size
        self.source = adapter.source
        self.num_batches = adapter.num_batches // size
        if self.num_batches == 0:
            raise ValueError(
                f"DataParallel: the dataset ({adapter.source}) has {adapter.num_batches} batches, fewer "
                f"than the {size} processes: every process needs at least one batch"
            )
        left_over = adapter.num_batches % size
        if left_over:
            warnings.warn(
                f"DataParallel: the dataset ({adapter.source}) has {adapter.num_batches} batches for "
                f"{size} processes; the last {left_over} are skipped each epoch so that every process "
                "takes the same number of steps",
                stacklevel=3,
            )

    def passes(self):
        loader = getattr(self.adapter, "iterable", None)
        for one_pass in self.adapter.passes():
            yield self._loaded(loader, one_pass) if hasattr(loader, "task_filter") else self._own(one_pass)

    def _loaded(self, loader, batches):
        """Batches of a DataLoader that loads only this process's tasks of each epoch."""
        loader.task_filter = self._tasks
        try:
            yield from batches
        finally:
            loader.task_filter = None

    def _tasks(self, tasks):
        tasks = communicator().broadcast_object(tasks)
        return tasks[: self.num_batches * self.size][self.rank :: self.size]

    def _own(self, batches):
        for index, batch in enumerate(batches):
            if index >= self.num_batches * self.size:
                return
            if index % self.size == self.rank:
                yield batch

    def gather(self, outputs):
        everyone = communicator().allgather_object(outputs)
        return [parts[index] for index in range(len(outputs)) for parts in everyone]


def gather(adapter, outputs):
    """predict's per-batch outputs of every process in the order of the data (a shard's), else `outputs`."""
    return adapter.gather(outputs) if isinstance(adapter, (SlicedShard, InterleavedShard)) else outputs


def _joined(parts):
    first = parts[0]
    if isinstance(first, dict):
        return {key: numpy.concatenate([p[key] for p in parts]) for key in first}
    if isinstance(first, (list, tuple)):
        return type(first)(numpy.concatenate([p[i] for p in parts]) for i in range(len(first)))
    return numpy.concatenate(parts)
