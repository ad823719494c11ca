"""image_dataset_from_directory: a dataset of image batches (and labels) from a folder of class folders.

Images are read with `utils.image_utils.load_img`: PNG (8-bit, not interlaced) and binary PPM/PGM always,
and every format Pillow reads (JPEG, BMP, GIF, ...) when Pillow is installed. The files indexed are
Keras's (`.bmp .gif .jpeg .jpg .png`), so a folder gives the same files, labels and order as in Keras;
a JPEG without Pillow is an error naming the file, never a silent skip.
"""

import numpy

from kerasish.backends.config import standardize_data_format
from kerasish.backends.primitives.image import RESIZE_INTERPOLATIONS, resize
from kerasish.utils import directory_dataset
from kerasish.utils.image_utils import load_img

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
COLOR_MODES = {"rgb": 3, "rgba": 4, "grayscale": 1}


def image_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    color_mode="rgb",
    batch_size=32,
    image_size=(256, 256),
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    interpolation="bilinear",
    follow_links=False,
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    data_format=None,
    format="tf",
    verbose=True,
):
    """Keras's `image_dataset_from_directory`: batches of float32 images `(batch, height, width, channels)`
    (values 0..255, resized to `image_size`) and their labels (`label_mode` "int": int32 `(batch,)`;
    "categorical": float32 one-hot; "binary": float32 `(batch, 1)`; None: images only). Returns a
    PyDataset with `class_names` and `file_paths`, or `[training, validation]` for `subset="both"`.
    `format` is accepted for Keras's signature (both "tf" and "grain" give this dataset)."""
    directory_dataset.check_labels_argument(labels, class_names, "image")
    directory_dataset.check_label_mode(label_mode)
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    if color_mode not in COLOR_MODES:
        raise ValueError(
            f'`color_mode` must be one of {{"rgb", "rgba", "grayscale"}}. Received: color_mode={color_mode}'
        )
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError(
            f"Invalid `image_size` value. Expected a tuple of 2 integers. Received: image_size={image_size}"
        )
    interpolation = interpolation.lower()
    if interpolation not in RESIZE_INTERPOLATIONS:
        raise ValueError(
            f"Argument `interpolation` should be one of {RESIZE_INTERPOLATIONS}. "
            f"Received: interpolation={interpolation}"
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be set to `True`.")
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    data_format = standardize_data_format(data_format)
    size = (int(image_size[0]), int(image_size[1]))

    def load(path):
        try:
            image = load_img(path, color_mode=color_mode).astype("float32")
        except (ValueError, OSError) as error:
            raise ValueError(
                f"{path}: cannot be read as an image ({error}). Without Pillow kerasish reads 8-bit PNG and binary "
                "PPM/PGM only; for JPEG, BMP and GIF: pip install pillow"
            ) from error
        image = numpy.asarray(
            resize(
                image,
                size,
                interpolation=interpolation,
                crop_to_aspect_ratio=crop_to_aspect_ratio,
                pad_to_aspect_ratio=pad_to_aspect_ratio,
                data_format="channels_last",
            )
        )
        return numpy.moveaxis(image, -1, 0) if data_format == "channels_first" else image

    return directory_dataset.from_directory(
        directory,
        labels,
        label_mode,
        class_names,
        ALLOWLIST_FORMATS,
        load,
        batch_size,
        shuffle,
        seed,
        validation_split,
        subset,
        follow_links,
        verbose,
        "images",
        attributes={"image_size": size, "color_mode": color_mode, "interpolation": interpolation},
    )
