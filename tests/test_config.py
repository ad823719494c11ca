import pytest

import kerasish
from kerasish.backends import config
from kerasish.backends.user_frames import is_internal


@pytest.fixture(autouse=True)
def fresh_switches(monkeypatch):
    for name, value in dict(config.SWITCHES).items():
        monkeypatch.setitem(config.SWITCHES, name, value)


def test_switches_round_trip_as_in_keras():
    keras_config = kerasish.config
    assert keras_config.is_flash_attention_enabled() is None
    keras_config.disable_flash_attention()
    assert keras_config.is_flash_attention_enabled() is False
    keras_config.enable_flash_attention()
    assert keras_config.is_flash_attention_enabled() is None
    keras_config.disable_interactive_logging()
    assert not keras_config.is_interactive_logging_enabled()
    keras_config.enable_interactive_logging()
    assert keras_config.is_interactive_logging_enabled()
    keras_config.disable_traceback_filtering()
    assert not keras_config.is_traceback_filtering_enabled()
    keras_config.enable_traceback_filtering()
    assert keras_config.is_traceback_filtering_enabled()


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_limits_quote_a_bad_value(bad):
    with pytest.raises(ValueError, match=f"`max_steps_per_epoch` must be a positive integer or None, got {bad!r}"):
        kerasish.config.set_max_steps_per_epoch(bad)


def test_unsafe_deserialization_lets_lambda_layers_load(monkeypatch, tmp_path):
    from kerasish.utils import object_serialization

    monkeypatch.setattr(object_serialization, "_UNSAFE_DESERIALIZATION_ENABLED", [False])
    model = kerasish.Sequential([kerasish.Input((2,)), kerasish.layers.Lambda(lambda x: x * 3.0)])
    path = tmp_path / "lambda.keras"
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        kerasish.models.load_model(path)
    kerasish.config.enable_unsafe_deserialization()
    loaded = kerasish.models.load_model(path)
    assert loaded.predict(kerasish.ops.ones((1, 2)), verbose=0).tolist() == [[3.0, 3.0]]


def test_without_interactive_logging_progress_goes_to_the_logger(caplog, capsys):
    model = kerasish.Sequential([kerasish.Input((2,)), kerasish.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    kerasish.config.disable_interactive_logging()
    with caplog.at_level("INFO", logger="kerasish"):
        model.fit(kerasish.ops.ones((4, 2)), kerasish.ops.ones((4, 1)), epochs=1, verbose=2)
        model.summary()
    assert capsys.readouterr().out == ""
    messages = "\n".join(record.getMessage() for record in caplog.records)
    assert "loss:" in messages and "Trainable params: 3" in messages


def _frames(error):
    files, traceback = [], error.__traceback__
    while traceback is not None:
        files.append(traceback.tb_frame.f_code.co_filename)
        traceback = traceback.tb_next
    return files


@pytest.mark.parametrize("filtering", [True, False])
def test_errors_out_of_fit_show_the_users_frames(engine, filtering):
    def user_loss(y_true, y_pred):
        raise ArithmeticError("in the user's loss")

    model = kerasish.Sequential([kerasish.Input((2,)), kerasish.layers.Dense(1)])
    model.compile(optimizer="sgd", loss=user_loss, backend=engine)
    if not filtering:
        kerasish.config.disable_traceback_filtering()
    with pytest.raises(ArithmeticError, match="in the user's loss") as caught:
        model.fit(kerasish.ops.ones((4, 2)), kerasish.ops.ones((4, 1)), verbose=0)
    internal = [name for name in _frames(caught.value) if is_internal(name)]
    assert __file__ in _frames(caught.value)
    if filtering:
        assert [name.rsplit("/", 1)[-1] for name in internal] == ["traceback_utils.py"]  # the re-raise itself
    else:
        assert len(internal) > 3


def test_set_backend_chooses_the_engine_of_later_models(monkeypatch):
    monkeypatch.setitem(config.SETTINGS, "backend", "dynamic")
    kerasish.config.set_backend("static")
    assert kerasish.config.backend() == "static"
    model = kerasish.Sequential([kerasish.Input((2,)), kerasish.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(kerasish.ops.ones((4, 2)), kerasish.ops.ones((4, 1)), verbose=0)
    assert model.compile_engine.name == "static"
    with pytest.raises(ValueError, match="received backend='jax'"):
        kerasish.config.set_backend("jax")
    assert kerasish.config.is_nnx_enabled() is False
