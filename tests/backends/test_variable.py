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


@pytest.mark.parametrize(
    "start, dtype, value",
    [
        (5, "int64", 1),
        ([1, 2, 3], "int32", 7),
        ([[250, 3]], "uint8", 4),
        (0, "int64", -3),
        (0.1, "float32", 128),  # a metric's sample count
        ([0.3, 65504.0], "float16", 3),
        (1e16, "float64", 3),
    ],
)
def test_assign_add_of_a_python_int_counts_as_the_add_op_does(engine, start, dtype, value):
    counted = kerasish.Variable(numpy.array(start, dtype), dtype=dtype)
    added = kerasish.Variable(numpy.array(start, dtype), dtype=dtype)

    @kerasish.function(engine=engine)
    def step():
        counted.assign_add(value)
        added.assign(added + value)

    for _ in range(2):
        step()
        assert counted.dtype == numpy.dtype(dtype)
        if engine == "dynamic":  # an array, not the numpy scalar that adding to a 0-d array gives
            assert type(counted.value) is numpy.ndarray
        numpy.testing.assert_array_equal(counted.numpy(), added.numpy())


@pytest.mark.parametrize("value", [300, -1])
def test_assign_add_of_an_int_the_dtype_cannot_hold_is_the_add_ops_error(value):
    counted = kerasish.Variable(numpy.array([1, 2], "uint8"), dtype="uint8")
    with pytest.raises(ValueError) as general:
        counted.assign(counted + value)
    with pytest.raises(ValueError) as counting:
        counted.assign_add(value)
    assert str(counting.value) == str(general.value) and str(general.value).startswith("add: Python integer")
    numpy.testing.assert_array_equal(counted.numpy(), [1, 2])


def test_assign_add_of_a_python_int_to_a_float_variable_runs_no_op(monkeypatch):
    from kerasish.backends.dynamic import engine

    counted = kerasish.Variable(numpy.array(0.5, "float32"))
    names = []
    apply = engine.apply
    monkeypatch.setattr(
        engine, "apply", lambda prim, inputs, attrs: names.append(prim.name) or apply(prim, inputs, attrs)
    )
    monkeypatch.setitem(kerasish.backends.dispatch.ENGINES, "dynamic", engine.apply)
    counted.assign_add(128)
    assert float(counted.numpy()) == 128.5 and type(counted.value) is numpy.ndarray
    counted.assign_add(0.25)  # a float is the op's
    assert float(counted.numpy()) == 128.75 and names == ["add"]


def test_assign_add_in_a_stateless_scope_stays_in_the_scope():
    counted = kerasish.Variable(numpy.array(3, "int64"), dtype="int64")
    with kerasish.StatelessScope() as scope:
        counted.assign_add(2)
        assert int(numpy.asarray(scope.get_current_value(counted))) == 5
    assert int(counted.numpy()) == 3


def test_assign_adopts_an_ops_result_of_its_dtype_and_converts_the_rest():
    variable = kerasish.Variable(numpy.zeros(3, "float32"))
    result = kerasish.ops.add(numpy.ones(3, "float32"), 1.0)
    variable.assign(result)
    assert variable.value is result._data  # fresh: nothing else holds it
    variable.assign(kerasish.ops.add(numpy.ones(3, "float64"), 0.5))
    assert variable.dtype == numpy.float32
    numpy.testing.assert_array_equal(variable.numpy(), [1.5, 1.5, 1.5])
    given = numpy.full(3, 4.0, "float32")
    variable.assign(given)
    given[0] = -1.0
    numpy.testing.assert_array_equal(variable.numpy(), [4.0, 4.0, 4.0])
    with pytest.raises(ValueError, match=r"shape \(2,\) to a variable of shape \(3,\)"):
        variable.assign(kerasish.ops.add(numpy.ones(2, "float32"), 1.0))
