"""boston_housing, california_housing and reuters against generated files served from 127.0.0.1, and
against Keras's own loaders on the same files (when Keras is installed)."""

import json

import numpy
import pytest

from kerasish.datasets import boston_housing, california_housing, reuters
from tests.datasets.generated_files import npz_bytes, ragged

RNG = numpy.random.default_rng(3)


def _keras_module(name, monkeypatch, local):
    pytest.importorskip("keras")
    module = __import__(f"keras.src.datasets.{name}", fromlist=["load_data"])
    monkeypatch.setattr(module, "get_file", lambda *args, **kwargs: str(local))
    return module


def _assert_splits_equal(ours, theirs):
    for got, expected in zip([*ours[0], *ours[1]], [*theirs[0], *theirs[1]]):
        if got.dtype == object:
            assert [list(x) for x in got] == [list(x) for x in expected]
        else:
            numpy.testing.assert_array_equal(got, expected)


def test_boston_housing_shuffles_and_splits_as_keras_describes(mirror):
    x, y = RNG.normal(size=(10, 13)), RNG.normal(size=10)
    mirror("boston_housing.npz", npz_bytes(x=x, y=y))
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(test_split=0.3, seed=5)
    order = numpy.arange(10)
    numpy.random.RandomState(5).shuffle(order)
    numpy.testing.assert_array_equal(x_train, x[order[:7]])
    numpy.testing.assert_array_equal(y_test, y[order[7:]])
    assert x_test.shape == (3, 13) and y_train.shape == (7,)


@pytest.mark.parametrize("test_split", [-0.1, 1.0])
def test_housing_test_split_is_checked(test_split):
    for module in (boston_housing, california_housing):
        with pytest.raises(ValueError, match=f"Invalid `test_split` argument: {test_split}"):
            module.load_data(test_split=test_split)


def test_california_housing_versions(mirror):
    x, y = RNG.normal(size=(700, 8)), RNG.normal(size=700)
    mirror("california_housing.npz", npz_bytes(x=x, y=y))
    (x_train, _), (x_test, _) = california_housing.load_data()
    assert len(x_train) + len(x_test) == 700 and len(x_test) == 140
    (x_train, _), (x_test, _) = california_housing.load_data(version="small")
    assert len(x_train) == 480 and len(x_test) == 120
    assert {tuple(row) for row in numpy.concatenate([x_train, x_test])} == {tuple(row) for row in x[:600]}
    with pytest.raises(ValueError, match="Received: version=medium"):
        california_housing.load_data(version="medium")


def test_reuters_indexing_filters_and_split(mirror):
    x, y = ragged([3, 5, 2, 7, 4, 6, 1, 8, 3, 2]), numpy.arange(10) % 46
    mirror("reuters.npz", npz_bytes(x=x, y=y))
    (a, b), (c, d) = reuters.load_data()
    assert a.dtype == object and a.shape == (8,) and c.shape == (2,)
    order = numpy.arange(10)
    numpy.random.RandomState(113).shuffle(order)
    assert b.tolist() + d.tolist() == y[order].tolist()
    shifted = [[1] + [w + 3 for w in x[i]] for i in order]
    largest = max(max(s) for s in shifted)
    assert list(a[0]) == [w if w < largest else 2 for w in shifted[0]]
    (a, _), (c, _) = reuters.load_data(num_words=10, maxlen=6, test_split=0.5)
    assert len(a) + len(c) == sum(len(s) + 1 < 6 for s in x)
    assert all(w < 10 for s in [*a, *c] for w in s)


def test_reuters_word_index_and_label_names(mirror):
    mirror("reuters_word_index.json", json.dumps({"said": 1, "dlrs": 2}).encode())
    assert reuters.get_word_index() == {"said": 1, "dlrs": 2}
    assert len(reuters.get_label_names()) == 46 and reuters.get_label_names()[3] == "earn"


def test_a_reuters_file_that_does_not_match_keras_hash_is_refused(server, tmp_path, monkeypatch):
    monkeypatch.setenv("KERASISH_DATASETS_URL", server.url + "/mirror")
    monkeypatch.setenv("KERASISH_HOME", str(tmp_path))
    server.serve("mirror/reuters.npz", npz_bytes(x=ragged([2]), y=numpy.array([0])))
    with pytest.raises(ValueError, match="hash"):
        reuters.load_data()
    assert not (tmp_path / "datasets" / "reuters.npz").exists()


@pytest.mark.parametrize(
    "name, arrays, arguments",
    [
        ("boston_housing", {"x": RNG.normal(size=(11, 13)), "y": RNG.normal(size=11)}, {"seed": 4}),
        ("california_housing", {"x": RNG.normal(size=(650, 8)), "y": RNG.normal(size=650)}, {"version": "small"}),
        ("reuters", {"x": ragged([3, 5, 2, 7, 4, 6, 9]), "y": numpy.arange(7)}, {"num_words": 9, "maxlen": 7}),
        ("reuters", {"x": ragged([3, 5, 2, 7]), "y": numpy.arange(4)}, {"start_char": None, "skip_top": 3}),
    ],
)
def test_matches_keras(name, arrays, arguments, mirror, tmp_path, monkeypatch):
    import importlib

    data = npz_bytes(**arrays)
    local = tmp_path / f"{name}.npz"
    local.write_bytes(data)
    keras_module = _keras_module(name, monkeypatch, local)
    mirror(f"{name}.npz", data)
    ours = importlib.import_module(f"kerasish.datasets.{name}").load_data(**arguments)
    _assert_splits_equal(ours, keras_module.load_data(**arguments))


def test_reuters_label_names_are_keras_names():
    pytest.importorskip("keras")
    from keras.src.datasets import reuters as keras_reuters

    assert reuters.get_label_names() == keras_reuters.get_label_names()
