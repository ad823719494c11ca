"""Training data as a stream of batches `(x, y, sample_weight)` of Tensors, whatever the user passed.

Arrays (and lists/dicts of arrays) are converted once and moved to the device; each pass over them
permutes them once (shuffle=True) and hands out slices, which are views. Python generators, iterables
such as `DataLoader`, and PyDataset-style objects (`__len__` + `__getitem__`) are converted batch by batch.
"""

import math
import numbers

import numpy

from kerasish.backends import config, device
from kerasish.backends.dtypes import as_array, is_foreign_array
from kerasish.backends.dynamic import Tensor
from kerasish.backends.tree import flatten, map_structure
from kerasish.trainers.arguments import positive_int_or_none
from kerasish.utils.data_packing import unpack_x_y_sample_weight

NUMERIC_KINDS = "biuf"  # numpy dtype kinds of bool, signed and unsigned int, float
MAX_NESTING = 64  # lists/tuples/dicts in lists in ...: deeper is a structure that contains itself, or a mistake


def _is_array(x):
    return isinstance(x, numpy.ndarray) or device.is_cupy(x) or hasattr(x, "_data") or is_foreign_array(x)


def is_array_data(x):
    leaves = flatten(x)
    return bool(leaves) and all(leaf is None or _is_array(leaf) for leaf in leaves)


def _device_array(x, label):
    """An array on the current device; float64 data becomes floatx, as Keras converts it. Data that is not
    numbers (strings, objects, complex values, ragged lists) is refused here, naming `label`."""
    array = getattr(x, "_data", x)
    if not device.is_cupy(array):
        try:
            array = as_array(array) if is_foreign_array(array) else numpy.asarray(array)
        except ValueError as error:
            raise ValueError(f"`{label}` cannot be converted to an array: {error}") from None
    if array.dtype.kind not in NUMERIC_KINDS:
        raise ValueError(
            f"`{label}` must hold numbers (bool, int or float), received an array of dtype "
            f"{array.dtype} and shape {array.shape}"
        )
    if array.dtype == numpy.float64:
        array = array.astype(config.floatx())
    return device.to_device(array)


def _labelled(function, data):
    """`function(leaf, label)` over the leaves of `(x, y, sample_weight)`; None leaves stay None."""
    return tuple(
        map_structure(lambda a, label=label: None if a is None else function(a, label), part)
        for label, part in zip(("x", "y", "sample_weight"), data)
    )


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
    if not all(
        isinstance(label, numbers.Integral)
        and not isinstance(label, bool)
        and label >= 0
        and isinstance(weight, numbers.Real)
        and not isinstance(weight, bool)
        for label, weight in class_weight.items()
    ):
        raise ValueError(
            "Expected `class_weight` to be a dict with keys from 0 to one less than the number of "
            f"classes and numbers as values, found {class_weight!r}"
        )
    if sample_weight is not None:
        raise ValueError("You cannot `class_weight` and `sample_weight` at the same time")
    if len(flatten(y)) != 1:
        raise ValueError("`class_weight` is only supported for Models with a single output")


def _check_sample_weight(y, sample_weight):
    """Each weight array gives one weight per sample, or per loss value: its shape (trailing 1s aside) must
    lead the shape of its target, else the loss would fail to broadcast it, or quietly broadcast it wrong."""
    weights, targets = flatten(sample_weight), flatten(y)
    if len(weights) == 1 and len(targets) > 1:
        weights = weights * len(targets)
    for weight, target in zip(weights, targets):
        if weight is None or target is None:
            continue
        shape = tuple(weight.shape)
        while len(shape) > 1 and shape[-1] == 1:
            shape = shape[:-1]
        if shape != tuple(target.shape[: len(shape)]):
            raise ValueError(
                f"`sample_weight` of shape {tuple(weight.shape)} does not fit the targets `y` of shape "
                f"{tuple(target.shape)}: give one weight per sample, shape ({target.shape[0]},)"
            )


class ArrayAdapter:
    """Arrays held on the device for the whole fit; batches are slices."""

    source = "arrays"

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False, class_weight=None):
        _check_class_weight(class_weight, y, sample_weight)
        self.data = _labelled(_device_array, (x, y, sample_weight))
        self.num_samples = _cardinality(self.data)
        if self.num_samples == 0:
            shapes = {
                label: [tuple(a.shape) for a in flatten(part) if a is not None]
                for label, part in zip(("x", "y", "sample_weight"), self.data)
            }
            raise ValueError(
                "Expected input data with at least one sample, received empty arrays: "
                + ", ".join(f"'{label}' shapes {found}" for label, found in shapes.items() if found)
            )
        _check_sample_weight(self.data[1], self.data[2])
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
        size = self.batch_size
        if type(data) is tuple and all(a is None or _is_array(a) for a in data):  # (x, y, sample_weight) arrays
            x, y, weights = data  # every step: no function or loop per array
            for index in order:
                start = index * size
                stop = start + size
                yield (
                    None if x is None else Tensor(x[start:stop]),
                    None if y is None else Tensor(y[start:stop]),
                    None if weights is None else Tensor(weights[start:stop]),
                )
            return
        for index in order:
            start = index * size
            yield map_structure(lambda a, start=start: None if a is None else Tensor(a[start : start + size]), data)


def _batch_loader(dataset, shuffle):
    """A dataset of whole batches (`__len__` or `num_batches`, `__getitem__(index)`) as a `DataLoader`; a
    PyDataset with `workers > 1` gets that many threads loading batches ahead of training."""
    from kerasish.data import DataLoader

    workers = getattr(dataset, "workers", 1) or 1
    queue = getattr(dataset, "max_queue_size", 10) or 10
    return DataLoader(
        dataset,
        batch_size=None,
        shuffle=shuffle,
        num_workers=workers if workers > 1 else 0,
        prefetch_factor=max(1, queue // workers),
    )


class IterableAdapter:
    """A Python generator or iterator of batches is read once, in order, until it is exhausted; an iterable
    that starts afresh on each `iter()` (a `DataLoader`, a list of batches) is read once per epoch."""

    def __init__(self, iterable, class_weight=None):
        self.iterable, self.class_weight = iterable, class_weight
        self.source = f"of type {type(getattr(iterable, 'dataset', iterable)).__name__}"
        self.single_pass = iter(iterable) is iterable
        self.num_batches = None if self.single_pass or not hasattr(iterable, "__len__") else len(iterable)

    def passes(self):
        while True:
            yield (_convert_batch(batch, self.class_weight) for batch in self.iterable)
            if self.single_pass:
                return


def _convert_batch(batch, class_weight):
    if _is_namedtuple(batch):
        raise ValueError(
            "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`; "
            f"a namedtuple ({type(batch).__name__}) is ambiguous, pass a plain tuple"
        )
    x, y, sample_weight = unpack_x_y_sample_weight(batch)
    _check_class_weight(class_weight, y, sample_weight)
    if class_weight is not None:
        sample_weight = class_weights_for(y, class_weight)
    return _labelled(lambda a, label: Tensor(_device_array(a, label)), (x, y, sample_weight))


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _cardinality(data):
    sizes = {}
    for label, part in zip(("x", "y", "sample_weight"), data):
        arrays = [a for a in flatten(part) if a is not None]
        if any(a.ndim == 0 for a in arrays):
            raise ValueError(
                f"`{label}` must be an array with one entry per sample (a leading batch axis), "
                "received a scalar (shape ())"
            )
        lengths = [int(a.shape[0]) for a in arrays]
        if lengths:
            sizes[label] = lengths
    every = {n for lengths in sizes.values() for n in lengths}
    if len(every) > 1:
        detail = "; ".join(f"'{label}' sizes: {', '.join(map(str, lengths))}" for label, lengths in sizes.items())
        raise ValueError(
            f"Data cardinality is ambiguous: make sure all arrays contain the same number of samples. {detail}"
        )
    if not every:
        raise ValueError("Expected input data, received none (x is None or empty)")
    return every.pop()


def _check_nesting(data):
    """Walk the containers of `(x, y, sample_weight)` without recursion: one that contains itself, or nests
    deeper than MAX_NESTING, is an error here rather than a RecursionError in whatever flattens it next."""
    for label, part in zip(("x", "y", "sample_weight"), data):
        stack = [(part, 0)] if isinstance(part, (list, tuple, dict)) else []
        while stack:
            item, depth = stack.pop()
            if depth > MAX_NESTING:
                raise ValueError(
                    f"`{label}` is nested more than {MAX_NESTING} lists, tuples or dicts deep (does it contain itself?)"
                )
            values = item.values() if isinstance(item, dict) else item
            stack.extend((value, depth + 1) for value in values if isinstance(value, (list, tuple, dict)))


def get_data_adapter(x, y=None, sample_weight=None, batch_size=None, shuffle=False, class_weight=None):
    batch_size = positive_int_or_none(batch_size, "batch_size")
    _check_nesting((x, y, sample_weight))
    if _is_namedtuple(x):
        raise ValueError(
            f"`x` is a namedtuple ({type(x).__name__}), which is ambiguous as input data; "
            "pass a tuple, a list or a dict"
        )
    if _plain_values_as_arrays(x, y, sample_weight):
        raise ValueError(
            "Expected all elements of `x` to be array-like (a numpy array, or a list or dict of "
            f"arrays), received a {type(x).__name__} of plain Python values: x={_abridged(x)}. "
            "Convert it with numpy.asarray(x)"
        )
    if is_array_data(x):
        return ArrayAdapter(x, y, sample_weight, batch_size, shuffle, class_weight)
    if isinstance(x, (str, bytes)) or not any(hasattr(x, name) for name in ("__getitem__", "__iter__", "__next__")):
        raise ValueError(
            f"Unrecognized data type: x={_abridged(x)} (of type {type(x).__name__}); expected arrays, a "
            "list or dict of arrays, a PyDataset or a Python generator"
        )
    if y is not None or sample_weight is not None:
        raise ValueError(
            f"When `x` is a {type(x).__name__} (a dataset or generator), `y` and `sample_weight` "
            "must not be given: the batches themselves carry them"
        )
    if hasattr(x, "__getitem__") and hasattr(x, "__len__"):
        return IterableAdapter(_batch_loader(x, shuffle), class_weight)
    return IterableAdapter(x, class_weight)


def _is_plain_value(x):
    return x is None or isinstance(x, (numbers.Number, str, bytes))


def _plain_values_as_arrays(x, y, sample_weight):
    """A list of plain Python values meant as an array (rows of numbers, or anything given with `y`), not a
    list of batches `(x, y)`, which is read as a dataset."""
    if not isinstance(x, (list, tuple)) or not x or not all(_is_plain_value(leaf) for leaf in flatten(x)):
        return False
    return y is not None or sample_weight is not None or not all(isinstance(item, tuple) for item in x)


def _abridged(x):
    text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."


def train_validation_split(arrays, validation_split):
    """Split arrays into a training and a validation part: the validation part is the last fraction."""
    if not is_array_data(arrays):
        kinds = sorted({type(a).__name__ for a in flatten(arrays) if a is not None})
        raise ValueError(
            "`validation_split` is only supported for Tensors or NumPy arrays, found the "
            f"following types in the input: {kinds}"
        )
    size = _cardinality(arrays)
    split_at = int(math.floor(size * (1.0 - validation_split)))
    if split_at == 0 or split_at == size:
        raise ValueError(
            f"Training data contains {size} samples, which is not sufficient to split it into a "
            f"validation and training set as specified by `validation_split={validation_split}`"
        )
    first = map_structure(lambda a: None if a is None else a[:split_at], arrays)
    second = map_structure(lambda a: None if a is None else a[split_at:], arrays)
    return first, second
