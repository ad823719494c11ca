import threading
import time
import traceback

import numpy
import pytest

from kerasish.data import DataLoader
from kerasish.utils import PyDataset


class Samples:
    """Map-style: sample i is (features filled with i, label i)."""

    def __init__(self, size=10, delay=0.0):
        self.size, self.delay = size, delay

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        if self.delay:
            time.sleep(self.delay)
        return numpy.full(3, index, "float32"), index


class Batches(PyDataset):
    def __init__(self, count=6, fail_at=None, **kwargs):
        super().__init__(**kwargs)
        self.count, self.fail_at, self.epochs_ended = count, fail_at, 0

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        if index == self.fail_at:
            raise KeyError(f"batch {index} is corrupt")
        return numpy.full((2, 1), index, "float32"), numpy.array([index, index])

    def on_epoch_end(self):
        self.epochs_ended += 1


def labels(loader):
    return [int(label) for _, y in loader for label in y]


def test_batches_are_collated_in_order_with_float32_kept():
    batches = list(DataLoader(Samples(5), batch_size=2))
    assert [len(y) for _, y in batches] == [2, 2, 1]
    x, y = batches[0]
    assert x.dtype == numpy.float32 and x.shape == (2, 3)
    numpy.testing.assert_array_equal(y, [0, 1])
    assert len(DataLoader(Samples(5), batch_size=2)) == 3


def test_drop_last_drops_the_partial_batch():
    loader = DataLoader(Samples(5), batch_size=2, drop_last=True)
    assert len(loader) == 2 and labels(loader) == [0, 1, 2, 3]


@pytest.mark.parametrize("num_workers", [0, 4])
def test_every_sample_exactly_once_per_shuffled_epoch(num_workers):
    loader = DataLoader(Samples(103), batch_size=8, shuffle=True, num_workers=num_workers, seed=3)
    first, second = labels(loader), labels(loader)
    assert sorted(first) == list(range(103)) and sorted(second) == list(range(103))
    assert first != second and first != list(range(103))


def test_four_threads_give_the_same_order_as_none():
    ordered = DataLoader(Samples(50, delay=0.001), batch_size=4, shuffle=True, num_workers=4, seed=9)
    plain = DataLoader(Samples(50), batch_size=4, shuffle=True, seed=9)
    assert labels(ordered) == labels(plain)


def test_the_seed_fixes_the_order_of_every_epoch():
    first = DataLoader(Samples(20), batch_size=5, shuffle=True, seed=1)
    second = DataLoader(Samples(20), batch_size=5, shuffle=True, seed=1)
    assert [labels(first), labels(first)] == [labels(second), labels(second)]
    assert labels(DataLoader(Samples(20), batch_size=5, shuffle=True, seed=2)) != labels(
        DataLoader(Samples(20), batch_size=5, shuffle=True, seed=1)
    )


def test_a_py_dataset_gives_its_batches_and_ends_its_epochs():
    dataset = Batches(6)
    loader = DataLoader(dataset, shuffle=True, num_workers=2, seed=0)
    seen = labels(loader)
    assert len(loader) == 6 and sorted(seen) == sorted(list(range(6)) * 2)
    assert dataset.epochs_ended == 1


def test_a_worker_exception_is_raised_here_with_its_own_traceback():
    loader = DataLoader(Batches(8, fail_at=5), num_workers=4)
    with pytest.raises(KeyError, match="batch 5 is corrupt") as caught:
        list(loader)
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert frames[-1].name == "__getitem__"
    assert any("DataLoader worker thread while loading batch 5" in note for note in caught.value.__notes__)


def worker_threads():
    return [thread for thread in threading.enumerate() if thread.name.startswith("DataLoader-worker")]


def test_stopping_early_leaves_no_threads_behind():
    loader = DataLoader(Samples(200, delay=0.002), batch_size=2, num_workers=4)
    for step, _ in enumerate(loader):
        assert len(worker_threads()) <= 4
        if step == 3:
            break
    assert worker_threads() == []


def test_custom_collate_and_dict_samples():
    class Dicts(Samples):
        def __getitem__(self, index):
            return {"a": index, "b": numpy.zeros(2)}

    batch = next(iter(DataLoader(Dicts(4), batch_size=4)))
    assert batch["a"].tolist() == [0, 1, 2, 3] and batch["b"].shape == (4, 2)
    assert next(iter(DataLoader(Samples(4), batch_size=3, collate_fn=len))) == 3


def test_bad_arguments_and_samples_are_named():
    with pytest.raises(TypeError, match="must have `__len__` and `__getitem__`.*type int"):
        DataLoader(5)
    with pytest.raises(ValueError, match="`batch_size` must be a positive integer or None, received 0"):
        DataLoader(Samples(), batch_size=0)
    with pytest.raises(ValueError, match="`num_workers` must be an integer >= 0, received -1"):
        DataLoader(Samples(), num_workers=-1)
    with pytest.raises(ValueError, match="`prefetch_factor` must be an integer >= 1, received 0"):
        DataLoader(Samples(), prefetch_factor=0)
    with pytest.raises(ValueError, match="PyDataset yields whole batches.*batch_size=8"):
        DataLoader(Batches(), batch_size=8)

    class Ragged(Samples):
        def __getitem__(self, index):
            return numpy.zeros(index + 1), index

    with pytest.raises(ValueError, match=r"cannot stack samples of different shapes \[\(1,\), \(2,\)\]"):
        list(DataLoader(Ragged(2), batch_size=2))


def test_fit_evaluate_and_predict_read_a_threaded_loader_every_epoch(engine):
    from tests.callbacks.fit_model import compiled_model, regression_data

    x, y = regression_data(samples=96)

    class Pairs:
        def __len__(self):
            return len(x)

        def __getitem__(self, index):
            return x[index], y[index]

    loader = DataLoader(Pairs(), batch_size=16, shuffle=True, num_workers=4, seed=0)
    model = compiled_model(engine, learning_rate=0.05)
    history = model.fit(loader, epochs=4, verbose=0)
    assert history.epoch == [0, 1, 2, 3] and history.history["loss"][3] < history.history["loss"][0] / 4
    ordered = DataLoader(Pairs(), batch_size=16, num_workers=4)
    numpy.testing.assert_allclose(model.evaluate(ordered, verbose=0), model.evaluate(x, y, verbose=0), rtol=1e-5)
    numpy.testing.assert_allclose(model.predict(ordered, verbose=0), model.predict(x, verbose=0), rtol=1e-5)
