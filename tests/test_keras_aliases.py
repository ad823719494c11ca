"""Keras's other names for the same object (`layers.MaxPool2D is layers.MaxPooling2D`,
`initializers.glorot_uniform is initializers.GlorotUniform`, ...) are the same objects here too."""

import importlib
import os

import pytest

NAMESPACES = ("activations", "constraints", "initializers", "layers", "regularizers")


def alias_groups(keras_namespace):
    """Lists of names that Keras binds to one and the same class or function."""
    groups = {}
    for name in dir(keras_namespace):
        value = getattr(keras_namespace, name)
        if not name.startswith("_") and callable(value):
            groups.setdefault(id(value), []).append(name)
    return [sorted(names) for names in groups.values() if len(names) > 1]


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_keras_aliases_are_the_same_objects(namespace):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    ours = importlib.import_module(f"kerasish.{namespace}")
    groups = alias_groups(getattr(keras, namespace))
    assert groups, f"keras.{namespace} has no aliases?"
    different = [names for names in groups if len({id(getattr(ours, name)) for name in names}) != 1]
    assert different == []


def test_metric_functions_that_are_keras_loss_functions_are_ours_too():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    import kerasish

    shared = [name for name in dir(keras.metrics) if getattr(keras.losses, name, None) is getattr(keras.metrics, name)]
    assert len(shared) >= 10
    assert [name for name in shared if getattr(kerasish.metrics, name) is not getattr(kerasish.losses, name)] == []
