"""The data section: training and test arrays from a `kerasish.datasets` name, a `.npz` file or an HDF5
file (read through `kerasish.data.HDF5Dataset`), Caffe's transform (`(x - mean) * scale`, reshape,
upsample, channels), and `BatchStream`, the batches of a run by iteration number.

An image directory is not read: kerasish has no `image_dataset_from_directory` yet.
"""

import math
import os
import threading

import numpy

from kerasish import datasets
from kerasish.cli.config import SCHEMA
from kerasish.data import HDF5Dataset
from kerasish.trainers.data_adapters import train_validation_split
from kerasish.utils.py_dataset import PyDataset

DATASETS = {
    "digits": datasets.digits,
    "mnist": datasets.mnist,
    "fashion_mnist": datasets.fashion_mnist,
    "cifar10": datasets.cifar10,
    "cifar100": datasets.cifar100,
}
HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf")


class Data:
    """`train` (x, y), `validation` (x, y) or None, `test` (x, y) or None: transformed arrays, except that
    an HDF5 training file stays on disk (`train` is then an HDF5Dataset read batch by batch)."""

    def __init__(self, train, validation, test):
        self.train, self.validation, self.test = train, validation, test

    @property
    def sample_shape(self):
        if isinstance(self.train, HDF5Dataset):
            return tuple(self.train[0][0].shape[1:])
        return tuple(self.train[0].shape[1:])


def load(config, batch_size):
    section = config.data
    if section["dataset"] is not None and section["train"] is not None:
        raise config.error("data.dataset", "give data.dataset or data.train, not both")
    if section["dataset"] is not None:
        train, test = _named_dataset(config)
    elif section["train"] is not None:
        train = _file(config, "data.train", batch_size)
        test = _file(config, "data.test", batch_size) if section["test"] is not None else None
    else:
        raise config.error("data", "no training data: set data.dataset (e.g. \"digits\") or data.train (a file)")
    if isinstance(test, HDF5Dataset):
        test = _read_whole(test)
    if isinstance(train, HDF5Dataset):
        for key in ("max_samples", "validation_split", "reshape", "upsample", "channels"):
            if section[key] != SCHEMA["data"][key].default:
                raise config.error(
                    f"data.{key}", "is not supported with an HDF5 training file (it is read batch by batch as stored)"
                )
        return Data(train, None, test and transform(config, test))
    if section["max_samples"] is not None:
        train = tuple(array[: section["max_samples"]] for array in train)
    train, test = transform(config, train), test and transform(config, test)
    validation = None
    if section["validation_split"]:
        try:
            train, validation = train_validation_split(train, section["validation_split"])
        except ValueError as error:
            raise config.error("data.validation_split", str(error)) from error
    return Data(train, validation, test)


def _named_dataset(config):
    name = config.data["dataset"]
    if name not in DATASETS:
        raise config.error("data.dataset", f"unknown dataset {name!r}; the datasets are {', '.join(DATASETS)}")
    return DATASETS[name].load_data()


def _file(config, key, batch_size):
    path = config.data[key.split(".")[1]]
    if os.path.isdir(path):
        raise config.error(
            key,
            f"{path} is a directory: image directories are not supported yet (kerasish has "
            "no image_dataset_from_directory); give a .npz or HDF5 file",
        )
    if not os.path.isfile(path):
        raise config.error(key, f"no such file: {path}")
    x_name, y_name = config.data["x"], config.data["y"]
    if path.lower().endswith(".npz"):
        return tuple(npz_arrays(config, path, [(x_name, "data.x"), (y_name, "data.y")]))
    if path.lower().endswith(HDF5_SUFFIXES):
        try:
            return HDF5Dataset(path, x=x_name, y=y_name, batch_size=batch_size)
        except KeyError as error:
            raise config.error(key, error.args[0]) from None
        except ValueError as error:  # UnreadableFileError among them
            raise config.error(key, str(error)) from error
    raise config.error(key, f"{path}: data files are .npz or HDF5 ({', '.join(HDF5_SUFFIXES)})")


def _read_whole(dataset):
    batches = [dataset[index] for index in range(len(dataset))]
    dataset.close()
    return tuple(numpy.concatenate(arrays) for arrays in zip(*batches))


def transform(config, arrays):
    """Caffe's transform of x: (x - mean) * scale as float32, then reshape, upsample and channels."""
    section = config.data
    x, y = arrays
    x = (numpy.asarray(x, dtype="float32") - numpy.float32(section["mean"])) * numpy.float32(section["scale"])
    if section["reshape"] is not None:
        try:
            x = x.reshape((len(x), *section["reshape"]))
        except ValueError as error:
            raise config.error(
                "data.reshape", f"samples of shape {x.shape[1:]} cannot take the shape {section['reshape']}"
            ) from error
    if section["upsample"] != 1:
        if section["upsample"] < 1 or x.ndim != 4:
            raise config.error(
                "data.upsample",
                f"must be a positive factor for images (samples of 3 dimensions); "
                f"received {section['upsample']} for samples of shape {x.shape[1:]}",
            )
        x = numpy.repeat(numpy.repeat(x, section["upsample"], axis=1), section["upsample"], axis=2)
    if section["channels"] is not None:
        if x.shape[-1] != 1:
            raise config.error("data.channels", f"repeats a single channel; the samples have shape {x.shape[1:]}")
        x = numpy.repeat(x, section["channels"], axis=-1)
    return x, numpy.asarray(y)


def iterations_per_pass(train, batch_size):
    """Iterations in one pass over the training data (a partial last batch counts as one)."""
    return len(train) if isinstance(train, HDF5Dataset) else math.ceil(len(train[0]) / batch_size)


class BatchStream(PyDataset):
    """The batch of each training iteration, as Caffe's data layers feed it: the samples run in passes, each
    pass a permutation drawn from (seed, pass number) when shuffling, and batch i holds the samples
    i * batch_size up to (i + 1) * batch_size of that endless sequence. Item `index` is the batch of iteration
    `start + index`: a resumed run sets `start` and reads the very batches the interrupted run would have."""

    def __init__(self, source, batch_size, iterations, shuffle, seed):
        super().__init__()
        self.source, self.batch_size, self.iterations = source, batch_size, iterations
        self.shuffle, self.seed = shuffle, seed
        self.start = 0
        self.hdf5 = isinstance(source, HDF5Dataset)
        self.num_samples = None if self.hdf5 else len(source[0])
        self._orders = {}
        self._lock = threading.Lock()  # loader threads read batches concurrently

    def __len__(self):
        return self.iterations

    def __getitem__(self, index):
        iteration = self.start + index
        if self.hdf5:  # stored batches in order, as Caffe's HDF5Data layer without shuffle
            return self.source[iteration % len(self.source)]
        first = iteration * self.batch_size
        positions = numpy.arange(first, first + self.batch_size)
        passes, offsets = numpy.divmod(positions, self.num_samples)
        rows = numpy.concatenate(
            [self._order(int(number))[offsets[passes == number]] for number in numpy.unique(passes)]
        )
        return tuple(array[rows] for array in self.source)

    def _order(self, number):
        with self._lock:
            if number not in self._orders:
                if len(self._orders) > 2:
                    self._orders.pop(min(self._orders))
                self._orders[number] = (
                    numpy.random.default_rng([self.seed & 0xFFFFFFFF, number]).permutation(self.num_samples)
                    if self.shuffle
                    else numpy.arange(self.num_samples)
                )
            return self._orders[number]


def npz_arrays(config, path, wanted):
    """The arrays named in `wanted` ((name, config key) pairs) of a .npz file, read without pickle; a
    missing one is an error naming its config key."""
    with numpy.load(path, allow_pickle=False) as arrays:
        for name, key in wanted:
            if name not in arrays.files:
                raise config.error(key, f"{path} has no array {name!r}; its arrays are {sorted(arrays.files)}")
        return [arrays[name] for name, _ in wanted]
