import h5py
import numpy
import pytest

from kerasish.callbacks import LambdaCallback
from kerasish.data import DataLoader, HDF5Dataset
from tests.callbacks.fit_model import compiled_model, regression_data


@pytest.fixture
def h5_file(tmp_path):
    path = tmp_path / "data.h5"
    with h5py.File(path, "w") as file:
        file["x"] = numpy.arange(1000 * 4, dtype="float32").reshape(1000, 4)
        file["y"] = numpy.arange(1000)
        file["group/inner"] = numpy.zeros(3)
    return path


@pytest.mark.parametrize("shuffle", [False, True])
def test_a_file_larger_than_the_cache_is_read_whole_once_per_epoch(h5_file, shuffle):
    dataset = HDF5Dataset(h5_file, batch_size=32, cache_batches=3, shuffle=shuffle, seed=0)
    loader = DataLoader(dataset, num_workers=2)
    assert len(loader) == 32
    for _epoch in range(2):
        seen, most_cached = [], 0
        for x, y in loader:
            most_cached = max(most_cached, dataset.cached_rows)
            numpy.testing.assert_array_equal(x[:, 0], y * 4)
            assert x.dtype == numpy.float32
            seen.extend(y.tolist())
        assert sorted(seen) == list(range(1000))
        assert (seen != list(range(1000))) == shuffle
        assert most_cached <= 2 * 3 * 32 < 1000


def test_shuffled_epochs_differ_and_in_order_batches_are_contiguous(h5_file):
    shuffled = HDF5Dataset(h5_file, batch_size=100, shuffle=True, cache_batches=2, seed=1)
    first = [shuffled[i][1].tolist() for i in range(len(shuffled))]
    shuffled.on_epoch_end()
    second = [shuffled[i][1].tolist() for i in range(len(shuffled))]
    assert first != second
    in_order = HDF5Dataset(h5_file, batch_size=300)
    assert in_order[3][1].tolist() == list(range(900, 1000))


def test_x_only_batches(h5_file):
    dataset = HDF5Dataset(h5_file, y=None, batch_size=10)
    assert dataset[0].shape == (10, 4)


def test_errors_name_the_file_and_arrays(h5_file, tmp_path):
    with pytest.raises(KeyError, match="has no array 'labels'; its arrays are \\['x', 'y'\\]"):
        HDF5Dataset(h5_file, y="labels")
    with pytest.raises(ValueError, match="different numbers of rows: \\{'/x': 1000, '/group/inner': 3\\}"):
        HDF5Dataset(h5_file, y="group/inner")
    with pytest.raises(IndexError, match="batch index 4 out of range for 4 batches"):
        HDF5Dataset(h5_file, batch_size=300)[4]


def test_fit_trains_from_a_file_larger_than_the_cache(engine, tmp_path):
    x, y = regression_data(samples=640)
    path = tmp_path / "regression.h5"
    with h5py.File(path, "w") as file:
        file["x"], file["y"] = x, y
    dataset = HDF5Dataset(path, batch_size=16, cache_batches=4, shuffle=True, seed=0)
    most_cached = []
    model = compiled_model(engine, learning_rate=0.05)
    watch = LambdaCallback(on_train_batch_end=lambda batch, logs: most_cached.append(dataset.cached_rows))
    history = model.fit(dataset, epochs=3, shuffle=False, verbose=0, callbacks=[watch])
    assert len(most_cached) == 3 * 40 and max(most_cached) <= 2 * 4 * 16
    losses = history.history["loss"]
    assert losses[2] < losses[0] / 4, losses


@pytest.mark.parametrize("rows", [1, 31, 32, 33, 95])
def test_every_batch_is_served_once_per_shuffled_epoch_whatever_block_is_short(tmp_path, rows):
    path = tmp_path / "rows.h5"
    with h5py.File(path, "w") as file:
        file["x"] = numpy.arange(rows, dtype="float32")[:, None]
    dataset = HDF5Dataset(path, x="x", y=None, batch_size=4, shuffle=True, seed=3, cache_batches=2)
    for _ in range(4):  # the short last block lands at different places in the order
        served = numpy.concatenate([dataset[i][:, 0] for i in range(len(dataset))])
        assert sorted(served.tolist()) == list(range(rows))
        dataset.on_epoch_end()
    dataset.close()
