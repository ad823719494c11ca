import pytest

from kerasish.utils import PyDataset


class Squares(PyDataset):
    def __init__(self, count, **kwargs):
        super().__init__(**kwargs)
        self.count = count

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        return index * index


def test_keras_defaults_and_settings():
    dataset = Squares(3)
    assert (dataset.workers, dataset.use_multiprocessing, dataset.max_queue_size) == (1, False, 10)
    dataset = Squares(3, workers=4, max_queue_size=2)
    assert (dataset.workers, dataset.max_queue_size, dataset.num_batches) == (4, 2, 3)
    assert list(dataset) == [0, 1, 4]


def test_a_subclass_that_skips_super_init_is_warned_about():
    class Forgetful(PyDataset):
        def __init__(self):
            pass

    with pytest.warns(UserWarning, match="should call `super\\(\\).__init__\\(\\*\\*kwargs\\)`"):
        assert Forgetful().workers == 1


def test_num_batches_must_be_given_without_len():
    class Endless(PyDataset):
        def __getitem__(self, index):
            return index

    with pytest.raises(NotImplementedError, match="implement the `num_batches` property"):
        Endless().num_batches
    with pytest.raises(NotImplementedError, match="must implement `__getitem__"):
        PyDataset()[0]
