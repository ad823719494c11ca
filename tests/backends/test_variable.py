"""Variable: the storage shared by both engines."""

import numpy
import pytest

import kerasish


def test_variable_copies_the_array_it_is_given_and_hands_out_copies(engine):
    given = numpy.ones(2, "float32")
    variable = kerasish.Variable(given)
    snapshot = variable.numpy()

    @kerasish.function(engine=engine)
    def step():
        variable.assign(variable - (variable - 0.5) * 0.1)

    step()
    step()
    numpy.testing.assert_array_equal(given, [1, 1])
    numpy.testing.assert_array_equal(snapshot, [1, 1])
    numpy.testing.assert_allclose(variable.numpy(), [0.905, 0.905], rtol=1e-6)


def test_plain_value_assigned_inside_a_trace_is_an_update_of_every_call(engine):
    variable = kerasish.Variable(numpy.zeros(2, "float32"))

    @kerasish.function(engine=engine)
    def step():
        variable.assign(numpy.ones(2, "float32"))
        return variable + 1

    for _ in range(2):
        numpy.testing.assert_array_equal(numpy.asarray(step()), [2, 2])
        numpy.testing.assert_array_equal(variable.numpy(), [1, 1])
        variable.assign(numpy.zeros(2, "float32"))


def test_assign_with_the_wrong_shape_names_the_variable():
    variable = kerasish.Variable(numpy.zeros((2, 3), "float32"), name="kernel")
    with pytest.raises(ValueError, match=r"'kernel'.*\(3, 2\).*\(2, 3\)"):
        variable.assign(numpy.zeros((3, 2), "float32"))
