"""Each loader against generated files in the real formats, served from 127.0.0.1 (no other address);
the `server` and `mirror` fixtures are in conftest.py."""

import json
import os
import pickle

import numpy
import pytest

from kerasish.datasets import cifar10, cifar100, fashion_mnist, imdb, mnist, origins
from tests.datasets.generated_files import cifar_batch, idx_bytes, images, npz_bytes, ragged, tar_of_pickles


def test_without_a_mirror_the_origins_are_the_keras_urls(monkeypatch):
    monkeypatch.delenv("KERASISH_DATASETS_URL", raising=False)
    url = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
    assert origins.origin(url) == url
    monkeypatch.setenv("KERASISH_DATASETS_URL", "http://127.0.0.1:1/m/")
    assert origins.origin(url) == "http://127.0.0.1:1/m/mnist.npz"


def test_mnist(mirror, tmp_path):
    x_train, y_train, x_test, y_test = images(5, 28, 28), images(5), images(3, 28, 28), images(3)
    mirror("mnist.npz", npz_bytes(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test))
    (a, b), (c, d) = mnist.load_data()
    for got, expected in ((a, x_train), (b, y_train), (c, x_test), (d, y_test)):
        assert got.dtype == numpy.uint8
        numpy.testing.assert_array_equal(got, expected)
    assert os.path.exists(tmp_path / "datasets" / "mnist.npz")


def test_a_file_that_does_not_match_the_known_hash_is_refused_and_not_cached(mirror, tmp_path):
    mirror("mnist.npz", npz_bytes(x_train=images(1)))
    origins.FILE_HASHES["mnist.npz"] = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
    with pytest.raises(ValueError, match="does not match the provided value of 731c5ac6"):
        mnist.load_data()
    assert not os.path.exists(tmp_path / "datasets" / "mnist.npz")


def test_fashion_mnist(mirror, tmp_path):
    arrays = {
        "train-labels-idx1-ubyte.gz": images(4),
        "train-images-idx3-ubyte.gz": images(4, 28, 28),
        "t10k-labels-idx1-ubyte.gz": images(2),
        "t10k-images-idx3-ubyte.gz": images(2, 28, 28),
    }
    for name, array in arrays.items():
        mirror(name, idx_bytes(array))
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    numpy.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    numpy.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert x_test.shape == (2, 28, 28) and y_train.dtype == numpy.uint8
    assert os.path.isdir(tmp_path / "datasets" / "fashion-mnist")


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_cifar10(mirror, data_format, monkeypatch):
    from kerasish import backend

    monkeypatch.setattr(backend, "image_data_format", lambda: data_format)
    batches = {f"cifar-10-batches-py/data_batch_{i}": cifar_batch(2, labels=1) for i in range(1, 6)}
    batches["cifar-10-batches-py/test_batch"] = cifar_batch(3, labels=1)
    mirror("cifar-10-python.tar.gz", tar_of_pickles(batches))
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    first = batches["cifar-10-batches-py/data_batch_1"]
    stored = first[b"data"].reshape(2, 3, 32, 32)
    expected = stored.transpose(0, 2, 3, 1) if data_format == "channels_last" else stored
    numpy.testing.assert_array_equal(x_train[:2], expected)
    assert x_train.shape == ((10, 32, 32, 3) if data_format == "channels_last" else (10, 3, 32, 32))
    assert y_train.shape == (10, 1) and y_train.dtype == numpy.uint8 and x_test.shape[0] == 3
    assert y_train[:2, 0].tolist() == first[b"labels"]
    assert y_test[:, 0].tolist() == batches["cifar-10-batches-py/test_batch"][b"labels"]


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100(mirror, label_mode):
    train, test = cifar_batch(4, fine_labels=1, coarse_labels=1), cifar_batch(2, fine_labels=1, coarse_labels=1)
    mirror("cifar-100-python.tar.gz", tar_of_pickles({"cifar-100-python/train": train, "cifar-100-python/test": test}))
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode)
    assert x_train.shape == (4, 32, 32, 3) and x_test.shape == (2, 32, 32, 3) and y_train.shape == (4, 1)
    assert y_test[:, 0].tolist() == test[f"{label_mode}_labels".encode()]


def test_cifar100_label_mode_is_checked():
    with pytest.raises(ValueError, match='must be one of `"fine"`, `"coarse"`. Received: label_mode=medium'):
        cifar100.load_data("medium")


def test_a_pickle_that_calls_code_is_refused(mirror):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo owned",))

    mirror("cifar-100-python.tar.gz", tar_of_pickles({"cifar-100-python/train": {b"data": Evil()}}))
    with pytest.raises(pickle.UnpicklingError, match="Refusing to deserialize `posix.system`"):
        cifar100.load_data()


def test_imdb_follows_keras_indexing_shuffling_and_filters(mirror):
    x_train, x_test = ragged([3, 5, 2, 7]), ragged([4, 6])
    y_train, y_test = numpy.array([0, 1, 0, 1]), numpy.array([1, 0])
    mirror("imdb.npz", npz_bytes(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test))

    (a, b), (c, d) = imdb.load_data()
    order = numpy.arange(4)
    numpy.random.RandomState(113).shuffle(order)
    assert a.dtype == object and a.shape == (4,) and c.shape == (2,)
    # Keras's rule: without num_words the largest index itself counts as out of vocabulary
    shifted = [[1] + [w + 3 for w in x] for x in [*x_train, *x_test]]
    largest = max(max(x) for x in shifted)
    assert a[0] == [w if w < largest else 2 for w in shifted[order[0]]]
    assert b.tolist() == y_train[order].tolist()

    (a, b), _ = imdb.load_data(num_words=10, oov_char=2, maxlen=7)
    assert len(a) == 3 and all(len(x) < 7 for x in a)
    assert all(w < 10 for x in a for w in x)
    (a, _), _ = imdb.load_data(skip_top=5, oov_char=None, start_char=None, index_from=0)
    assert all(w >= 5 for x in a for w in x)
    with pytest.raises(ValueError, match="maxlen=2, no sequence was kept"):
        imdb.load_data(maxlen=2)


def test_imdb_word_index(mirror):
    mirror("imdb_word_index.json", json.dumps({"the": 1, "movie": 2}).encode())
    assert imdb.get_word_index() == {"the": 1, "movie": 2}


def test_a_server_error_then_success_is_retried(mirror):
    data = npz_bytes(x_train=images(1, 28, 28), y_train=images(1), x_test=images(1, 28, 28), y_test=images(1))
    mirror("mnist.npz", data)
    mirror.server.serve("mirror/mnist.npz", 500, 503, data)
    (x_train, _), _ = mnist.load_data()
    assert x_train.shape == (1, 28, 28) and mirror.server.hits["/mirror/mnist.npz"] == 3
