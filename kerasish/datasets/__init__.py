"""kerasish.datasets: Keras's dataset loaders, plus `digits`, a small real dataset bundled with kerasish."""

from kerasish.datasets import cifar10, cifar100, digits, fashion_mnist, imdb, mnist

__all__ = ["cifar10", "cifar100", "digits", "fashion_mnist", "imdb", "mnist"]
