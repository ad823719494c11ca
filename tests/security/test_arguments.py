"""Arguments checked at the API edge (issue 11, findings 3 and 7): every training and inference loop makes
progress or raises, nonsense counts and shapes are errors quoting the value, a one-element list feeds a
one-input model, and one model cannot be stepped from two threads at once. Each loop that used to hang
runs under a time limit, so a regression fails instead of hanging the suite."""

import threading

import numpy
import pytest

import kerasish
from kerasish import layers
from kerasish.data import DataLoader
from kerasish.utils import PyDataset
from kerasish.utils.naming import reset_names
from tests.security.time_limit import within

LIMIT = 30  # seconds; each guarded call takes well under one when it raises as it should


@pytest.fixture(autouse=True)
def fresh_names():
    reset_names()


def data(rows=12, seed=0):
    rng = numpy.random.default_rng(seed)
    return rng.normal(size=(rows, 3)).astype("float32"), rng.normal(size=(rows, 2)).astype("float32")


def sequential(engine):
    kerasish.utils.set_random_seed(1)
    model = kerasish.Sequential([kerasish.Input((3,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse", backend=engine)
    return model


def functional(engine):
    kerasish.utils.set_random_seed(1)
    inputs = kerasish.Input((3,))
    model = kerasish.Model(inputs, layers.Dense(2)(inputs))
    model.compile(optimizer="sgd", loss="mse", backend=engine)
    return model


# ----- empty data: an error naming it, never a loop without end -------------------------------------

EMPTY_X, EMPTY_Y = numpy.zeros((0, 3), "float32"), numpy.zeros((0, 2), "float32")

EMPTY_ARRAY_CALLS = {
    "fit": lambda m: m.fit(EMPTY_X, EMPTY_Y, verbose=0),
    "evaluate": lambda m: m.evaluate(EMPTY_X, EMPTY_Y, verbose=0),
    "predict": lambda m: m.predict(EMPTY_X, verbose=0),
    "train_on_batch": lambda m: m.train_on_batch(EMPTY_X, EMPTY_Y),
    "test_on_batch": lambda m: m.test_on_batch(EMPTY_X, EMPTY_Y),
    "predict_on_batch": lambda m: m.predict_on_batch(EMPTY_X),
    "empty validation_data": lambda m: m.fit(*data(), validation_data=(EMPTY_X, EMPTY_Y), verbose=0),
}


@pytest.mark.parametrize("call", EMPTY_ARRAY_CALLS.values(), ids=EMPTY_ARRAY_CALLS.keys())
def test_empty_arrays_are_an_error_naming_their_shapes(engine, call):
    model = sequential(engine)
    with within(LIMIT), pytest.raises(ValueError, match=r"at least one sample.*'x' shapes \[\(0, 3\)\]"):
        call(model)


class EmptyBatches(PyDataset):
    def __len__(self):
        return 0

    def __getitem__(self, index):
        raise IndexError(index)


EMPTY_DATASETS = {
    "generator": (lambda: (batch for batch in []), "of type generator"),
    "list of batches": (lambda: [], "of type list"),
    "DataLoader": (lambda: DataLoader([], batch_size=4), "of type list"),
    "PyDataset": (lambda: EmptyBatches(), "of type EmptyBatches"),
}


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
@pytest.mark.parametrize("make, named", EMPTY_DATASETS.values(), ids=EMPTY_DATASETS.keys())
def test_an_empty_dataset_is_an_error_naming_it(engine, method, make, named):
    model = sequential(engine)
    function = {"fit": "train_function", "evaluate": "test_function", "predict": "predict_function"}[method]
    with within(LIMIT), pytest.raises(ValueError, match=rf"`{function}`.*\({named}\) is empty"):
        getattr(model, method)(make(), verbose=0)


def test_a_dataset_that_empties_after_the_first_epoch_ends_training(engine):
    batches = [data(4)]

    class Shrinking:
        def __iter__(self):
            yield from batches
            batches.clear()

    model = sequential(engine)
    with within(LIMIT), pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(Shrinking(), epochs=5, verbose=0)
    assert history.epoch == [0, 1]  # the epoch that found no data is the last one


# ----- counts: positive ints (None where it means "all"), Keras's wording --------------------------

BAD_ARGUMENTS = [
    ("fit", {"batch_size": -5}, "`batch_size`, expected a positive integer. Received: batch_size=-5"),
    ("fit", {"batch_size": 0}, "batch_size=0"),
    ("fit", {"batch_size": 2.5}, "batch_size=2.5"),
    ("fit", {"batch_size": "32"}, "batch_size=32"),
    ("fit", {"batch_size": True}, "batch_size=True"),
    ("predict", {"batch_size": -5}, "batch_size=-5"),
    ("evaluate", {"batch_size": 0}, "batch_size=0"),
    ("fit", {"validation_split": -0.5}, r"`validation_split` must be between 0 and 1, received: -0.5"),
    ("fit", {"validation_split": 1.5}, "received: 1.5"),
    ("fit", {"validation_split": 1.0}, "received: 1.0"),
    ("fit", {"validation_split": "0.2"}, "received: '0.2'"),
    ("fit", {"epochs": -3}, "`epochs`, expected a non-negative integer. Received: epochs=-3"),
    ("fit", {"epochs": 2.5}, "epochs=2.5"),
    ("fit", {"epochs": True}, "epochs=True"),
    ("fit", {"initial_epoch": -1}, "initial_epoch=-1"),
    ("fit", {"steps_per_epoch": 0}, "`steps_per_epoch`, expected a positive integer. Received: steps_per_epoch=0"),
    ("fit", {"steps_per_epoch": -1}, "steps_per_epoch=-1"),
    ("fit", {"validation_data": "xy", "validation_steps": 0}, "validation_steps=0"),
    ("fit", {"validation_batch_size": -1}, "validation_batch_size=-1"),
    ("evaluate", {"steps": -1}, "`steps`, expected a positive integer. Received: steps=-1"),
    ("predict", {"steps": 0}, "steps=0"),
    ("fit", {"validation_freq": 0}, "`validation_freq` must be a positive int.*validation_freq=0"),
    ("fit", {"validation_freq": [0, 2]}, r"validation_freq=\[0, 2\]"),
    ("fit", {"validation_freq": "2"}, "Expected `validation_freq` to be a list or int"),
    ("fit", {"class_weight": {-1: 2.0}}, r"keys from 0 to one less than the number of classes.*\{-1: 2.0\}"),
    ("fit", {"class_weight": {0: "heavy"}}, "found {0: 'heavy'}"),
    ("fit", {"class_weight": [1, 2]}, r"must be a dict.*\[1, 2\]"),
    ("fit", {"sample_weight": numpy.ones((12, 7))}, r"`sample_weight` of shape \(12, 7\) does not fit.*\(12, 2\)"),
    ("fit", {"sample_weight": 2.0}, "`sample_weight` must be an array with one entry per sample"),
    ("fit", {"sample_weight": numpy.array(["a"] * 12)}, "`sample_weight` must hold numbers.*<U1"),
]


@pytest.mark.parametrize(
    "method, arguments, message",
    BAD_ARGUMENTS,
    ids=[f"{method}-{'-'.join(arguments)}-{index}" for index, (method, arguments, _) in enumerate(BAD_ARGUMENTS)],
)
def test_bad_arguments_are_errors_quoting_the_value(engine, method, arguments, message):
    x, y = data()
    arguments = dict(arguments)
    if arguments.get("validation_data") == "xy":
        arguments["validation_data"] = (x, y)
    model = sequential(engine)
    call = {
        "fit": lambda: model.fit(x, y, verbose=0, **arguments),
        "evaluate": lambda: model.evaluate(x, y, verbose=0, **arguments),
        "predict": lambda: model.predict(x, verbose=0, **arguments),
    }[method]
    with within(LIMIT), pytest.raises(ValueError, match=message):
        call()


def test_good_counts_still_train(engine):
    x, y = data()
    model = sequential(engine)
    before = [w.numpy() for w in model.weights]
    history = model.fit(x, y, epochs=0, verbose=0)
    assert history.epoch == [] and all(numpy.array_equal(a, w.numpy()) for a, w in zip(before, model.weights))
    history = model.fit(
        x,
        y,
        batch_size=numpy.int64(5),
        epochs=numpy.int32(2),
        steps_per_epoch=2,
        validation_split=0.25,
        validation_freq=[2],
        verbose=0,
    )
    assert history.epoch == [0, 1] and len(history.history["val_loss"]) == 1
    model.fit(x, y, sample_weight=numpy.ones((12, 1)), verbose=0)  # a weight per sample, as a column


# ----- shapes of Input and names in a model ----------------------------------------------------------


@pytest.mark.parametrize(
    "shape, message",
    [
        ((-3,), r"cannot convert '\(-3,\)' to a shape. Negative dimensions are not allowed"),
        ((4, 0), r"cannot convert '\(4, 0\)' to a shape. Zero dimensions are not allowed"),
        ((2.5,), r"cannot convert '\(2.5,\)' to a shape. Found invalid dimension '2.5' of type 'float'"),
        ((None, "7"), r"cannot convert '\(None, '7'\)' to a shape. Found invalid dimension ''7'' of type 'str'"),
        ("abc", "cannot convert ''abc'' to a shape"),
        (3, "cannot convert '3' to a shape"),
    ],
)
def test_input_shapes_need_positive_int_dims(shape, message):
    with pytest.raises(ValueError, match=rf"InputLayer 'input_layer': {message}"):
        kerasish.Input(shape)


def test_input_batch_size_and_batch_shape_are_checked():
    with pytest.raises(ValueError, match="`batch_size` must be a positive integer or None, received batch_size=0"):
        kerasish.Input((3,), batch_size=0)
    with pytest.raises(ValueError, match="Negative dimensions"):
        kerasish.Input(batch_shape=(None, -1))
    assert kerasish.Input((None, 3), batch_size=numpy.int64(4)).shape == (4, None, 3)


def test_duplicate_layer_names_are_an_error_naming_them():
    inputs = kerasish.Input((3,), name="features")
    hidden = layers.Dense(4, name="dense")(layers.Dense(3, name="dense")(inputs))
    outputs = layers.Dense(2, name="features")(hidden)
    with pytest.raises(
        ValueError,
        match=r'The name "features" is used 2 times in the model; The name "dense" is '
        r"used 2 times in the model. All layer names should be unique.",
    ):
        kerasish.Model(inputs, outputs)
    with pytest.raises(ValueError, match="should have unique names. Name 'dense' is already the name"):
        kerasish.Sequential([kerasish.Input((3,)), layers.Dense(3, name="dense"), layers.Dense(2, name="dense")])


def test_a_shared_layer_is_not_a_duplicate():
    inputs = kerasish.Input((3,))
    shared = layers.Dense(3, name="shared")
    model = kerasish.Model(inputs, shared(shared(inputs)))
    assert [layer.name for layer in model.layers] == ["input_layer", "shared"]


# ----- a one-element list or tuple holds the one input (or output) -----------------------------------


@pytest.mark.parametrize("build", [sequential, functional], ids=["sequential", "functional"])
def test_a_one_element_list_feeds_a_one_input_model(engine, build):
    x, y = data()
    plain, listed = build(engine), build(engine)
    plain.fit(x, y, batch_size=4, shuffle=False, epochs=2, verbose=0)
    listed.fit([x], [y], batch_size=4, shuffle=False, epochs=2, verbose=0)
    for a, b in zip(plain.weights, listed.weights):
        numpy.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    numpy.testing.assert_allclose(listed.predict((x,), verbose=0), plain.predict(x, verbose=0), rtol=1e-6)
    assert listed.evaluate([x], (y,), verbose=0) == pytest.approx(plain.evaluate(x, y, verbose=0), rel=1e-6)
    numpy.testing.assert_allclose(listed.predict_on_batch([x]), plain.predict_on_batch(x), rtol=1e-6)


def test_a_dict_for_a_sequential_model_must_name_its_input(engine):
    x, y = data()
    model = sequential(engine)
    model.fit({"input_layer": x}, y, verbose=0)
    with pytest.raises(
        ValueError,
        match=r"takes one input \(named 'input_layer'\), received a dict with keys "
        r"\['other'\]",
    ):
        model.fit({"other": x}, y, verbose=0)


# ----- one model, two threads -------------------------------------------------------------------------


class Hold(kerasish.callbacks.Callback):
    """Keeps the first thread inside `fit` until the second one has made its attempt."""

    def __init__(self, inside, attempted):
        super().__init__()
        self.inside, self.attempted = inside, attempted

    def on_train_batch_begin(self, batch, logs=None):
        self.inside.set()
        assert self.attempted.wait(LIMIT)


@pytest.mark.parametrize("second", ["fit", "evaluate", "predict", "train_on_batch", "predict_on_batch"])
def test_one_model_fitted_from_two_threads_is_a_clear_error(engine, second):
    x, y = data()
    model = sequential(engine)
    model.fit(x, y, verbose=0)  # built and traced before the race, so the race is about running
    barrier, inside, attempted = threading.Barrier(2), threading.Event(), threading.Event()
    outcome = {}

    def first():
        barrier.wait()
        outcome["first"] = model.fit(x, y, epochs=2, verbose=0, callbacks=[Hold(inside, attempted)])

    def other():
        barrier.wait()
        assert inside.wait(LIMIT)
        try:
            {
                "fit": lambda: model.fit(x, y, verbose=0),
                "evaluate": lambda: model.evaluate(x, y, verbose=0),
                "predict": lambda: model.predict(x, verbose=0),
                "train_on_batch": lambda: model.train_on_batch(x, y),
                "predict_on_batch": lambda: model.predict_on_batch(x),
            }[second]()
        except Exception as error:  # the test asserts on the caught error below
            outcome["second"] = error
        finally:
            attempted.set()

    threads = [threading.Thread(target=first), threading.Thread(target=other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(LIMIT)
    assert not any(thread.is_alive() for thread in threads)
    assert isinstance(outcome.get("second"), RuntimeError), outcome
    assert (
        f"Model 'sequential' is already running fit/evaluate/predict in another thread; {second}() cannot run"
        in str(outcome["second"])
    )
    assert outcome["first"].epoch == [0, 1]
    model.fit(x, y, verbose=0)  # the model is free again once the first thread is done


def test_a_model_is_free_again_after_a_failed_call(engine):
    model = sequential(engine)
    with pytest.raises(ValueError):
        model.fit(*data(), batch_size=0, verbose=0)
    results = []
    thread = threading.Thread(target=lambda: results.append(model.evaluate(*data(), verbose=0)))
    thread.start()
    thread.join(LIMIT)
    assert len(results) == 1 and isinstance(results[0], float)
