"""What every application constructor shares: argument checks as in keras.applications, the input,
the optional top or pooling, and loading the chosen weights."""

import os

from kerasish import layers
from kerasish.backends.config import image_data_format

from . import weight_sources
from .loading import load_pretrained, resolve_weights

POOLINGS = (None, "avg", "max")


def bn_axis():
    return -1 if image_data_format() == "channels_last" else 1


def _input_shape(input_shape, include_top, fixed_size, min_size):
    if input_shape is None:
        size = 224 if include_top and fixed_size else None
        shape = (size, size, 3)
        return shape if image_data_format() == "channels_last" else (3, size, size)
    input_shape = tuple(input_shape)
    spatial = input_shape[:2] if image_data_format() == "channels_last" else input_shape[1:]
    if len(input_shape) != 3 or any(d is not None and d < min_size for d in spatial):
        raise ValueError(
            f"input_shape must be (height, width, channels) with height and width at least "
            f"{min_size}; received: input_shape={input_shape}"
        )
    if include_top and fixed_size and tuple(spatial) != (224, 224):
        raise ValueError(
            "With include_top=True and Keras weights this model needs 224x224 inputs; "
            f"received: input_shape={input_shape} (use include_top=False or torchvision weights)"
        )
    return input_shape


def build_application(
    model_name,
    features,
    head,
    torch_keys,
    *,
    include_top,
    weights,
    input_tensor,
    input_shape,
    pooling,
    classes,
    classifier_activation,
    name,
    min_size=32,
    keras_fixed_size=False,
):
    if weights is not None and include_top and classes != 1000:
        raise ValueError(
            f"If using pretrained weights with include_top=True, classes should be 1000; received: classes={classes}"
        )
    if weights is not None and classifier_activation not in (None, "softmax"):
        raise ValueError(
            "Only classifier_activation None or 'softmax' can be used with pretrained weights; "
            f"received: classifier_activation={classifier_activation!r}"
        )
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}; received: pooling={pooling!r}")
    source, path = resolve_weights(model_name, weights, include_top)
    fixed_size = keras_fixed_size and source == "keras"
    if input_tensor is None:
        inputs = layers.Input(shape=_input_shape(input_shape, include_top, fixed_size, min_size))
    else:
        inputs = input_tensor
    x = features(inputs, source)
    if include_top:
        x = head(x, classes, classifier_activation, source)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    from kerasish.models import Model

    model = Model(inputs, x, name=name)
    model.meta = dict(
        weight_sources.CONVENTIONS[source], model=model_name, weights=os.path.abspath(path) if path else None
    )
    model.torch_keys = torch_keys
    if path is not None:
        load_pretrained(model, path, source, torch_keys)
    return model
