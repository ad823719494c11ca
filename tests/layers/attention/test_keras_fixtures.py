"""Attention layers and EinsumDense against fixtures written by real Keras 3 (tests/fixtures/
make_attention_fixtures.py): with Keras's weights, the outputs and the gradients of a fixed projection of
the outputs, with respect to the inputs and the trainable weights, match on both engines."""

import json
import os

import numpy
import pytest

import kerasish
from kerasish import layers, ops
from kerasish.backends.dynamic import Tensor

HERE = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "attention")
CASES = sorted(name[: -len(".npz")] for name in os.listdir(HERE) if name.endswith(".npz"))


def load(name):
    with numpy.load(os.path.join(HERE, f"{name}.npz")) as data:
        return json.loads(str(data["case"])), {key: data[key] for key in data.files if key != "case"}


def numbered(arrays, prefix):
    count = sum(1 for key in arrays if key.startswith(prefix) and key[len(prefix) :].isdigit())
    return [arrays[f"{prefix}{i}"] for i in range(count)]


def call_masks(case, arrays):
    masks = {}
    for key, present in case["masks"].items():
        if present is None:
            masks[key] = arrays[f"mask_{key}"]
        else:
            masks[key] = [arrays[f"mask_{key}_{i}"] if there else None for i, there in enumerate(present)]
    return masks


def grouped(case, flat):
    flat = iter(flat)
    return [[next(flat) for _ in range(size)] if size else next(flat) for size in case["inputs"]]


def as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def test_every_fixture_case_is_listed():
    assert len(CASES) == 17


@pytest.mark.parametrize("name", CASES)
def test_outputs_and_gradients_match_keras(name, engine):
    case, arrays = load(name)
    layer = getattr(layers, case["class_name"])(**case["arguments"])
    inputs = numbered(arrays, "input_")
    masks, flags = call_masks(case, arrays), case["flags"]
    layer(*grouped(case, inputs), **flags, **masks)
    layer.set_weights(numbered(arrays, "weight_"))
    directions = numbered(arrays, "direction_")
    variables = layer.trainable_weights

    def outputs_and_gradients(*xs):
        with kerasish.GradientTape() as tape:
            tape.watch(list(xs))
            outputs = as_list(layer(*grouped(case, xs), **flags, **masks))
            loss = sum(ops.sum(ops.multiply(y, d)) for y, d in zip(outputs, directions))
        return outputs, tape.gradient(loss, list(xs) + variables)

    if engine == "static":
        outputs, gradients = kerasish.function(outputs_and_gradients, engine="static")(*inputs)
    else:
        outputs, gradients = outputs_and_gradients(*[Tensor(x) for x in inputs])
    for ours, theirs in zip(outputs, numbered(arrays, "output_"), strict=True):
        numpy.testing.assert_allclose(numpy.asarray(ours), theirs, rtol=1e-5, atol=1e-5)
    expected = numbered(arrays, "grad_input_") + numbered(arrays, "grad_weight_")
    assert len(gradients) == len(expected)
    for ours, theirs in zip(gradients, expected):
        numpy.testing.assert_allclose(numpy.asarray(ours), theirs, rtol=1e-4, atol=1e-4)
