"""LayerNormalization in ONNX: ONNX's own LayerNormalization operator where the normalised axes run to the last
(the `moments` node it replaces is never emitted), the formula from the statistics otherwise; both run in
onnxruntime to within the export tolerance of kerasish's `predict` on both engines."""

import os

import pytest

onnx = pytest.importorskip("onnx", reason="ONNX export tests need the `onnx` package (pip install 'kerasish[onnx]')")
pytest.importorskip("onnxruntime", reason="ONNX export tests need `onnxruntime` (the test extra)")

import kerasish  # noqa: E402
from kerasish import layers  # noqa: E402
from tests.export.test_onnx_export import export_and_compare, randomize  # noqa: E402
from tests.layers.layer_checks import random_inputs  # noqa: E402


@pytest.mark.parametrize(
    "axis, options, operator",
    [
        (-1, {}, "LayerNormalization"),
        ([2, 3], {}, "LayerNormalization"),
        (-1, {"center": False}, "LayerNormalization"),
        (-1, {"scale": False, "center": False}, "LayerNormalization"),
        (1, {}, "ReduceMean"),
        ([1, 2], {"center": False}, "ReduceMean"),
        ([1, 3], {"scale": False}, "ReduceMean"),
    ],
)
def test_layer_normalization_exports(engine, tmp_path, axis, options, operator):
    shape = (3, 4, 5) if axis != [1, 3] else (3, 4, 2, 5)
    model = kerasish.Sequential([kerasish.Input(shape), layers.LayerNormalization(axis=axis, **options)])
    randomize(model)
    x = (random_inputs((2, *shape), dtype="float32") * 3 + 5).astype("float32")
    export_and_compare(model, x, engine, tmp_path)
    operators = {node.op_type for node in onnx.load(os.path.join(tmp_path, "model.onnx")).graph.node}
    assert operator in operators
    if operator == "LayerNormalization":
        assert "ReduceMean" not in operators, operators
