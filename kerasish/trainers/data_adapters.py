"""Training data as a stream of batches `(x, y, sample_weight)` of Tensors, whatever the user passed.

Arrays (and lists/dicts of arrays) are converted once and moved to the device; each pass over them
permutes them once (shuffle=True) and hands out slices, which are views. Python generators, iterables
such as `DataLoader`, and PyDataset-style objects (`__len__` + `__getitem__`) are converted batch by batch.
"""
import math

import numpy

from kerasish.backends import config, device
from kerasish.backends.dynamic import Tensor
from kerasish.backends.symbolic import flatten, map_structure


def unpack_x_y_sample_weight(data):
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
                     f"found a tuple of {len(data)} elements")


def _is_array(x):
    return isinstance(x, numpy.ndarray) or device.is_cupy(x) or hasattr(x, "_data") or (
        hasattr(x, "__array__") and hasattr(x, "shape"))


def is_array_data(x):
    leaves = flatten(x)
    return bool(leaves) and all(leaf is None or _is_array(leaf) for leaf in leaves)


def _device_array(x):
    """An array on the current device; float64 data becomes floatx, as Keras converts it."""
    array = getattr(x, "_data", x)
    if not device.is_cupy(array):
        array = numpy.asarray(array)
    if array.dtype == numpy.float64:
        array = array.astype(config.floatx())
    return device.to_device(array)


def _tensor(x):
    return None if x is None else Tensor(_device_array(x))


def class_weights_for(y, class_weight):
    """Per-sample weights from `{class index: weight}`; one-hot targets count by their argmax."""
    y = device.to_numpy(getattr(y, "_data", y))
    classes = numpy.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else numpy.rint(y).reshape(len(y))
    table = numpy.ones(int(max(max(class_weight), classes.max(initial=0))) + 1, dtype=config.floatx())
    for label, weight in class_weight.items():
        table[int(label)] = weight
    return device.to_device(table[classes.astype(numpy.int64)])


def _check_class_weight(class_weight, y, sample_weight):
    if class_weight is None:
        return
    if not isinstance(class_weight, dict):
        raise ValueError(f"`class_weight` must be a dict mapping class indices to weights, received {class_weight!r}")
    if sample_weight is not None:
        raise ValueError("You cannot `class_weight` and `sample_weight` at the same time")
    if len(flatten(y)) != 1:
        raise ValueError("`class_weight` is only supported for Models with a single output")


class ArrayAdapter:
    """Arrays held on the device for the whole fit; batches are slices."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False, class_weight=None):
        _check_class_weight(class_weight, y, sample_weight)
        self.data = map_structure(lambda a: None if a is None else _device_array(a), (x, y, sample_weight))
        self.num_samples = _cardinality(self.data)
        if class_weight is not None:
            self.data = (self.data[0], self.data[1], class_weights_for(self.data[1], class_weight))
        self.batch_size = batch_size or 32
        self.shuffle = shuffle
        self.num_batches = math.ceil(self.num_samples / self.batch_size)

    def passes(self):
        """One pass over the data per iteration of the outer loop, for as long as it is asked for."""
        while True:
            yield self._one_pass()

    def _one_pass(self):
        data, order = self.data, range(self.num_batches)
        if self.shuffle == "batch":
            order = numpy.random.permutation(self.num_batches)
        elif self.shuffle:
            xp = device.get_array_module(*[a for a in flatten(data) if a is not None])
            permutation = xp.asarray(numpy.random.permutation(self.num_samples))
            data = map_structure(lambda a: None if a is None else a[permutation], data)
        for index in order:
            start = index * self.batch_size
            yield map_structure(lambda a: None if a is None else Tensor(a[start:start + self.batch_size]), data)


def _batch_loader(dataset, shuffle):
    """A dataset of whole batches (`__len__` or `num_batches`, `__getitem__(index)`) as a `DataLoader`; a
    PyDataset with `workers > 1` gets that many threads loading batches ahead of training."""
    from kerasish.data import DataLoader
    workers = getattr(dataset, "workers", 1) or 1
    queue = getattr(dataset, "max_queue_size", 10) or 10
    return DataLoader(dataset, batch_size=None, shuffle=shuffle, num_workers=workers if workers > 1 else 0,
                      prefetch_factor=max(1, queue // workers))


class IterableAdapter:
    """A Python generator or iterator of batches is read once, in order, until it is exhausted; an iterable
    that starts afresh on each `iter()` (a `DataLoader`, a list of batches) is read once per epoch."""

    def __init__(self, iterable, class_weight=None):
        self.iterable, self.class_weight = iterable, class_weight
        self.single_pass = iter(iterable) is iterable
        self.num_batches = None if self.single_pass or not hasattr(iterable, "__len__") else len(iterable)

    def passes(self):
        while True:
            yield (_convert_batch(batch, self.class_weight) for batch in self.iterable)
            if self.single_pass:
                return


def _convert_batch(batch, class_weight):
    if _is_namedtuple(batch):
        raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`; "
                         f"a namedtuple ({type(batch).__name__}) is ambiguous, pass a plain tuple")
    x, y, sample_weight = unpack_x_y_sample_weight(batch)
    _check_class_weight(class_weight, y, sample_weight)
    if class_weight is not None:
        sample_weight = class_weights_for(y, class_weight)
    return map_structure(_tensor, (x, y, sample_weight))


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _cardinality(data):
    sizes = {}
    for label, part in zip(("x", "y", "sample_weight"), data):
        lengths = [int(a.shape[0]) for a in flatten(part) if a is not None]
        if lengths:
            sizes[label] = lengths
    every = {n for lengths in sizes.values() for n in lengths}
    if len(every) > 1:
        detail = "; ".join(f"'{label}' sizes: {', '.join(map(str, lengths))}" for label, lengths in sizes.items())
        raise ValueError(f"Data cardinality is ambiguous: make sure all arrays contain the same number of "
                         f"samples. {detail}")
    if not every:
        raise ValueError("Expected input data, received none (x is None or empty)")
    return every.pop()


def get_data_adapter(x, y=None, sample_weight=None, batch_size=None, shuffle=False, class_weight=None):
    if _is_namedtuple(x):
        raise ValueError(f"`x` is a namedtuple ({type(x).__name__}), which is ambiguous as input data; "
                         "pass a tuple, a list or a dict")
    if is_array_data(x):
        return ArrayAdapter(x, y, sample_weight, batch_size, shuffle, class_weight)
    if y is not None or sample_weight is not None:
        raise ValueError(f"When `x` is a {type(x).__name__} (a dataset or generator), `y` and `sample_weight` "
                         "must not be given: the batches themselves carry them")
    if hasattr(x, "__getitem__") and hasattr(x, "__len__"):
        return IterableAdapter(_batch_loader(x, shuffle), class_weight)
    if hasattr(x, "__next__") or hasattr(x, "__iter__"):
        return IterableAdapter(x, class_weight)
    raise ValueError(f"Unrecognized data type: x={x!r} (of type {type(x).__name__}); expected arrays, a list "
                     "or dict of arrays, a PyDataset or a Python generator")


def train_validation_split(arrays, validation_split):
    """Split arrays into a training and a validation part: the validation part is the last fraction."""
    if not is_array_data(arrays):
        kinds = sorted({type(a).__name__ for a in flatten(arrays) if a is not None})
        raise ValueError("`validation_split` is only supported for Tensors or NumPy arrays, found the "
                         f"following types in the input: {kinds}")
    size = _cardinality(arrays)
    split_at = int(math.floor(size * (1.0 - validation_split)))
    if split_at == 0 or split_at == size:
        raise ValueError(f"Training data contains {size} samples, which is not sufficient to split it into a "
                         f"validation and training set as specified by `validation_split={validation_split}`")
    first = map_structure(lambda a: None if a is None else a[:split_at], arrays)
    second = map_structure(lambda a: None if a is None else a[split_at:], arrays)
    return first, second
