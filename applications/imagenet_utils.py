"""ImageNet preprocessing and decoding shared by every application model.

Modes (Keras's names): "caffe" (RGB->BGR, subtract the BGR means, no scaling: Keras VGG/ResNet
weights), "tf" (scale to [-1, 1]), "torch" (scale to [0, 1], normalise by the ImageNet RGB mean and
std: torchvision weights). Inputs are RGB images in 0..255, channels_last unless data_format says.
"""

import functools
import json
import os

import numpy

from kerasish.backends.config import standardize_data_format

CAFFE_BGR_MEAN = (103.939, 116.779, 123.68)
TORCH_RGB_MEAN = (0.485, 0.456, 0.406)
TORCH_RGB_STD = (0.229, 0.224, 0.225)
MODES = ("caffe", "tf", "torch")


def preprocess_input(x, data_format=None, mode="caffe"):
    """Preprocess a batch (or one image) of RGB 0..255 images; returns float32, never modifies `x`."""
    if mode not in MODES:
        raise ValueError(f"preprocess_input: unknown mode {mode!r}; valid modes are {', '.join(MODES)}")
    data_format = standardize_data_format(data_format)
    x = numpy.array(x, dtype="float32")
    channel_axis = -1 if data_format == "channels_last" else (0 if x.ndim == 3 else 1)
    if x.shape[channel_axis] != 3:
        raise ValueError(
            f"preprocess_input: expected 3 colour channels on axis {channel_axis} "
            f"({data_format}), got input shape {x.shape}"
        )
    shape = [1] * x.ndim
    shape[channel_axis] = 3
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        return (x / 255.0 - numpy.reshape(TORCH_RGB_MEAN, shape).astype("float32")) / numpy.reshape(
            TORCH_RGB_STD, shape
        ).astype("float32")
    x = numpy.flip(x, axis=channel_axis)
    return x - numpy.reshape(CAFFE_BGR_MEAN, shape).astype("float32")


@functools.lru_cache(maxsize=1)
def class_index():
    path = os.path.join(os.path.dirname(__file__), "data", "imagenet_class_index.json")
    with open(path) as f:
        return json.load(f)


def decode_predictions(preds, top=5):
    """[(wordnet_id, class_name, score), ...] per sample, best first, for 1000-class predictions."""
    preds = numpy.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError(
            "decode_predictions expects a batch of predictions of shape (samples, 1000); "
            f"got an array of shape {preds.shape}"
        )
    index = class_index()
    results = []
    for row in preds:
        best = numpy.argsort(row)[::-1][:top]
        results.append([(*index[str(i)], float(row[i])) for i in best])
    return results
