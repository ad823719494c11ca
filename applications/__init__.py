"""kerasish.applications: AlexNet, VGG16/19 and ResNet18-152 with loaders for Keras .h5 and
torchvision .pth weights (no torch or TensorFlow needed)."""

import importlib

_CONSTRUCTORS = {
    "AlexNet": "alexnet",
    "VGG16": "vgg",
    "VGG19": "vgg",
    "ResNet18": "resnet",
    "ResNet34": "resnet",
    "ResNet50": "resnet",
    "ResNet101": "resnet",
    "ResNet152": "resnet",
}


def __getattr__(name):
    if name in _CONSTRUCTORS:
        return getattr(importlib.import_module(f"{__name__}.{_CONSTRUCTORS[name]}"), name)
    if name == "load_weights":
        return importlib.import_module(f"{__name__}.loading").load_weights
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_CONSTRUCTORS) | {"load_weights"})
