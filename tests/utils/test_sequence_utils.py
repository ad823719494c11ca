import numpy
import pytest

from kerasish.utils import pad_sequences


def test_pre_and_post_padding_and_truncating():
    sequences = [[1, 2, 3], [4], [5, 6, 7, 8]]
    numpy.testing.assert_array_equal(pad_sequences(sequences), [[0, 1, 2, 3], [0, 0, 0, 4], [5, 6, 7, 8]])
    numpy.testing.assert_array_equal(
        pad_sequences(sequences, maxlen=2, padding="post", truncating="post"), [[1, 2], [4, 0], [5, 6]]
    )
    numpy.testing.assert_array_equal(pad_sequences(sequences, maxlen=2), [[2, 3], [0, 4], [7, 8]])
    assert pad_sequences(sequences).dtype == numpy.int32


def test_values_dtypes_and_sample_shapes():
    padded = pad_sequences([[[1, 1]], []], maxlen=2, dtype="float32", value=-1.0)
    assert padded.shape == (2, 2, 2) and padded.dtype == numpy.float32
    numpy.testing.assert_array_equal(padded[0], [[-1, -1], [1, 1]])
    assert pad_sequences([["a"], ["b", "c"]], dtype=object, value="").tolist() == [["", "a"], ["b", "c"]]


def test_errors_follow_keras():
    with pytest.raises(ValueError, match='Padding type "middle" not understood'):
        pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match='Truncating type "middle" not understood'):
        pad_sequences([[1]], truncating="middle")
    with pytest.raises(ValueError, match="Found non-iterable: 3"):
        pad_sequences([[1], 3])
    with pytest.raises(ValueError, match="`dtype` int32 is not compatible with `value`'s type"):
        pad_sequences([[1]], value="x")
    with pytest.raises(
        ValueError,
        match=r"Shape of sample \(3,\) of sequence at position 1 is different from expected "
        r"shape \(2,\)",
    ):
        pad_sequences([[[1, 2]], [[1, 2, 3]]])
