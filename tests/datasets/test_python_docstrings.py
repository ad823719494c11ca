"""The bundled text data set: split like Keras's text loaders, seeded, labelled, licensed."""

import os

import numpy
import pytest

from kerasish.datasets import python_docstrings


def test_split_shapes_and_labels():
    (x_train, y_train), (x_test, y_test) = python_docstrings.load_data()
    assert len(x_train) + len(x_test) == 1506
    assert len(x_test) == 1506 - int(1506 * 0.8)
    assert x_train.shape == y_train.shape and x_test.shape == y_test.shape
    assert all(isinstance(text, str) and text for text in x_train[:50])
    assert set(numpy.unique(numpy.concatenate([y_train, y_test]))) == {0, 1, 2, 3}
    assert python_docstrings.get_label_names() == ("files", "network", "text", "numbers")


def test_the_seed_decides_the_shuffle():
    (first, _), _ = python_docstrings.load_data(seed=1)
    (again, _), _ = python_docstrings.load_data(seed=1)
    (other, _), _ = python_docstrings.load_data(seed=2)
    assert first.tolist() == again.tolist()
    assert first.tolist() != other.tolist()
    (_, _), (x_test, _) = python_docstrings.load_data(test_split=0.5)
    assert len(x_test) == 753


def test_bad_split_and_the_licence_file():
    with pytest.raises(ValueError, match="test_split=1.5"):
        python_docstrings.load_data(test_split=1.5)
    licence = os.path.join(os.path.dirname(python_docstrings.DATA_FILE), "python_docstrings_LICENSE.txt")
    with open(licence, encoding="utf-8") as file:
        assert "Python Software Foundation" in file.read()
