"""The loaders' parsing and the data utilities next to Keras's own, on the same generated inputs
(skipped where Keras is not installed)."""

import numpy
import pytest

from kerasish.datasets import imdb, origins
from kerasish.utils import pad_sequences, split_dataset, to_categorical
from tests.datasets.generated_files import npz_bytes, ragged


@pytest.fixture
def keras():
    return pytest.importorskip("keras")


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"num_words": 8, "maxlen": 6},
        {"skip_top": 4, "oov_char": None},
        {"start_char": None, "index_from": 0, "seed": 7},
    ],
)
def test_imdb_matches_keras(keras, mirror, tmp_path, monkeypatch, arguments):
    from keras.src.datasets import imdb as keras_imdb

    data = npz_bytes(
        x_train=ragged([3, 5, 2, 7, 4]),
        y_train=numpy.array([0, 1, 0, 1, 1]),
        x_test=ragged([4, 6, 1]),
        y_test=numpy.array([1, 0, 0]),
    )
    mirror("imdb.npz", data)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(**arguments)
    local = tmp_path / "imdb.npz"
    local.write_bytes(data)
    monkeypatch.setattr(keras_imdb, "get_file", lambda *args, **kwargs: str(local))
    (kx_train, ky_train), (kx_test, ky_test) = keras_imdb.load_data(**arguments)
    assert [list(x) for x in x_train] == [list(x) for x in kx_train]
    assert [list(x) for x in x_test] == [list(x) for x in kx_test]
    numpy.testing.assert_array_equal(y_train, ky_train)
    numpy.testing.assert_array_equal(y_test, ky_test)


def test_keras_checks_the_same_hashes(keras):
    import inspect

    from keras.src.datasets import boston_housing, california_housing, cifar10, cifar100, mnist, reuters
    from keras.src.datasets import imdb as keras_imdb

    modules = (mnist, cifar10, cifar100, keras_imdb, boston_housing, california_housing, reuters)
    sources = "".join(inspect.getsource(module) for module in modules)
    for name, file_hash in origins.FILE_HASHES.items():
        assert file_hash in sources, name


@pytest.mark.parametrize(
    "arguments",
    [{}, {"maxlen": 2}, {"padding": "post", "truncating": "post", "maxlen": 3}, {"dtype": "float32", "value": -1.0}],
)
def test_pad_sequences_matches_keras(keras, arguments):
    sequences = [[1, 2, 3, 4], [5], [], [6, 7]]
    expected = keras.utils.pad_sequences(sequences, **arguments)
    result = pad_sequences(sequences, **arguments)
    assert result.dtype == expected.dtype
    numpy.testing.assert_array_equal(result, expected)


def test_to_categorical_matches_keras_values(keras):
    labels = numpy.array([[0], [3], [1]])
    numpy.testing.assert_array_equal(to_categorical(labels, 5), keras.utils.to_categorical(labels, 5))


@pytest.mark.parametrize("sizes", [(0.7, None), (None, 3), (4, 0.3), (0.25, 0.25)])
def test_split_dataset_sizes_match_keras(keras, sizes):
    from keras.src.utils.dataset_utils import _rescale_dataset_split_sizes

    left, right = split_dataset(numpy.arange(10), *sizes)
    assert (len(left), len(right)) == _rescale_dataset_split_sizes(*sizes, 10)
