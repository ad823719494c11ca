"""BatchStream: the batch of an iteration depends on the iteration alone, so a resumed run reads the
batches the interrupted run would have read; each pass is a permutation of every sample."""

import numpy
import pytest

from kerasish.cli.data import BatchStream


def stream(shuffle=True, seed=3):
    x = numpy.arange(10, dtype="float32")[:, None]
    return BatchStream((x, numpy.arange(10)), batch_size=4, iterations=20, shuffle=shuffle, seed=seed)


@pytest.mark.parametrize("shuffle", [True, False])
def test_passes_are_permutations_and_batches_wrap_across_passes(shuffle):
    whole = stream(shuffle)
    labels = numpy.concatenate([whole[index][1] for index in range(5)])  # 20 samples: two passes
    assert sorted(labels[:10]) == list(range(10)) and sorted(labels[10:]) == list(range(10))
    assert (list(labels[:10]) == list(range(10))) == (not shuffle)
    assert [len(whole[index][0]) for index in range(5)] == [4] * 5


def test_a_started_stream_reads_the_same_batches_by_iteration():
    whole, resumed = stream(), stream()
    resumed.start = 7
    for index in range(6):
        numpy.testing.assert_array_equal(resumed[index][1], whole[7 + index][1])
    other_seed = stream(seed=4)
    assert not numpy.array_equal(
        numpy.concatenate([other_seed[index][1] for index in range(3)]),
        numpy.concatenate([whole[index][1] for index in range(3)]),
    )
