"""ops.ctc_loss and ops.ctc_decode: against brute-force references, real Keras 3 and torch's ctc_loss
on fixed inputs, on both engines; the loss's gradient against finite differences and torch; training
with the CTC loss; bad input."""

import functools
import os

import numpy
import pytest

import kerasish
from kerasish import layers, losses, ops
from kerasish.utils import gradcheck
from tests.backends.cases.ctc import beam_reference, ctc_loss_reference, greedy_reference

RNG = numpy.random.default_rng(0)
LOGITS = RNG.standard_normal((4, 8, 5)).astype(numpy.float32)
TARGET = numpy.array([[1, 2, 2, 3], [4, 1, 0, 0], [3, 3, 3, 0], [2, 4, 1, 1]], dtype=numpy.int32)
TARGET_LENGTH = numpy.array([4, 2, 3, 4], dtype=numpy.int32)
OUTPUT_LENGTH = numpy.array([8, 6, 7, 8], dtype=numpy.int32)
ARGUMENTS = (TARGET, LOGITS, TARGET_LENGTH, OUTPUT_LENGTH)


def run(engine, fn, *arrays):
    result = kerasish.function(lambda *inputs: fn(*inputs), engine=engine)(*arrays)
    return tuple(numpy.asarray(r) for r in result) if isinstance(result, tuple) else numpy.asarray(result)


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


def test_loss_matches_the_sum_over_every_path(engine):
    # 3 classes, 4 frames: 81 paths per sequence, enumerated
    logits = RNG.standard_normal((3, 4, 3))
    target = numpy.array([[1, 2, 0], [2, 2, 1], [1, 0, 0]], dtype=numpy.int32)
    target_length, output_length = numpy.array([2, 3, 1], numpy.int32), numpy.array([4, 4, 2], numpy.int32)
    got = run(engine, ops.ctc_loss, target, logits.astype(numpy.float32), target_length, output_length)
    expected = ctc_loss_reference(target, logits, target_length, output_length)
    numpy.testing.assert_allclose(got, expected, rtol=1e-5)


def test_loss_keeps_float64_and_float32():
    assert ops.ctc_loss(*ARGUMENTS).dtype == numpy.float32
    float64 = kerasish.backends.dynamic.Tensor(LOGITS.astype(numpy.float64))
    assert ops.ctc_loss(TARGET, float64, TARGET_LENGTH, OUTPUT_LENGTH).dtype == numpy.float64


def test_gradient_matches_finite_differences():
    target = TARGET[:, :3].copy()
    lengths = numpy.array([3, 2, 3, 2], numpy.int32)
    assert gradcheck(
        lambda logits: ops.ctc_loss(target, logits, lengths, OUTPUT_LENGTH - 2, mask_index=0),
        [LOGITS[:, :6].astype(numpy.float64)],
    )


def _labels_without_the_blank(mask_index):
    return numpy.where(TARGET == mask_index, (mask_index + 1) % 5, TARGET)


@functools.cache
def _keras_loss(mask_index):
    """Keras's CTC loss, computed once per blank index (each call costs seconds of JAX compilation)."""
    labels = _labels_without_the_blank(mask_index)
    return numpy.asarray(_keras().ops.ctc_loss(labels, LOGITS, TARGET_LENGTH, OUTPUT_LENGTH, mask_index=mask_index))


# the blank at 0 is Keras's default, which the exact sum over every path covers fast on both engines
@pytest.mark.parametrize("mask_index", [pytest.param(0, marks=pytest.mark.slow), 4])
def test_loss_matches_keras(engine, mask_index):
    arguments = (_labels_without_the_blank(mask_index), LOGITS, TARGET_LENGTH, OUTPUT_LENGTH)
    expected = _keras_loss(mask_index)
    got = run(engine, lambda *inputs: ops.ctc_loss(*inputs, mask_index=mask_index), *arguments)
    numpy.testing.assert_allclose(got, expected, rtol=1e-5)


def test_labels_too_long_for_their_frames_give_keras_large_finite_loss():
    keras = _keras()
    target = numpy.array([[1, 1, 1, 1]] * 4, numpy.int32)
    output_length = numpy.array([3, 8, 5, 6], numpy.int32)
    arguments = (target, LOGITS, TARGET_LENGTH.clip(4, 4), output_length)
    expected = numpy.asarray(keras.ops.ctc_loss(*arguments))
    got = ops.ctc_loss(*arguments).numpy()
    numpy.testing.assert_allclose(got, expected, rtol=1e-5)
    assert numpy.all(numpy.isfinite(got)) and got[0] > 1e4


@pytest.mark.slow  # importing torch takes seconds; the finite-difference and Keras tests above cover it
def test_loss_and_gradient_match_torch():
    torch = pytest.importorskip("torch")
    logits = torch.tensor(LOGITS.astype(numpy.float64), requires_grad=True)
    expected = torch.nn.functional.ctc_loss(
        torch.log_softmax(logits, -1).transpose(0, 1),
        torch.tensor(TARGET).long(),
        torch.tensor(OUTPUT_LENGTH).long(),
        torch.tensor(TARGET_LENGTH).long(),
        blank=0,
        reduction="none",
    )
    weights = numpy.arange(1.0, 5.0)
    (expected * torch.tensor(weights)).sum().backward()
    ours = kerasish.backends.dynamic.Tensor(LOGITS.astype(numpy.float64))
    with kerasish.GradientTape() as tape:
        tape.watch(ours)
        loss = ops.ctc_loss(TARGET, ours, TARGET_LENGTH, OUTPUT_LENGTH)
        total = ops.sum(loss * weights)
    numpy.testing.assert_allclose(loss.numpy(), expected.detach().numpy(), rtol=1e-9)
    numpy.testing.assert_allclose(numpy.asarray(tape.gradient(total, ours)), logits.grad.numpy(), atol=1e-9)


def test_frames_past_the_output_length_get_no_gradient():
    logits = kerasish.backends.dynamic.Tensor(LOGITS)
    with kerasish.GradientTape() as tape:
        tape.watch(logits)
        total = ops.sum(ops.ctc_loss(*ARGUMENTS[:1], logits, *ARGUMENTS[2:]))
    gradient = numpy.asarray(tape.gradient(total, logits))
    assert numpy.all(gradient[1, 6:] == 0) and numpy.all(gradient[2, 7:] == 0)
    numpy.testing.assert_allclose(gradient[0].sum(-1), 0.0, atol=1e-5)  # softmax - occupancy sums to 0


def test_training_with_the_ctc_loss_agrees_between_engines():
    """A Dense layer over frames trained with losses.CTC: the same losses, step by step, on both engines."""
    rng = numpy.random.default_rng(3)
    frames = rng.standard_normal((8, 10, 6)).astype(numpy.float32)
    labels = numpy.array([[1, 2, 3, 0], [2, 2, 0, 0], [3, 1, 2, 1]] * 3, numpy.int32)[:8]
    histories = []
    for engine in ("dynamic", "static"):
        kerasish.utils.set_random_seed(0)
        model = kerasish.Sequential([kerasish.Input((10, 6)), layers.Dense(4)])
        model.compile(optimizer=kerasish.optimizers.Adam(0.05), loss=losses.CTC(), backend=engine)
        histories.append(model.fit(frames, labels, epochs=4, batch_size=4, shuffle=False, verbose=0).history["loss"])
    numpy.testing.assert_allclose(histories[0], histories[1], rtol=1e-4)
    assert histories[0][-1] < histories[0][0]


@pytest.mark.parametrize("merge_repeated", [True, False])
def test_greedy_decoding(engine, merge_repeated):
    paths, scores = run(engine, lambda x, n: ops.ctc_decode(x, n, merge_repeated=merge_repeated), LOGITS, OUTPUT_LENGTH)
    assert paths.shape == (1, 4, 8) and paths.dtype == numpy.int32 and scores.shape == (4, 1)
    if merge_repeated:
        numpy.testing.assert_array_equal(paths, greedy_reference(LOGITS, OUTPUT_LENGTH))
    best = LOGITS.max(-1) * (numpy.arange(8)[None, :] < OUTPUT_LENGTH[:, None])
    numpy.testing.assert_allclose(scores[:, 0], -best.sum(-1), rtol=1e-6)


def test_beam_search_finds_the_most_probable_label_sequences(engine):
    logits, lengths = RNG.standard_normal((3, 5, 3)).astype(numpy.float32), numpy.array([5, 3, 4], numpy.int32)
    decode = lambda x, n: ops.ctc_decode(x, n, strategy="beam_search", beam_width=64, top_paths=3)  # noqa: E731
    paths, scores = run(engine, decode, logits, lengths)
    expected_paths, expected_scores = beam_reference(logits, lengths, 3)
    numpy.testing.assert_array_equal(paths, expected_paths)
    numpy.testing.assert_allclose(scores, expected_scores, rtol=1e-5)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(merge_repeated=False),
        dict(mask_index=2),
        # Keras compiles its beam search for seconds; the brute-force test above covers ours in the fast tier
        pytest.param(dict(strategy="beam_search", beam_width=6, top_paths=3), marks=pytest.mark.slow),
        pytest.param(dict(strategy="beam_search", beam_width=3, mask_index=4), marks=pytest.mark.slow),
    ],
    ids=["greedy", "greedy-unmerged", "greedy-mask2", "beam-top3", "beam-narrow-mask4"],
)
def test_decoding_matches_keras(kwargs):
    keras = _keras()
    expected_paths, expected_scores = keras.ops.ctc_decode(LOGITS, OUTPUT_LENGTH, **kwargs)
    paths, scores = ops.ctc_decode(LOGITS, OUTPUT_LENGTH, **kwargs)
    numpy.testing.assert_array_equal(paths.numpy(), numpy.asarray(expected_paths))
    numpy.testing.assert_allclose(scores.numpy(), numpy.asarray(expected_scores), rtol=1e-5)


def test_decoding_on_keras_tensors_gives_keras_shapes():
    inputs, lengths = kerasish.Input((7, 5)), kerasish.Input((), dtype="int32")
    paths, scores = ops.ctc_decode(inputs, lengths, strategy="beam_search", top_paths=2)
    assert tuple(paths.shape) == (2, None, 7) and tuple(scores.shape) == (None, 2)
    assert tuple(ops.ctc_loss(kerasish.Input((3,), dtype="int32"), inputs, lengths, lengths).shape) == (None,)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: ops.ctc_loss(TARGET[0], LOGITS, TARGET_LENGTH, OUTPUT_LENGTH), r"`target` must have shape .*\(4,\)"),
        (
            lambda: ops.ctc_loss(TARGET, LOGITS[:3], TARGET_LENGTH, OUTPUT_LENGTH),
            r"same batch size.*output.shape=\(3, 8, 5\)",
        ),
        (lambda: ops.ctc_loss(*ARGUMENTS, mask_index=5), r"mask_index=5 is not a class.*num_classes=5"),
        (lambda: ops.ctc_decode(LOGITS, OUTPUT_LENGTH, strategy="best"), "Invalid strategy best"),
        (lambda: ops.ctc_decode(LOGITS, OUTPUT_LENGTH, strategy="beam_search", beam_width=0), "beam_width"),
        (
            lambda: ops.ctc_decode(LOGITS, OUTPUT_LENGTH, strategy="beam_search", beam_width=2, top_paths=3),
            r"top_paths` \(3\) cannot be larger than `beam_width` \(2\)",
        ),
        (lambda: ops.ctc_decode(LOGITS[0], OUTPUT_LENGTH), r"inputs.shape=\(8, 5\)"),
        (lambda: losses.ctc(TARGET[:, :, None], LOGITS), r"y_true.shape=\(4, 4, 1\)"),
    ],
    ids=["rank", "batch", "mask-index", "strategy", "beam-width", "top-paths", "decode-rank", "loss-rank"],
)
def test_bad_arguments_are_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "arguments, message",
    [
        (
            (TARGET, LOGITS, numpy.array([4, 5, 1, 1], numpy.int32), OUTPUT_LENGTH),
            r"target_length 5 is outside \[0, 4\]",
        ),
        (
            (TARGET, LOGITS, TARGET_LENGTH, numpy.array([8, 9, 1, 1], numpy.int32)),
            r"output_length 9 is outside \[0, 8\]",
        ),
        ((numpy.where(TARGET == 4, 7, TARGET), LOGITS, TARGET_LENGTH, OUTPUT_LENGTH), r"label 7 is not a class"),
    ],
    ids=["target-length", "output-length", "label"],
)
def test_bad_values_are_errors_on_both_engines(engine, arguments, message):
    with pytest.raises(ValueError, match=message):
        run(engine, ops.ctc_loss, *arguments)


def test_padding_labels_past_the_target_length_are_free():
    padded = numpy.where(numpy.arange(4)[None, :] < TARGET_LENGTH[:, None], TARGET, -1).astype(numpy.int32)
    numpy.testing.assert_allclose(ops.ctc_loss(padded, *ARGUMENTS[1:]).numpy(), ops.ctc_loss(*ARGUMENTS).numpy())
