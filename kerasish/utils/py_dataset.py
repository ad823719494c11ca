"""PyDataset: Keras's base class for a dataset of whole batches, `dataset[index] -> batch`."""

import itertools
import warnings

_DEFAULTS = {"_workers": 1, "_use_multiprocessing": False, "_max_queue_size": 10}


class PyDataset:
    """Subclass it with `__len__` (or the `num_batches` property) and `__getitem__(index)` returning
    `x`, `(x, y)` or `(x, y, sample_weight)`.

    Args:
        workers: How many threads should load batches in parallel.
        use_multiprocessing: Accepted for Keras compatibility; kerasish loads batches in threads.
        max_queue_size: How many batches may wait, loaded ahead, at most.

    These settings are recorded for Keras compatibility; to load batches in parallel, iterate
    `kerasish.data.DataLoader(dataset, num_workers=dataset.workers)`.
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        for argument, value, least in (("workers", workers, 0), ("max_queue_size", max_queue_size, 1)):
            if not isinstance(value, int) or isinstance(value, bool) or value < least:
                raise ValueError(
                    f"{type(self).__name__}: `{argument}` must be an integer >= {least}, received {argument}={value!r}"
                )
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _setting(self, name):
        if not hasattr(self, name):
            warnings.warn(
                "Your `PyDataset` class should call `super().__init__(**kwargs)` in its constructor. "
                "`**kwargs` can include `workers`, `use_multiprocessing`, `max_queue_size`. Do not pass "
                "these arguments to `fit()`, as they will be ignored.",
                stacklevel=3,
            )
            for attribute, value in _DEFAULTS.items():
                if not hasattr(self, attribute):
                    setattr(self, attribute, value)
        return getattr(self, name)

    @property
    def workers(self):
        return self._setting("_workers")

    @workers.setter
    def workers(self, value):
        self._workers = value

    @property
    def use_multiprocessing(self):
        return self._setting("_use_multiprocessing")

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        self._use_multiprocessing = value

    @property
    def max_queue_size(self):
        return self._setting("_max_queue_size")

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = value

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement `__getitem__(index)` returning a batch")

    def __iter__(self):
        try:
            count = self.num_batches
        except NotImplementedError:
            count = None
        for index in range(count) if count is not None else itertools.count():
            yield self[index]

    @property
    def num_batches(self):
        """The number of batches, or None for an endless dataset."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(
            "You need to implement the `num_batches` property:\n\n@property\ndef num_batches(self):\n  return ..."
        )

    def on_epoch_begin(self):
        """Called at the beginning of every epoch."""

    def on_epoch_end(self):
        """Called at the end of every epoch."""


Sequence = PyDataset  # Keras 2 name, kept by Keras 3 as `keras.utils.Sequence`
