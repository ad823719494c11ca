import collections

import numpy
import pytest

from kerasish.trainers.data_adapters import (
    class_weights_for,
    get_data_adapter,
    train_validation_split,
)
from kerasish.trainers.epoch_iterator import EpochIterator


def first_column(batch):
    return batch[0].numpy()[:, 0].tolist()


def test_arrays_are_converted_once_to_float32_and_sliced_in_order():
    x = numpy.arange(10, dtype="float64").reshape(10, 1)
    adapter = get_data_adapter(x, x * 2, batch_size=4)
    batches = [batch for _, batch in EpochIterator(adapter).epoch()]
    assert [first_column(b) for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[0][0].dtype == numpy.float32 and batches[0][2] is None
    assert adapter.num_batches == 3


def test_default_batch_size_is_32():
    adapter = get_data_adapter(numpy.zeros((100, 2), "float32"))
    assert adapter.batch_size == 32 and adapter.num_batches == 4


def test_shuffle_permutes_every_pass_and_keeps_pairs_together():
    x = numpy.arange(50, dtype="float32").reshape(50, 1)
    iterator = EpochIterator(get_data_adapter(x, x + 100, batch_size=50, shuffle=True))
    orders = []
    for _ in range(2):
        ((_, (bx, by, _)),) = list(iterator.epoch())
        numpy.testing.assert_array_equal(by.numpy(), bx.numpy() + 100)
        orders.append(first_column((bx,)))
    assert sorted(orders[0]) == list(range(50)) and orders[0] != orders[1]


def test_steps_continue_across_epochs_and_start_new_passes():
    x = numpy.arange(6, dtype="float32").reshape(6, 1)
    iterator = EpochIterator(get_data_adapter(x, batch_size=2), steps=2)
    epochs = [[first_column(b) for _, b in iterator.epoch()] for _ in range(3)]
    assert epochs == [[[0, 1], [2, 3]], [[4, 5], [0, 1]], [[2, 3], [4, 5]]]


def test_dicts_and_lists_of_arrays():
    x = {"a": numpy.zeros((4, 2)), "b": numpy.ones((4, 3))}
    ((_, (bx, by, _)),) = list(
        EpochIterator(get_data_adapter(x, [numpy.zeros(4), numpy.ones(4)], batch_size=4)).epoch()
    )
    assert bx["b"].shape == (4, 3) and [t.shape for t in by] == [(4,), (4,)]


def test_cardinality_mismatch_names_every_length():
    with pytest.raises(ValueError, match="'x' sizes: 10; 'y' sizes: 9"):
        get_data_adapter(numpy.zeros((10, 2)), numpy.zeros(9))


def test_validation_split_takes_the_last_fraction():
    x = numpy.arange(10).reshape(10, 1)
    (train_x, train_y, _), (val_x, val_y, _) = train_validation_split((x, x, None), 0.3)
    assert train_x[:, 0].tolist() == list(range(7)) and val_y[:, 0].tolist() == [7, 8, 9]
    with pytest.raises(ValueError, match="not sufficient"):
        train_validation_split((x[:1], x[:1], None), 0.5)
    with pytest.raises(ValueError, match="only supported for Tensors or NumPy arrays"):
        train_validation_split((iter([]), None, None), 0.5)


def test_py_dataset_batches_are_read_by_index_and_notified_at_epoch_end():
    class Dataset:
        def __init__(self):
            self.ends = 0

        def __len__(self):
            return 3

        def __getitem__(self, index):
            return numpy.full((2, 1), index, "float32"), numpy.zeros((2, 1))

        def on_epoch_end(self):
            self.ends += 1

    dataset = Dataset()
    iterator = EpochIterator(get_data_adapter(dataset))
    assert [first_column(b)[0] for _, b in iterator.epoch()] == [0, 1, 2]
    assert dataset.ends == 1 and iterator.num_steps == 3
    with pytest.raises(ValueError, match="`y` and `sample_weight` must not be given"):
        get_data_adapter(dataset, numpy.zeros(3))


def test_generators_are_read_once_and_running_out_warns():
    generator = ((numpy.full((2, 1), i, "float32"),) for i in range(3))
    iterator = EpochIterator(get_data_adapter(generator))
    assert len(list(iterator.epoch())) == 3
    with pytest.warns(UserWarning, match="ran out of data"):
        assert list(iterator.epoch()) == []
    assert iterator.exhausted


def test_a_data_loader_is_read_afresh_every_epoch():
    from kerasish.data import DataLoader

    samples = [(numpy.full((1,), i, "float32"), numpy.zeros(1, "float32")) for i in range(6)]
    iterator = EpochIterator(get_data_adapter(DataLoader(samples, batch_size=2)))
    assert iterator.num_steps == 3
    for _ in range(3):
        assert [first_column(b) for _, b in iterator.epoch()] == [[0, 1], [2, 3], [4, 5]]
    assert not iterator.exhausted


def test_a_py_dataset_with_workers_is_loaded_in_threads():
    import threading

    from kerasish.utils import PyDataset

    class Dataset(PyDataset):
        threads = set()

        def __len__(self):
            return 8

        def __getitem__(self, index):
            self.threads.add(threading.current_thread().name)
            return numpy.full((2, 1), index, "float32"), numpy.zeros((2, 1))

    iterator = EpochIterator(get_data_adapter(Dataset(workers=4)))
    assert [first_column(b)[0] for _, b in iterator.epoch()] == list(range(8))
    assert all(name.startswith("DataLoader-worker") for name in Dataset.threads), Dataset.threads


def test_namedtuples_are_rejected_as_ambiguous():
    Pair = collections.namedtuple("Pair", "x y")
    with pytest.raises(ValueError, match="namedtuple"):
        list(EpochIterator(get_data_adapter(iter([Pair(numpy.zeros((1, 1)), numpy.zeros(1))]))).epoch())


def test_class_weight_becomes_sample_weight_for_sparse_and_one_hot_targets():
    weights = {0: 0.5, 2: 3.0}
    numpy.testing.assert_allclose(class_weights_for(numpy.array([0, 1, 2]), weights), [0.5, 1.0, 3.0])
    numpy.testing.assert_allclose(class_weights_for(numpy.eye(3)[[2, 0]], weights), [3.0, 0.5])
    with pytest.raises(ValueError, match="single output"):
        get_data_adapter(numpy.zeros((3, 1)), [numpy.zeros(3), numpy.zeros(3)], class_weight=weights)
