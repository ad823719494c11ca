"""Each example runs (small sizes) and learns. Thresholds sit a little under what Keras 3 (JAX backend)
reaches with the same script, epochs and seed on the same split (measured: quickstart 15 epochs 0.881,
cnn 8 epochs 0.906, functional 10 epochs digit 0.881 / even 0.908, rnn 10 epochs 0.733)."""

import importlib.util
import os

import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quickstart_trains_saves_and_reloads(capsys):
    accuracy = load("quickstart").main(epochs=15, verbose=0)
    assert accuracy > 0.85
    assert "predicts the same: True" in capsys.readouterr().out


@pytest.mark.slow  # fast tier: the CNN on digits in tests/trainers/test_digits_training.py
def test_cnn_learns_digits():
    assert load("cnn").main(epochs=8, verbose=0) > 0.87


def test_functional_multi_io_learns_both_outputs():
    results = load("functional_multi_io").main(epochs=10, verbose=0)
    assert results["digit_accuracy"] > 0.85 and results["even_accuracy"] > 0.87


@pytest.mark.slow  # fast tier: the LSTM on digit rows in tests/trainers/test_digits_training.py
def test_rnn_learns_digits():
    assert load("rnn").main(epochs=10, verbose=0) > 0.69


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["dynamic", "static"])
def test_vision_transformer_learns_digits(backend):
    # --small measured 0.80 (dynamic) and 0.84 (static); the full size reaches 0.97-0.98 (not compared with Keras)
    assert load("transformer").main(epochs=12, small=True, verbose=0, backend=backend) > 0.75


@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_custom_training_loop_on_each_engine(engine):
    assert load("custom_training_loop").main(epochs=5, engine=engine) > 0.8


def test_switching_engines_agree():
    accuracies = load("switching_engines").main(epochs=3, verbose=0)
    assert abs(accuracies["dynamic"] - accuracies["static"]) < 0.02


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_text_classification_from_strings(engine, capsys):
    """Small size: 600 training texts, 3 epochs (measured 0.81 dynamic, 0.75 static; four topics, chance
    0.25; the full run, 1204 texts and 6 epochs, reaches 0.83 on both engines)."""
    accuracy = load("text_classification").main(
        epochs=3, max_tokens=1500, sequence_length=24, samples=600, engine=engine, verbose=0
    )
    assert accuracy > 0.6
    assert "predicts the same: True" in capsys.readouterr().out


@pytest.mark.slow
def test_augmentation_trains_a_cnn_with_augmentation_layers():
    """Small size: 3 epochs on the static engine (measured 0.84; see the report for the full run)."""
    assert load("augmentation").main(epochs=3, engine="static", verbose=0) > 0.75
