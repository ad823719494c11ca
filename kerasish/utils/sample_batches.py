"""SampleBatches: the dataset Keras's dataset-making utilities return here, in place of a `tf.data.Dataset`."""

import math

import numpy

from kerasish.utils.py_dataset import PyDataset


class SampleBatches(PyDataset):
    """Batches of `load(sample)` (stacked by `collate`), with their labels (an array, one row per sample)
    when there are labels: a PyDataset that `fit`, `evaluate` and `predict` accept, and that a `for` loop
    walks one epoch at a time.

    Each epoch (each `for` loop, each epoch of `fit`) visits the samples in a new order when `shuffle`,
    drawn from `seed`; `batch_size=None` gives single samples. `class_names` and `file_paths` are as Keras's
    datasets have them.
    """

    def __init__(self, samples, labels, load, batch_size, shuffle, seed, class_names, collate=numpy.stack):
        super().__init__()
        if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
            raise ValueError(f"`batch_size` must be a positive integer or None, received: batch_size={batch_size!r}")
        self.samples, self.labels = list(samples), labels
        self.load, self.collate = load, collate
        self.batch_size, self.shuffle, self.seed = batch_size, shuffle, seed
        self.class_names = class_names
        self._rng = numpy.random.RandomState(seed)
        self._order = self._new_order()

    @property
    def file_paths(self):
        return [sample for sample in self.samples if isinstance(sample, str)]

    def _new_order(self):
        order = numpy.arange(len(self.samples))
        if self.shuffle:
            self._rng.shuffle(order)
        return order

    def __len__(self):
        return len(self.samples) if self.batch_size is None else math.ceil(len(self.samples) / self.batch_size)

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"batch index {index} out of range for a dataset of {len(self)} batches")
        if self.batch_size is None:
            chosen = self._order[index : index + 1]
        else:
            chosen = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        inputs = self.collate([self.load(self.samples[i]) for i in chosen])
        if self.batch_size is None:
            inputs = inputs[0]
        if self.labels is None:
            return inputs
        labels = self.labels[chosen]
        return inputs, (labels[0] if self.batch_size is None else labels)

    def __iter__(self):
        yield from (self[index] for index in range(len(self)))
        self.on_epoch_end()

    def on_epoch_end(self):
        self._order = self._new_order()
