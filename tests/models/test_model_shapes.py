import pytest

import kerasish


def test_input_and_output_shapes_as_in_keras():
    inputs = [kerasish.Input((3,)), kerasish.Input((2, 4))]
    outputs = kerasish.layers.Dense(5)(inputs[0])
    functional = kerasish.Model(inputs, outputs)
    assert functional.input_shape == [(None, 3), (None, 2, 4)] and functional.output_shape == (None, 5)
    sequential = kerasish.Sequential([kerasish.layers.Dense(2)])
    with pytest.raises(AttributeError, match="has no defined input shape yet"):
        sequential.input_shape
    sequential.build((None, 7))
    assert sequential.input_shape == (None, 7) and sequential.output_shape == (None, 2)
