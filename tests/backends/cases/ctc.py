"""Cases for the CTC ops. The references enumerate every frame-level path of tiny inputs (K ** T of
them): a path's probability is the product of its frames' softmax probabilities, and it collapses
(repeats merged, blanks dropped) to one label sequence."""

import itertools

import numpy

from kerasish import ops

from . import Case, randn

TARGET = numpy.array([[1, 2, 0], [2, 2, 1], [1, 0, 0]], dtype=numpy.int32)
TARGET_LENGTH = numpy.array([2, 3, 1], dtype=numpy.int32)
OUTPUT_LENGTH = numpy.array([4, 4, 2], dtype=numpy.int32)


def _softmax(x):
    e = numpy.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _collapse(path, blank):
    merged = [label for index, label in enumerate(path) if index == 0 or label != path[index - 1]]
    return tuple(label for label in merged if label != blank)


def _sequence_probabilities(logits, length, blank):
    """{label sequence: probability} over every path of the first `length` frames."""
    probabilities = _softmax(logits.astype(numpy.float64))[:length]
    found = {}
    for path in itertools.product(range(logits.shape[-1]), repeat=int(length)):
        labels = _collapse(path, blank)
        found[labels] = found.get(labels, 0.0) + numpy.prod([probabilities[t, k] for t, k in enumerate(path)])
    return found


def ctc_loss_reference(target, logits, target_length, output_length, blank=0):
    return numpy.array(
        [
            -numpy.log(
                _sequence_probabilities(logits[b], output_length[b], blank)[tuple(target[b, : target_length[b]])]
            )
            for b in range(len(target))
        ]
    )


def greedy_reference(logits, lengths, blank=0):
    paths = numpy.full((1,) + logits.shape[:2], -1)
    for b in range(len(logits)):
        labels = _collapse(list(logits[b, : lengths[b]].argmax(axis=-1)), blank)
        paths[0, b, : len(labels)] = labels
    return paths


def beam_reference(logits, lengths, top_paths, blank=0):
    """The most probable label sequences (exact: the beam is wider than every prefix of these sizes)."""
    paths, scores = numpy.full((top_paths,) + logits.shape[:2], -1), numpy.zeros((len(logits), top_paths))
    for b in range(len(logits)):
        ranked = sorted(_sequence_probabilities(logits[b], lengths[b], blank).items(), key=lambda item: -item[1])
        for rank, (labels, probability) in enumerate(ranked[:top_paths]):
            paths[rank, b, : len(labels)] = labels
            scores[b, rank] = numpy.log(probability)
    return paths, scores


LOGITS = randn(3, 4, 3, seed=2)

CASES = [
    Case(
        "ctc_loss",
        lambda target, logits, target_length, output_length: ops.ctc_loss(target, logits, target_length, output_length),
        [TARGET, LOGITS, TARGET_LENGTH, OUTPUT_LENGTH],
        ctc_loss_reference,
        covers=("ctc_loss_grad",),
    ),
    Case(
        "ctc_loss",
        lambda target, logits, target_length, output_length: ops.ctc_loss(
            target, logits, target_length, output_length, mask_index=2
        ),
        [TARGET - 1 + (TARGET == 0) * 2, LOGITS, TARGET_LENGTH, OUTPUT_LENGTH],
        lambda *arrays: ctc_loss_reference(*arrays, blank=2),
        id="ctc_loss-last-class-blank",
    ),
    Case(
        "ctc_decode_paths",
        lambda logits, lengths: ops.ctc_decode(logits, lengths)[0],
        [LOGITS, OUTPUT_LENGTH],
        greedy_reference,
        grad=False,
        id="ctc_decode-greedy",
    ),
    Case(
        "ctc_decode_paths",
        lambda logits, lengths: ops.ctc_decode(logits, lengths, strategy="beam_search", beam_width=50, top_paths=3)[0],
        [LOGITS, OUTPUT_LENGTH],
        lambda logits, lengths: beam_reference(logits, lengths, 3)[0],
        grad=False,
        id="ctc_decode-beam-paths",
    ),
    Case(
        "ctc_decode_scores",
        lambda logits, lengths: ops.ctc_decode(logits, lengths, strategy="beam_search", beam_width=50, top_paths=3)[1],
        [LOGITS, OUTPUT_LENGTH],
        lambda logits, lengths: beam_reference(logits, lengths, 3)[1],
        grad=False,
        id="ctc_decode-beam-scores",
    ),
]
