"""DataLoader: batches from a map-style dataset or a PyDataset, loaded ahead by worker threads.

The loader hands out batches in order (a seeded permutation when shuffling); each batch is one task for
the worker pool, and at most `num_workers * prefetch_factor` tasks are in flight, so a slow dataset
overlaps with training without unbounded memory. A worker's exception is re-raised in the consuming
thread with its original traceback; stopping early cancels the tasks not yet started and waits for
the running ones, so no thread outlives the iteration.
"""

import collections
import concurrent.futures
import itertools
import math

import numpy

from kerasish.data.collate import default_collate
from kerasish.utils.py_dataset import PyDataset


class DataLoader:
    """`DataLoader(dataset, batch_size=1, shuffle=False, drop_last=False, num_workers=0, prefetch_factor=2,
    seed=None, collate_fn=None)`.

    `dataset` is map-style (`__len__`, `__getitem__(i)` -> one sample, e.g. a tuple `(x, y)`), whose samples
    are grouped by `batch_size` and merged by `collate_fn`, or a `PyDataset`, whose items are already
    batches (then `batch_size=None` is implied and `drop_last`/`collate_fn` do not apply). `batch_size=None`
    also makes a map-style dataset's items batches. `seed` fixes the shuffle order of every epoch; without
    it the order follows numpy's global seed (`kerasish.utils.set_random_seed`). Iterating again starts a
    new epoch; `on_epoch_begin`/`on_epoch_end` of the dataset are called when it has them.
    """

    def __init__(
        self,
        dataset,
        batch_size=1,
        shuffle=False,
        drop_last=False,
        num_workers=0,
        prefetch_factor=2,
        seed=None,
        collate_fn=None,
    ):
        if not (hasattr(dataset, "__getitem__") and (hasattr(dataset, "__len__") or hasattr(dataset, "num_batches"))):
            raise TypeError(
                f"DataLoader: the dataset must have `__len__` and `__getitem__`, received an object of "
                f"type {type(dataset).__name__}"
            )
        if isinstance(dataset, PyDataset):
            if batch_size not in (1, None) or drop_last or collate_fn is not None:
                raise ValueError(
                    "DataLoader: a PyDataset yields whole batches, so `batch_size`, `drop_last` and "
                    f"`collate_fn` do not apply (received batch_size={batch_size}, "
                    f"drop_last={drop_last}, collate_fn={collate_fn!r})"
                )
            batch_size = None
        if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
            raise ValueError(f"DataLoader: `batch_size` must be a positive integer or None, received {batch_size!r}")
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(f"DataLoader: `num_workers` must be an integer >= 0, received {num_workers!r}")
        if not isinstance(prefetch_factor, int) or prefetch_factor < 1:
            raise ValueError(f"DataLoader: `prefetch_factor` must be an integer >= 1, received {prefetch_factor!r}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.collate_fn = collate_fn or default_collate
        self.task_filter = None  # set by kerasish.distribution while a process reads its share of the epoch
        self._rng = numpy.random.default_rng(seed if seed is not None else numpy.random.randint(2**31))

    def _num_items(self):
        if not isinstance(self.dataset, PyDataset):
            return len(self.dataset)
        count = self.dataset.num_batches
        if count is None:
            raise ValueError(
                f"DataLoader: the {type(self.dataset).__name__} has `num_batches=None` (it is endless); "
                "a DataLoader needs a dataset of known length"
            )
        return count

    def __len__(self):
        """Batches per epoch."""
        items = self._num_items()
        if self.batch_size is None:
            return items
        return items // self.batch_size if self.drop_last else math.ceil(items / self.batch_size)

    def _epoch_tasks(self):
        """The work of one epoch: a batch index per task, or a list of sample indices per task."""
        items = self._num_items()
        order = self._rng.permutation(items) if self.shuffle else numpy.arange(items)
        if self.batch_size is None:
            tasks = [int(index) for index in order]
        else:
            tasks = [
                order[start : start + self.batch_size].tolist()
                for start in range(0, len(self) * self.batch_size, self.batch_size)
            ]
        return tasks if self.task_filter is None else self.task_filter(tasks)

    def _load(self, task):
        if self.batch_size is None:
            return self.dataset[task]
        return self.collate_fn([self.dataset[index] for index in task])

    def __iter__(self):
        if hasattr(self.dataset, "on_epoch_begin"):
            self.dataset.on_epoch_begin()
        tasks = self._epoch_tasks()
        if self.num_workers == 0:
            yield from map(self._load, tasks)
        else:
            yield from self._load_in_threads(tasks)
        if hasattr(self.dataset, "on_epoch_end"):
            self.dataset.on_epoch_end()

    def _load_in_threads(self, tasks):
        executor = concurrent.futures.ThreadPoolExecutor(self.num_workers, thread_name_prefix="DataLoader-worker")
        numbered = enumerate(tasks)
        pending = collections.deque()

        def submit(count):
            for number, task in itertools.islice(numbered, count):
                pending.append((number, task, executor.submit(self._load, task)))

        try:
            submit(self.num_workers * self.prefetch_factor)
            while pending:
                number, task, future = pending.popleft()
                submit(1)
                yield _result(future, number, task)
        finally:
            executor.shutdown(wait=True, cancel_futures=True)


def _result(future, number, task):
    try:
        return future.result()
    except Exception as error:
        what = f"batch index {task}" if isinstance(task, int) else f"sample indices {task}"
        error.add_note(f"(raised in a DataLoader worker thread while loading batch {number} of the epoch, {what})")
        raise
