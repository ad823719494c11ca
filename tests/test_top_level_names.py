import numpy
import pytest

import kerasish as keras
from kerasish import ops


class Scale(keras.Operation):
    def __init__(self, factor, name=None):
        super().__init__(name=name)
        self.factor = factor

    def call(self, x):
        return ops.multiply(x, self.factor)


def test_version_and_base_classes_are_the_packages_own():
    assert keras.version() == keras.__version__
    assert keras.Initializer is keras.initializers.Initializer
    assert keras.Regularizer is keras.regularizers.Regularizer
    assert keras.InputSpec is keras.layers.InputSpec
    assert isinstance(keras.Input((2,)), keras.KerasTensor)
    assert isinstance(keras.layers.Dense(1), keras.Operation)


def test_an_operation_computes_and_is_a_node_of_a_functional_model(engine):
    x = numpy.arange(6, dtype="float32").reshape(2, 3)
    assert numpy.allclose(ops.convert_to_numpy(Scale(2.0)(x)), 2 * x)
    inputs = keras.Input((3,))
    model = keras.Model(inputs, Scale(3.0, name="triple")(inputs))
    model.compile(backend=engine)
    assert numpy.allclose(model.predict(x, verbose=0), 3 * x)
    assert Scale(3.0, name="triple").get_config() == {"name": "triple", "factor": 3.0}
    assert Scale.from_config({"name": "s", "factor": 1.5}).factor == 1.5


def test_an_operation_name_may_not_hold_a_slash():
    with pytest.raises(ValueError, match="cannot contain character `/`. Received: name=a/b"):
        Scale(1.0, name="a/b")


def test_name_scopes_prefix_variable_and_weight_paths_as_in_keras():
    with keras.name_scope("outer"):
        dense = keras.layers.Dense(2, name="proj")
        dense.build((None, 3))
        variable = keras.Variable(1.0, name="v")
        with keras.name_scope("inner"):
            inner = keras.Variable(1.0, name="w")
    assert (dense.kernel.path, variable.path, inner.path) == ("outer/proj/kernel", "outer/v", "outer/inner/w")
    assert keras.Variable(1.0, name="u").path == "u"
    with pytest.raises(ValueError, match="cannot contain character `/`"):
        keras.name_scope("a/b")
