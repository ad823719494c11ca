"""kerasish.preprocessing: Keras 3's `keras.preprocessing` namespace (the image and sequence helpers and the
dataset-making utilities, which also live in `kerasish.utils`)."""

from kerasish.preprocessing import image, sequence
from kerasish.utils.image_dataset_utils import image_dataset_from_directory
from kerasish.utils.text_dataset_utils import text_dataset_from_directory
from kerasish.utils.timeseries_dataset_utils import timeseries_dataset_from_array

__all__ = [
    "image",
    "image_dataset_from_directory",
    "sequence",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
]
