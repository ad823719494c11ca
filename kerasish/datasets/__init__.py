"""kerasish.datasets: Keras's dataset loaders, plus `digits` and `python_docstrings`, small real data sets
bundled with kerasish (images and text)."""

from kerasish.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    digits,
    fashion_mnist,
    imdb,
    mnist,
    python_docstrings,
    reuters,
)

__all__ = [
    "boston_housing",
    "california_housing",
    "cifar10",
    "cifar100",
    "digits",
    "fashion_mnist",
    "imdb",
    "mnist",
    "python_docstrings",
    "reuters",
]
