"""The focal, generalized, Dice, Tversky, Circle and CTC losses against real Keras 3 on fixed inputs:
values under every reduction, with and without sample weights, and configs."""

import os

import numpy
import pytest

from kerasish import losses

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

RNG = numpy.random.default_rng(0)
BINARY = ((RNG.uniform(size=(6, 4)) > 0.5).astype(numpy.float32), RNG.uniform(0.05, 0.95, (6, 4)).astype(numpy.float32))
ONE_HOT = numpy.eye(4, dtype=numpy.float32)[RNG.integers(0, 4, 6)]
SCORES = RNG.uniform(0.05, 1.0, (6, 4)).astype(numpy.float32)
PROBABILITIES = (ONE_HOT, SCORES / SCORES.sum(-1, keepdims=True))
LABELS = (RNG.integers(0, 4, 6), PROBABILITIES[1])
_VECTORS = RNG.standard_normal((6, 5)).astype(numpy.float32)
EMBEDDINGS = (RNG.integers(0, 3, 6), _VECTORS / numpy.linalg.norm(_VECTORS, axis=-1, keepdims=True))
SEQUENCES = (
    numpy.array([[1, 2, 2, 0], [3, 1, 0, 0], [2, 2, 2, 1], [1, 0, 0, 0], [3, 3, 1, 2], [2, 0, 0, 0]]),
    RNG.standard_normal((6, 9, 4)).astype(numpy.float32),
)
WEIGHTS = RNG.uniform(0.1, 1.0, 6).astype(numpy.float32)

CASES = [
    ("BinaryFocalCrossentropy", {}, BINARY),
    (
        "BinaryFocalCrossentropy",
        dict(apply_class_balancing=True, alpha=0.4, gamma=3.0, from_logits=True, label_smoothing=0.1),
        (BINARY[0], BINARY[1] * 4 - 2),
    ),
    ("CategoricalFocalCrossentropy", {}, PROBABILITIES),
    ("CategoricalFocalCrossentropy", dict(from_logits=True, label_smoothing=0.2, alpha=0.5, gamma=1.0), PROBABILITIES),
    ("CategoricalGeneralizedCrossEntropy", dict(q=0.7), LABELS),
    ("Dice", dict(axis=(1,)), BINARY),
    ("Tversky", dict(alpha=0.3, beta=0.7, axis=(1,)), BINARY),
    ("Circle", {}, EMBEDDINGS),
    ("Circle", dict(gamma=10.0, margin=0.3, remove_diagonal=False), EMBEDDINGS),
    # seconds of JAX compilation; tests/ops/test_ctc.py compares the CTC loss with Keras's on both engines
    pytest.param("CTC", {}, SEQUENCES, marks=pytest.mark.slow),
]
CASE_IDS = [f"{getattr(case, 'values', case)[0]}-{index}" for index, case in enumerate(CASES)]
REDUCTIONS = ["sum_over_batch_size", "sum", None, "mean_with_sample_weight"]


@pytest.mark.slow
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, kwargs, data", CASES, ids=CASE_IDS)
def test_values_match_keras(name, kwargs, data, reduction, weighted):
    weights = WEIGHTS if weighted else None
    expected = numpy.asarray(getattr(keras.losses, name)(reduction=reduction, **kwargs)(*data, sample_weight=weights))
    got = getattr(losses, name)(reduction=reduction, **kwargs)(*data, sample_weight=weights).numpy()
    numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["Dice", "Tversky"])
def test_whole_batch_overlap_matches_keras(name):
    expected = numpy.asarray(getattr(keras.losses, name)()(*BINARY))
    numpy.testing.assert_allclose(getattr(losses, name)()(*BINARY).numpy(), expected, rtol=1e-6)


@pytest.mark.slow  # test_circle_with_reference_embeddings checks the same loss against its formula
def test_circle_with_reference_embeddings_matches_keras():
    reference_labels, reference = EMBEDDINGS[0][::-1].copy(), EMBEDDINGS[1][::-1].copy()
    kwargs = dict(ref_labels=reference_labels, ref_embeddings=reference, gamma=6.0)
    expected = numpy.asarray(keras.losses.circle(*EMBEDDINGS, **kwargs))
    numpy.testing.assert_allclose(losses.circle(*EMBEDDINGS, **kwargs).numpy(), expected, rtol=1e-5)


@pytest.mark.parametrize("name, kwargs, data", CASES, ids=CASE_IDS)
def test_configs_match_keras(name, kwargs, data):
    theirs = getattr(keras.losses, name)(**kwargs).get_config()
    ours = getattr(losses, name)(**kwargs).get_config()
    assert ours == theirs
    # a config Keras wrote builds the same loss here
    assert getattr(losses, name).from_config(theirs).get_config() == theirs
