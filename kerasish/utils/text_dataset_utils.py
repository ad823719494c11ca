"""text_dataset_from_directory: a dataset of text batches (and labels) from a folder of class folders of
`.txt` files."""

import numpy

from kerasish.utils import directory_dataset

ALLOWED_FORMATS = (".txt",)


def _strings(texts):
    array = numpy.empty(len(texts), dtype=object)
    array[:] = texts
    return array


def text_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    max_length=None,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    follow_links=False,
    format="tf",
    verbose=True,
):
    """Keras's `text_dataset_from_directory`: batches of texts (object arrays of `str`, each file read as
    UTF-8 and cut to `max_length` characters) and their labels (`label_mode` as in
    `image_dataset_from_directory`). Returns a PyDataset with `class_names` and `file_paths`, or
    `[training, validation]` for `subset="both"`."""
    directory_dataset.check_labels_argument(labels, class_names, "text")
    directory_dataset.check_label_mode(label_mode)
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    if max_length is not None and (not isinstance(max_length, int) or max_length < 1):
        raise ValueError(f"`max_length` must be a positive integer or None. Received: max_length={max_length}")
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')

    def load(path):
        with open(path, encoding="utf-8") as file:
            return file.read(max_length) if max_length is not None else file.read()

    return directory_dataset.from_directory(
        directory,
        labels,
        label_mode,
        class_names,
        ALLOWED_FORMATS,
        load,
        batch_size,
        shuffle,
        seed,
        validation_split,
        subset,
        follow_links,
        verbose,
        "text files",
        collate=_strings,
    )
