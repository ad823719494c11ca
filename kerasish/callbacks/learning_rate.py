"""Read and set an optimizer's learning rate, which is a Variable changed through `assign`."""

import numpy


def get_learning_rate(optimizer):
    if not hasattr(optimizer, "learning_rate"):
        raise ValueError(f'Optimizer must have a "learning_rate" attribute; {type(optimizer).__name__} has none.')
    value = optimizer.learning_rate
    return float(numpy.asarray(value.numpy() if hasattr(value, "numpy") else value))


def set_learning_rate(optimizer, value):
    current = optimizer.learning_rate
    if hasattr(current, "assign"):
        current.assign(value)
    else:
        optimizer.learning_rate = value
