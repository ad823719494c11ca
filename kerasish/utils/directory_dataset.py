"""What Keras's `*_dataset_from_directory` functions share: indexing a folder of class sub-folders, the
validation split, label encoding, and making the dataset of batches they return (`SampleBatches`)."""

import os
import warnings

import numpy

from kerasish.utils.io_utils import print_msg
from kerasish.utils.sample_batches import SampleBatches

LABEL_MODES = ("int", "categorical", "binary", None)
FILE_LIMIT = 1 << 31  # bytes of one file a dataset reads


def check_labels_argument(labels, class_names, what):
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                f"`labels` argument should be a list/tuple of integer labels, of the same size as the number of "
                f"{what} files in the target directory. If you wish to infer the labels from the subdirectory names "
                'in the target directory, pass `labels="inferred"`. If you wish to get a dataset that only contains '
                f"{what}s (no labels), pass `labels=None`. Received: labels={labels}"
            )
        if class_names:
            raise ValueError(
                f'You can only pass `class_names` if `labels="inferred"`. Received: labels={labels}, and '
                f"class_names={class_names}"
            )


def check_label_mode(label_mode):
    if label_mode not in LABEL_MODES:
        raise ValueError(
            '`label_mode` argument must be one of "int", "categorical", "binary", or None. '
            f"Received: label_mode={label_mode}"
        )


def check_validation_split_arg(validation_split, subset, shuffle, seed):
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", received: {subset}')
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must provide a `seed` argument, to make sure "
            "that there is no overlap between the training and validation subset."
        )


def _inside(path, root):
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _walk_inside(folder, root, follow_links, outside):
    """os.walk that never leaves `root` (a real path): a link to a file or folder outside it is recorded in
    `outside` and skipped, and with `follow_links` a folder reached twice (a link cycle) is walked once."""
    visited = set()
    for path, subfolders, files in os.walk(folder, followlinks=follow_links):
        real = os.path.realpath(path)
        if real in visited or not _inside(real, root):
            if real not in visited:
                outside.append(path)
            subfolders[:] = []
            continue
        visited.add(real)
        yield path, files


def _valid_files(directory, root, follow_links, formats, outside):
    for folder, files in sorted(_walk_inside(directory, root, follow_links, outside), key=lambda entry: entry[0]):
        for name in sorted(files):
            if name.lower().endswith(formats):
                path = os.path.join(folder, name)
                if _inside(path, root):
                    yield path
                else:
                    outside.append(path)


def index_directory(
    directory, labels, formats, class_names=None, shuffle=True, seed=None, follow_links=False, verbose=True
):
    """`(file_paths, labels, class_names)` as Keras indexes them: with `labels="inferred"` each sorted
    sub-folder (not hidden) is a class and its files, found recursively in sorted order, are labelled with
    its index; otherwise the files of the whole folder, with `labels` (a list) or none. Shuffled together
    with `numpy.random.RandomState(seed)` when `shuffle`."""
    if not os.path.isdir(directory):
        raise ValueError(f"Could not find directory {directory}")
    if labels == "inferred":
        subdirectories = [
            name
            for name in sorted(os.listdir(directory))
            if os.path.isdir(os.path.join(directory, name)) and not name.startswith(".")
        ]
        if class_names is not None:
            if not set(class_names).issubset(subdirectories):
                raise ValueError(
                    "The `class_names` passed did not match the names of the subdirectories of the target directory. "
                    f"Expected: {subdirectories} (or a subset of it), but received: class_names={class_names}"
                )
            subdirectories = list(class_names)
    else:
        if class_names is not None:
            if labels is None:
                raise ValueError("When `labels=None` (no labels), argument `class_names` cannot be specified.")
            raise ValueError(
                "When argument `labels` is specified, argument `class_names` cannot be specified (the `class_names` "
                "will be the sorted list of labels)."
            )
        subdirectories = [""]
    file_paths, inferred, outside = [], [], []
    root = os.path.realpath(directory)
    for index, name in enumerate(subdirectories):
        found = list(_valid_files(os.path.join(directory, name), root, follow_links, formats, outside))
        file_paths += found
        inferred += [index] * len(found)
    if outside:
        warnings.warn(
            f"Skipped {len(outside)} link(s) to files or folders outside {directory}: {outside[:5]}", stacklevel=3
        )
    if labels == "inferred":
        class_names, labels = subdirectories, numpy.asarray(inferred, dtype="int32")
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(file_paths):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files in the target directory. len(labels) "
                f"is {len(labels)} while we found {len(file_paths)} files in directory {directory}."
            )
        class_names = [str(label) for label in sorted(set(labels))]
        labels = numpy.asarray(labels)
    if verbose:
        if labels is None:
            print_msg(f"Found {len(file_paths)} files.")
        else:
            print_msg(f"Found {len(file_paths)} files belonging to {len(class_names)} classes.")
    if shuffle:
        if seed is None:
            seed = numpy.random.randint(1e6)
        order = numpy.arange(len(file_paths))
        numpy.random.RandomState(seed).shuffle(order)
        file_paths = [file_paths[i] for i in order]
        labels = labels[order] if labels is not None else None
    return file_paths, labels, class_names


def training_or_validation_split(samples, labels, validation_split, subset):
    """The training part (all but the last `int(validation_split * n)`) or the validation part (those)."""
    if not validation_split:
        return samples, labels
    validation_count = int(validation_split * len(samples))
    if subset == "training":
        print_msg(f"Using {len(samples) - validation_count} files for training.")
        kept = slice(None, len(samples) - validation_count)
    elif subset == "validation":
        print_msg(f"Using {validation_count} files for validation.")
        kept = slice(len(samples) - validation_count, None)
    else:
        raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')
    return samples[kept], (labels[kept] if labels is not None else None)


def encode_labels(labels, label_mode, num_classes):
    """int: int32 `(n,)`; categorical: float32 one-hot `(n, num_classes)`; binary: float32 `(n, 1)`."""
    labels = numpy.asarray(labels)
    if label_mode == "int":
        return labels.astype("int32")
    if label_mode == "binary":
        return labels.astype("float32").reshape(-1, 1)
    return numpy.eye(num_classes, dtype="float32")[labels.astype("int64")]


def from_directory(
    directory,
    labels,
    label_mode,
    class_names,
    formats,
    load,
    batch_size,
    shuffle,
    seed,
    validation_split,
    subset,
    follow_links,
    verbose,
    what,
    collate=numpy.stack,
    attributes=None,
):
    """The dataset of the files of `directory` (or `[training, validation]` for `subset="both"`, the
    validation part unshuffled, as in Keras), with `attributes` set on each; `labels` and `label_mode`
    already checked."""
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = numpy.random.randint(1e6)
    paths, labels, class_names = index_directory(
        directory, labels, formats, class_names, shuffle=shuffle, seed=seed, follow_links=follow_links, verbose=verbose
    )
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(
            'When passing `label_mode="binary"`, there must be exactly 2 class_names. '
            f"Received: class_names={class_names}"
        )

    def load_capped(path):
        size = os.stat(path).st_size
        if size > FILE_LIMIT:
            raise ValueError(f"{path}: {size} bytes, more than the {FILE_LIMIT} bytes a dataset reads from one file")
        return load(path)

    def make(part_paths, part_labels, part_shuffle):
        encoded = None if label_mode is None else encode_labels(part_labels, label_mode, len(class_names))
        dataset = SampleBatches(part_paths, encoded, load_capped, batch_size, part_shuffle, seed, class_names, collate)
        for name, value in (attributes or {}).items():
            setattr(dataset, name, value)
        return dataset

    if subset != "both":
        paths, labels = training_or_validation_split(paths, labels, validation_split, subset)
        if not paths:
            raise ValueError(f"No {what} found in directory {directory}. Allowed formats: {formats}")
        return make(paths, labels, shuffle)
    datasets = []
    for part in ("training", "validation"):
        part_paths, part_labels = training_or_validation_split(paths, labels, validation_split, part)
        if not part_paths:
            raise ValueError(f"No {part} {what} found in directory {directory}. Allowed formats: {formats}")
        datasets.append(make(part_paths, part_labels, shuffle and part == "training"))
    return datasets
