"""Misuse of the public API, as a careless user would try it (issue 11, finding 7): each case used to reach the
user as a raw internal error (`_UFuncNoLoopError.__init__() missing ...`, "unhashable type: 'slice'", a bare
RecursionError, an IndexError from inside the data adapter, ...) or as a message that misleads; each is now
a clear error of the expected type whose message names the layer, the op or the argument, and the values."""

import numpy
import pytest

import kerasish
from kerasish import layers, ops
from kerasish.backends import static
from kerasish.backends.dynamic import Tensor
from kerasish.backends.symbolic import KerasTensor
from kerasish.utils.naming import reset_names
from tests.security.time_limit import within


@pytest.fixture(autouse=True)
def fresh_names():
    reset_names()


X = numpy.random.default_rng(0).normal(size=(10, 3)).astype("float32")
Y = numpy.random.default_rng(1).normal(size=(10, 2)).astype("float32")


def sequential(engine):
    model = kerasish.Sequential([kerasish.Input((3,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse", backend=engine)
    return model


def endless(x):
    return endless(x)


def containing_itself():
    data = [X]
    data.append(data)
    return data


def nested(depth):
    data = X
    for _ in range(depth):
        data = [data]
    return data


# (case id, the misuse given a compiled one-input model, the error type, a regex its message must match)
TRAINING_MISUSE = [
    (
        "strings-as-x",
        lambda m: m.fit(numpy.array([["a", "b", "c"]] * 10), Y, verbose=0),
        ValueError,
        r"`x` must hold numbers \(bool, int or float\), received an array of dtype <U1 and shape \(10, 3\)",
    ),
    (
        "strings-to-predict",
        lambda m: m.predict(numpy.array([["a", "b", "c"]] * 10), verbose=0),
        ValueError,
        r"`x` must hold numbers.*<U1",
    ),
    (
        "objects-as-x",
        lambda m: m.fit(X.astype(object), Y, verbose=0),
        ValueError,
        r"`x` must hold numbers.*dtype object and shape \(10, 3\)",
    ),
    ("complex-x", lambda m: m.fit(X.astype(complex), Y, verbose=0), ValueError, r"`x` must hold numbers.*complex128"),
    (
        "strings-as-y",
        lambda m: m.fit(X, numpy.array([["a", "b"]] * 10), verbose=0),
        ValueError,
        r"`y` must hold numbers.*<U1 and shape \(10, 2\)",
    ),
    (
        "ragged-rows-with-y",
        lambda m: m.fit([[1, 2, 3], [1, 2]] * 5, Y, verbose=0),
        ValueError,
        r"Expected all elements of `x` to be array-like.*list of plain Python values: x=\[\[1, 2, 3\], \[1, 2\]",
    ),
    (
        "None-in-rows",
        lambda m: m.predict([[1.0, None, 3.0]], verbose=0),
        ValueError,
        r"Expected all elements of `x` to be array-like.*x=\[\[1.0, None, 3.0\]\]",
    ),
    (
        "path-as-x",
        lambda m: m.fit("train.csv", Y, verbose=0),
        ValueError,
        r"Unrecognized data type: x='train.csv' \(of type str\)",
    ),
    ("number-as-x", lambda m: m.fit(5, Y, verbose=0), ValueError, r"Unrecognized data type: x=5 \(of type int\)"),
    (
        "dict-with-other-keys",
        lambda m: m.fit({"pixels": X}, Y, verbose=0),
        ValueError,
        r"Sequential 'sequential': a Sequential model takes one input \(named 'input_layer'\), received a dict with "
        r"keys \['pixels'\]",
    ),
    (
        "scalar-sample-weight",
        lambda m: m.fit(X, Y, sample_weight=2.0, verbose=0),
        ValueError,
        r"`sample_weight` must be an array with one entry per sample .* received a scalar",
    ),
    (
        "dict-targets-with-other-keys",
        lambda m: m.fit(X, {"nope": Y}, verbose=0),
        ValueError,
        r"Targets are a dict with keys \['nope'\], but the model's outputs are \['dense'\] \(missing \['dense'\]\)",
    ),
    (
        "no-targets-for-the-loss",
        lambda m: m.fit(X, verbose=0),
        ValueError,
        r"The compiled loss 'mse' of output 'dense' needs targets, but `y` is None",
    ),
    (
        "generator-to-train-on-batch",
        lambda m: m.train_on_batch(iter([(X, Y)])),
        ValueError,
        r"train_on_batch\(\) takes one batch of arrays .* received x of type list_iterator",
    ),
    (
        "float-epochs",
        lambda m: m.fit(X, Y, epochs=2.5, verbose=0),
        ValueError,
        r"`epochs`, expected a non-negative integer. Received: epochs=2.5",
    ),
    (
        "float-batch-size",
        lambda m: m.fit(X, Y, batch_size=2.5, verbose=0),
        ValueError,
        r"`batch_size`, expected a positive integer. Received: batch_size=2.5",
    ),
    (
        "x-containing-itself",
        lambda m: m.fit(containing_itself(), Y, verbose=0),
        ValueError,
        r"`x` is nested more than 64 lists, tuples or dicts deep \(does it contain itself\?\)",
    ),
    (
        "y-nested-5000-deep",
        lambda m: m.fit(X, nested(5000), verbose=0),
        ValueError,
        r"`y` is nested more than 64 lists",
    ),
    (
        "zero-validation-freq",
        lambda m: m.fit(X, Y, validation_data=(X, Y), validation_freq=0, verbose=0),
        ValueError,
        r"`validation_freq` must be a positive int",
    ),
]


@pytest.mark.parametrize(
    "misuse, kind, message", [case[1:] for case in TRAINING_MISUSE], ids=[case[0] for case in TRAINING_MISUSE]
)
def test_training_misuse_is_a_clear_error(engine, misuse, kind, message):
    model = sequential(engine)
    with within(30), pytest.raises(kind, match=message):
        misuse(model)


class Batches(kerasish.utils.PyDataset):
    def __len__(self):
        return 1

    def __getitem__(self, index):
        return X, Y


class CallsItself(layers.Layer):
    def call(self, inputs):
        return self(inputs)


def lambda_model(function):
    inputs = kerasish.Input((3,))
    return kerasish.Model(inputs, layers.Lambda(function)(inputs))


MODEL_AND_LAYER_MISUSE = [
    (
        "Sequential-of-one-layer",
        lambda: kerasish.Sequential(layers.Dense(2)),
        ValueError,
        r"Sequential: `layers` must be a list of layers, received <Dense name=dense.*> \(of type Dense\)",
    ),
    (
        "Input-of-a-string",
        lambda: kerasish.Input("abc"),
        ValueError,
        r"InputLayer 'input_layer': cannot convert ''abc'' to a shape",
    ),
    (
        "Input-of-an-int",
        lambda: kerasish.Input(3),
        ValueError,
        r"InputLayer 'input_layer': cannot convert '3' to a shape",
    ),
    (
        "BatchNormalization-momentum-string",
        lambda: layers.BatchNormalization(momentum="fast"),
        ValueError,
        r"BatchNormalization: `momentum` must be a float, received momentum='fast'",
    ),
    (
        "LeakyReLU-slope-string",
        lambda: layers.LeakyReLU(negative_slope="0.1"),
        ValueError,
        r"negative_slope value of a Leaky ReLU layer cannot be None or negative.*Received: negative_slope=0.1",
    ),
    (
        "Reshape-to-a-string",
        lambda: layers.Reshape("ab"),
        ValueError,
        r"Reshape: `target_shape` must be a tuple of integers, received target_shape='ab'",
    ),
    (
        "Reshape-to-floats",
        lambda: layers.Reshape((1.5, 2)),
        ValueError,
        r"Reshape: `target_shape` must be a tuple of integers, received target_shape=\(1.5, 2\)",
    ),
    # fit compared `workers > 1` and failed with "'>' not supported between instances of 'str' and 'int'"
    (
        "PyDataset-workers-string",
        lambda: Batches(workers="4"),
        ValueError,
        r"Batches: `workers` must be an integer >= 0, received workers='4'",
    ),
    (
        "PyDataset-queue-zero",
        lambda: Batches(max_queue_size=0),
        ValueError,
        r"Batches: `max_queue_size` must be an integer >= 1, received max_queue_size=0",
    ),
    (
        "Lambda-returning-None",
        lambda: lambda_model(lambda x: None),
        TypeError,
        r"Lambda 'lambda': the function must return tensors \(or lists/dicts of tensors\), it returned NoneType",
    ),
    (
        "Lambda-returning-a-string",
        lambda: lambda_model(lambda x: "x"),
        TypeError,
        r"Lambda 'lambda': the function must return tensors .* it returned str",
    ),
    (
        "Lambda-recursing-symbolic",
        lambda: lambda_model(endless),
        RecursionError,
        r"Lambda 'lambda': its call\(\) recursed without end",
    ),
    (
        "Lambda-recursing-eager",
        lambda: layers.Lambda(endless)(X),
        RecursionError,
        r"Lambda 'lambda': its call\(\) recursed without end",
    ),
    # numpy's _UFuncNoLoopError cannot be rebuilt around a message: it reached the user as
    # "_UFuncNoLoopError.__init__() missing 1 required positional argument: 'dtypes'"
    (
        "Dense-on-strings",
        lambda: layers.Dense(2)(numpy.array([["a", "b", "c"]])),
        TypeError,
        r"Dense 'dense': dense: ufunc 'matmul' did not contain a loop .* \(input shapes \(1, 3\), \(3, 2\), \(2,\), "
        r"dtypes str32, float32, float32\)",
    ),
    (
        "Rescaling-by-a-string",
        lambda: layers.Rescaling("2")(X),
        TypeError,
        r"Rescaling 'rescaling': multiply: ufunc 'multiply' did not contain a loop",
    ),
    (
        "clip-to-a-string",
        lambda: ops.clip(X, "a", 1.0),
        TypeError,
        r"maximum: ufunc 'maximum' did not contain a loop .* dtypes float32, str32",
    ),
    # a layer calling itself ran into a bare "maximum recursion depth exceeded in __instancecheck__"
    (
        "Layer-calling-itself",
        lambda: CallsItself()(X),
        RecursionError,
        r"CallsItself 'calls_itself': its call\(\) recursed without end",
    ),
    (
        "Layer-calling-itself-in-a-model",
        lambda: kerasish.Sequential([layers.Dense(3), CallsItself()])(X),
        RecursionError,
        r"CallsItself 'calls_itself': its call\(\) recursed without end",
    ),
]


@pytest.mark.parametrize(
    "misuse, kind, message",
    [case[1:] for case in MODEL_AND_LAYER_MISUSE],
    ids=[case[0] for case in MODEL_AND_LAYER_MISUSE],
)
def test_model_and_layer_misuse_is_a_clear_error(misuse, kind, message):
    with within(30), pytest.raises(kind, match=message):
        misuse()


def test_a_numpy_error_subclass_is_re_raised_as_its_builtin_kind():
    from kerasish.backends.errors import error_kind

    try:
        numpy.add(numpy.array(["a"]), numpy.array([1.0]))
    except TypeError as error:
        assert type(error) is not TypeError  # numpy's own subclass, whose constructor wants (ufunc, dtypes)
        assert error_kind(error) is TypeError
    assert error_kind(numpy.exceptions.AxisError(3, 2)) is ValueError
    assert error_kind(KeyError("k")) is ValueError


def operand(kind):
    """A float32 (10, 3) input of the given kind: a dynamic Tensor, a static placeholder or a KerasTensor."""
    return {
        "dynamic": lambda: Tensor(X),
        "static": lambda: static.placeholder((10, 3), "float32"),
        "symbolic": lambda: KerasTensor((10, 3), "float32"),
    }[kind]()


# Arguments of ops that used to fail inside `int()` or a comparison ("invalid literal for int() with base 10:
# 'a'", "'<=' not supported between instances of 'int' and 'str'", numpy's "negative dimensions are not
# allowed" without the op's name); on every kind of input.
OP_MISUSE = [
    (
        "sum-axis",
        lambda x: ops.sum(x, axis="a"),
        TypeError,
        r"sum: `axis` must be an int, received 'a' \(of type str\)",
    ),
    ("mean-axis", lambda x: ops.mean(x, axis=(0, 1.5)), TypeError, r"mean: `axis` must be an int, received 1.5"),
    ("softmax-axis", lambda x: ops.softmax(x, axis="a"), TypeError, r"softmax: `axis` must be an int, received 'a'"),
    ("expand_dims-axis", lambda x: ops.expand_dims(x, "a"), TypeError, r"expand_dims: `axis` must be an int"),
    ("transpose-axes", lambda x: ops.transpose(x, "ab"), TypeError, r"transpose: `axes` must be an int, received 'a'"),
    ("reshape-shape", lambda x: ops.reshape(x, "ab"), TypeError, r"reshape: `newshape` must be an int, received 'a'"),
    (
        "tile-negative",
        lambda x: ops.tile(x, (1, -1)),
        ValueError,
        r"tile: `repeats` must be non-negative, received \(1, -1\)",
    ),
    ("tile-string", lambda x: ops.tile(x, "a"), TypeError, r"tile: `repeats` must be an int, received 'a'"),
    (
        "repeat-negative",
        lambda x: ops.repeat(x, -1, axis=0),
        ValueError,
        r"repeat: `repeats` must be non-negative, received -1",
    ),
    (
        "repeat-wrong-length",
        lambda x: ops.repeat(x, [1, 2], axis=1),
        ValueError,
        r"repeat: `repeats` must be one number or one per element along axis 1 \(3\), received 2: \[1, 2\] "
        r"\(input shape \(10, 3\)\)",
    ),
    ("cast-unknown-dtype", lambda x: ops.cast(x, "nope"), TypeError, r"cast: data type 'nope' not understood"),
]


@pytest.mark.parametrize("kind", ["dynamic", "static", "symbolic"])
@pytest.mark.parametrize("misuse, error, message", [case[1:] for case in OP_MISUSE], ids=[c[0] for c in OP_MISUSE])
def test_op_argument_misuse_is_an_error_naming_the_op(kind, misuse, error, message):
    with pytest.raises(error, match=message):
        misuse(operand(kind))


@pytest.mark.parametrize(
    "misuse, message",
    [
        (lambda: ops.zeros(None), r"full: shape must be a tuple of non-negative ints, got None"),
        (lambda: ops.ones("abc"), r"full: shape must be a tuple of non-negative ints, got 'abc'"),
        (lambda: ops.zeros((2.5, 2)), r"full: shape must be a tuple of non-negative ints, got \(2.5, 2\)"),
        (lambda: ops.convert_to_tensor([[1, 2], [3]]), r"convert_to_tensor: setting an array element with a sequence"),
        (lambda: ops.convert_to_tensor(None), r"convert_to_tensor: cannot make a tensor of NoneType None"),
        (lambda: ops.convert_to_tensor({"a": 1}), r"convert_to_tensor: cannot make a tensor of dict"),
        # an op given a ragged list met numpy's "inhomogeneous shape" error without the op's name
        (
            lambda: ops.add([[1, 2], [3]], 1),
            r"add: an input is not a tensor, array or rectangular list: setting an "
            r"array element with a sequence",
        ),
    ],
    ids=["zeros-None", "ones-string", "zeros-float", "ragged-list", "None", "dict", "ragged-list-operand"],
)
def test_making_tensors_of_nonsense_is_an_error_naming_the_op(misuse, message):
    with pytest.raises(ValueError, match=message):
        misuse()


@pytest.mark.parametrize("kind", ["dynamic", "static"])
def test_take_with_string_indices_is_an_error_naming_the_op(kind):
    # it failed inside the index range check: "ufunc 'minimum' did not contain a loop with signature ..."
    indices = numpy.array(["a", "b"])
    with pytest.raises(TypeError, match=r"take: indices must be integers, got dtype <U1"):
        ops.take(operand(kind), indices, axis=0)
    with pytest.raises(TypeError, match=r"take: indices must be integers, got dtype float64 \(indices 1.5\)"):
        ops.take(operand(kind), 1.5, axis=0)
