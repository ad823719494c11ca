"""rearrange (backends/primitives/einops.py): Keras's results on both engines and errors that name the pattern."""

import numpy
import pytest

from kerasish import ops

from .engines import run
from .keras_parity import assert_matches_keras

IMAGES = numpy.random.default_rng(0).random((2, 4, 6, 3)).astype("float32")
PATTERNS = [
    ("b h w c -> b c h w", {}),
    ("b h w c -> (b h) w c", {}),
    ("b h w c -> h (b w) c", {}),
    ("b h w c -> b (c h w)", {}),
    ("b (h1 h) (w1 w) c -> (b h1 w1) h w c", {"h1": 2, "w1": 3}),
    ("b (h h1) (w w1) c -> b h w (c h1 w1)", {"h1": 2, "w1": 2}),
]


@pytest.mark.parametrize("pattern, lengths", PATTERNS)
def test_rearrange_matches_keras(pattern, lengths, engine):
    assert_matches_keras("rearrange", IMAGES, pattern, **lengths)
    got = run(engine, lambda t: ops.rearrange(t, pattern, **lengths), IMAGES)
    numpy.testing.assert_array_equal(got, ops.convert_to_numpy(ops.rearrange(IMAGES, pattern, **lengths)))


@pytest.mark.parametrize(
    "pattern, lengths, message",
    [
        ("b h w -> b h w", {}, r"names 3 input axes, but the tensor has shape \(2, 4, 6, 3\)"),
        ("b h w c -> b h w", {}, r"the axes \['c'\] appear on one side"),
        ("b h h c -> b h c", {}, "an axis is repeated on the input side"),
        ("b (h w c -> b h w c", {}, "unbalanced parentheses"),
        ("b (h1 h) w c -> b h1 h w c", {"h1": 3}, r"axis of size 4 cannot be split into \['h1', 'h'\]"),
        ("b h w c -> b w h c", {"q": 2}, r"axes_lengths names \['q'\]"),
        ("b h w c", {}, "the pattern must hold one '->'"),
    ],
)
def test_rearrange_errors_name_the_problem(pattern, lengths, message):
    with pytest.raises(ValueError, match=f"rearrange: .*{message}"):
        ops.rearrange(IMAGES, pattern, **lengths)
