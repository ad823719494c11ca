"""AlexNet as in torchvision ("one weird trick" variant; the only pretrained AlexNet there is).

Layers get Keras-style names; `torchvision_keys` maps them onto the state dict keys.
"""

from kerasish import layers

from .adaptive_pooling import AdaptiveAveragePooling2D
from .imagenet_utils import decode_predictions  # noqa: F401  (Keras module API)
from .imagenet_utils import preprocess_input as _preprocess
from .model_builder import build_application

CONVS = ((64, 11, 4, 2), (192, 5, 1, 2), (384, 3, 1, 1), (256, 3, 1, 1), (256, 3, 1, 1))
FEATURE_INDEX = (0, 3, 6, 8, 10)
POOL_AFTER = (1, 2, 5)


def preprocess_input(x, data_format=None):
    """torchvision's normalisation: scale to [0, 1], then the ImageNet mean and std (RGB)."""
    return _preprocess(x, data_format=data_format, mode="torch")


def _features(x, convention):
    for number, (filters, kernel, stride, padding) in enumerate(CONVS, start=1):
        x = layers.ZeroPadding2D(padding, name=f"conv{number}_pad")(x)
        x = layers.Conv2D(filters, kernel, strides=stride, activation="relu", name=f"conv{number}")(x)
        if number in POOL_AFTER:
            x = layers.MaxPooling2D(3, strides=2, name=f"pool{number}")(x)
    return x


def _head(x, classes, classifier_activation, convention):
    x = AdaptiveAveragePooling2D(6, name="avg_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(0.5, name="fc1_dropout")(x)
    x = layers.Dense(4096, activation="relu", name="fc1")(x)
    x = layers.Dropout(0.5, name="fc2_dropout")(x)
    x = layers.Dense(4096, activation="relu", name="fc2")(x)
    return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)


def torchvision_keys(model):
    mapping = {f"conv{n}": ("conv", f"features.{i}", None) for n, i in enumerate(FEATURE_INDEX, start=1)}
    mapping.update(
        fc1=("dense", "classifier.1", (256, 6, 6)),
        fc2=("dense", "classifier.4", None),
        predictions=("dense", "classifier.6", None),
    )
    return mapping


def AlexNet(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="alexnet",
):
    """AlexNet (Keras-style signature); weights: None, 'imagenet' (= 'torchvision') or a .pth path."""
    return build_application(
        "alexnet",
        _features,
        _head,
        torchvision_keys,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        name=name,
        min_size=63,
    )
