"""Keras's smaller `keras.utils` names: Config, Sequence, get_source_inputs, and the names re-exported
from kerasish.backend and the settings (is_keras_tensor, clear_session, standardize_dtype, interactive
logging)."""

import json

import numpy
import pytest

import kerasish
from kerasish import utils


def test_config_reads_and_sets_as_attributes_and_items():
    config = utils.Config(learning_rate=0.1, momentum=0.9)
    config.use_ema = True
    config["seed"] = 123
    assert config.seed == 123 and config["learning_rate"] == 0.1 and config.get("missing", 7) == 7
    assert list(config) == ["learning_rate", "momentum", "seed", "use_ema"] and len(config) == 4
    assert json.loads(config.to_json()) == config.as_dict()
    assert config.pop("momentum") == 0.9
    with pytest.raises(AttributeError, match="Unknown attribute: 'seeds'. Did you mean 'seed'"):
        config.seeds  # noqa: B018


def test_a_frozen_config_refuses_every_change_until_unfrozen():
    config = utils.Config(optimizer="adam")
    config.freeze()
    assert config.frozen
    for change in (
        lambda: setattr(config, "seed", 1),
        lambda: config.__setitem__("seed", 1),
        lambda: config.update(seed=1),
        lambda: config.pop("optimizer"),
    ):
        with pytest.raises(ValueError, match="the config is frozen"):
            change()
    assert config.as_dict() == {"optimizer": "adam"}
    config.unfreeze()
    config.seed = 1
    assert config.seed == 1


def test_config_matches_keras():
    keras = pytest.importorskip("keras")
    ours, theirs = utils.Config(b=1, a=2), keras.utils.Config(b=1, a=2)
    for config in (ours, theirs):
        config.c = 3
    assert list(ours) == list(theirs) and ours.to_json() == theirs.to_json() and repr(ours) == repr(theirs)


def test_get_source_inputs_walks_back_to_the_inputs_once_each():
    first, second = kerasish.Input((3,)), kerasish.Input((3,))
    shared = kerasish.layers.Dense(3)
    joined = kerasish.layers.Add()([shared(first), shared(second), kerasish.layers.Dense(3)(first)])
    output = kerasish.layers.Dense(1)(joined)
    assert [t is s for t, s in zip(utils.get_source_inputs(output), [first, second])] == [True, True]
    assert utils.get_source_inputs(first) == [first]
    inner = kerasish.Model(first, shared(first))
    outer_input = kerasish.Input((3,))
    assert utils.get_source_inputs(inner(outer_input))[0] is outer_input
    array = numpy.ones(3)
    assert utils.get_source_inputs(array) is array


def test_sequence_is_pydataset_and_fit_accepts_one(engine):
    class Batches(utils.Sequence):
        def __len__(self):
            return 2

        def __getitem__(self, index):
            rng = numpy.random.default_rng(index)
            return rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=(4, 1)).astype("float32")

    assert utils.Sequence is utils.PyDataset
    model = kerasish.Sequential([kerasish.Input((3,)), kerasish.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", backend=engine)
    history = model.fit(Batches(), epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1


def test_reexported_names_are_the_backend_objects():
    from kerasish import backend
    from kerasish.backends import config, dtypes

    assert utils.is_keras_tensor is backend.is_keras_tensor and utils.is_keras_tensor(kerasish.Input((2,)))
    assert not utils.is_keras_tensor(numpy.ones(2))
    assert utils.clear_session is backend.clear_session
    assert utils.standardize_dtype is dtypes.standardize_dtype and utils.standardize_dtype(numpy.float16) == "float16"
    assert utils.is_interactive_logging_enabled is config.is_interactive_logging_enabled
    try:
        utils.disable_interactive_logging()
        assert not utils.is_interactive_logging_enabled()
    finally:
        utils.enable_interactive_logging()
    assert utils.is_interactive_logging_enabled()
