"""The fused LSTM/GRU recurrences (`lstm_sequence`, `gru_sequence`) export as a Scan whose body is the cell's
step in ONNX nodes; onnxruntime matches `predict` on both engines."""

import os

import pytest

onnx = pytest.importorskip("onnx", reason="ONNX export tests need the `onnx` package (pip install 'kerasish[onnx]')")
pytest.importorskip("onnxruntime")

import kerasish  # noqa: E402
from kerasish import layers  # noqa: E402
from tests.export.test_onnx_export import export_and_compare, images, randomize  # noqa: E402

FUSED = {
    "lstm_states": (lambda: layers.LSTM(6, go_backwards=True, return_sequences=True), "lstm_sequence"),
    "gru_sequences": (lambda: layers.GRU(5, return_sequences=True), "gru_sequence"),
}


@pytest.mark.parametrize("name", sorted(FUSED))
def test_fused_recurrence_exports_as_a_scan_of_the_cell_step(name, engine, tmp_path):
    make, primitive = FUSED[name]
    model = kerasish.Sequential([kerasish.Input((5, 4)), make(), layers.Dense(2)])
    randomize(model)
    export_and_compare(model, images((3, 5, 4)), engine, tmp_path)
    scans = [node for node in onnx.load(os.path.join(tmp_path, "model.onnx")).graph.node if node.op_type == "Scan"]
    assert [scan.name.startswith(primitive) for scan in scans] == [True]
    body = next(attribute.g for attribute in scans[0].attribute if attribute.name == "body")
    assert {"MatMul", "Split", "Sigmoid", "Tanh", "Concat"} <= {node.op_type for node in body.node}
