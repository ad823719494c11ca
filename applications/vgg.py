"""VGG16 and VGG19 with Keras's signatures and layer names.

"keras" weights: the keras.applications network (no dropout; include_top needs 224x224).
"torchvision" weights: adds torch's AdaptiveAvgPool2d(7) before the classifier (any input size) and
its two dropouts; torch flattens (C, H, W) while kerasish flattens (H, W, C), so fc1's rows are permuted
when a .pth file is loaded.
"""

from kerasish import layers

from .adaptive_pooling import AdaptiveAveragePooling2D
from .imagenet_utils import decode_predictions, preprocess_input  # noqa: F401  (Keras module API)
from .model_builder import build_application

BLOCKS = {"vgg16": (2, 2, 3, 3, 3), "vgg19": (2, 2, 4, 4, 4)}


def _features(model_name):
    def features(x, convention):
        for block, count in enumerate(BLOCKS[model_name], start=1):
            filters = min(64 * 2 ** (block - 1), 512)
            for index in range(1, count + 1):
                x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv{index}")(x)
            x = layers.MaxPooling2D(2, strides=2, name=f"block{block}_pool")(x)
        return x

    return features


def _head(x, classes, classifier_activation, convention):
    torchvision = convention == "torchvision"
    if torchvision:
        x = AdaptiveAveragePooling2D(7, name="avg_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(4096, activation="relu", name="fc1")(x)
    if torchvision:
        x = layers.Dropout(0.5, name="fc1_dropout")(x)
    x = layers.Dense(4096, activation="relu", name="fc2")(x)
    if torchvision:
        x = layers.Dropout(0.5, name="fc2_dropout")(x)
    return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)


def _torchvision_keys(model_name):
    def keys(model):
        mapping, index = {}, 0
        for block, count in enumerate(BLOCKS[model_name], start=1):
            for conv in range(1, count + 1):
                mapping[f"block{block}_conv{conv}"] = ("conv", f"features.{index}", None)
                index += 2
            index += 1
        mapping["fc1"] = ("dense", "classifier.0", (512, 7, 7))
        mapping["fc2"] = ("dense", "classifier.3", None)
        mapping["predictions"] = ("dense", "classifier.6", None)
        return mapping

    return keys


def _constructor(model_name, class_name):
    def constructor(
        include_top=True,
        weights="imagenet",
        input_tensor=None,
        input_shape=None,
        pooling=None,
        classes=1000,
        classifier_activation="softmax",
        name=model_name,
    ):
        return build_application(
            model_name,
            _features(model_name),
            _head,
            _torchvision_keys(model_name),
            include_top=include_top,
            weights=weights,
            input_tensor=input_tensor,
            input_shape=input_shape,
            pooling=pooling,
            classes=classes,
            classifier_activation=classifier_activation,
            name=name,
            keras_fixed_size=True,
        )

    constructor.__name__ = constructor.__qualname__ = class_name
    constructor.__doc__ = (
        f"{class_name} (Keras signature); weights: None, 'imagenet', 'keras', 'torchvision' "
        "or a path to a .h5 or .pth file."
    )
    return constructor


VGG16 = _constructor("vgg16", "VGG16")
VGG19 = _constructor("vgg19", "VGG19")
