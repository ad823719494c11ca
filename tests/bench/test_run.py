"""bench/run.py's interleaving, medians, spreads and RESULTS.md writing, and bench/numpy_limits.py's
recurrent steps checked against torch's gradients (no timings)."""

import numpy
import pytest

from kerasish.backends.kernels import blas
from tests.bench.scripts import RATE, WORKLOADS, data, numpy_limits, run


def test_rounds_interleave_the_runners_and_rotate_the_first_one():
    calls = []
    rounds, loads = run.interleaved_rounds(["a", "b", "c"], 4, lambda runner: calls.append(runner) or {"r": runner})
    assert calls == ["a", "b", "c", "b", "c", "a", "c", "a", "b", "a", "b", "c"]
    assert len(rounds) == 4 and all(set(r) == {"a", "b", "c"} for r in rounds)
    assert len(loads) == 4 and all(load >= 0 for load in loads)


def test_a_cell_is_the_median_rate_with_the_median_and_spread_of_the_per_round_ratios():
    rates = [(10.0, 5.0), (30.0, 10.0), (12.0, 4.0)]  # (kerasish, torch) per round: ratios 2, 3, 3
    rounds = [{"k": {"steps_per_second": k}, "torch": {"steps_per_second": t}} for k, t in rates]
    assert run.cell(rounds, "k") == "12.00 (3.00x, 2.00–3.00)"
    assert run.cell(rounds, "torch") == "5.00"
    rounds[1]["k"] = {"error": "boom"}
    assert run.cell(rounds, "k") == "n/a (boom)"


def test_writing_results_replaces_the_generated_part_and_keeps_the_rest(tmp_path):
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\n## Hand-written\n\nkept\n")
    run.write_results(str(path), ["| first |"])
    run.write_results(str(path), ["| second |"])
    text = path.read_text()
    assert text.count(run.BEGIN) == 1 and text.count(run.END) == 1
    assert "| second |" in text and "| first |" not in text
    assert text.startswith("# Benchmark results\n") and text.endswith("## Hand-written\n\nkept\n")


def test_the_header_names_numpys_blas_and_its_kernels(monkeypatch):
    class Probed:
        stdout = "numpy 2.0.0\n"

    monkeypatch.setattr(run.subprocess, "run", lambda *arguments, **options: Probed())
    monkeypatch.setattr(blas, "describe", lambda: "OpenBLAS 0.3.31, Haswell kernels")
    assert run._versions({}) == "numpy 2.0.0, numpy's BLAS OpenBLAS 0.3.31, Haswell kernels"
    monkeypatch.setattr(blas, "describe", lambda: None)
    assert run._versions({}) == "numpy 2.0.0"


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_the_numpy_recurrent_steps_take_torchs_gradients(name):
    torch = pytest.importorskip("torch")
    workload = WORKLOADS[name]
    x, y = data(workload, 4, 1)
    x = x[:, :6]
    parameters = numpy_limits.STEPS[name][0](workload, numpy.random.default_rng(0))
    rng = numpy.random.default_rng(1)
    parameters = {key: (rng.standard_normal(value.shape) * 0.1).astype("float32") for key, value in parameters.items()}
    units = parameters["recurrent"].shape[0]
    if name == "lstm":  # Keras and torch share the LSTM gate order; torch's GRU takes (r, z, n), Keras's (z, r, n)
        network, order = torch.nn.LSTM(32, units, batch_first=True), numpy.arange(4 * units)
    else:
        network = torch.nn.GRU(32, units, batch_first=True)
        order = numpy.concatenate(
            [numpy.arange(units, 2 * units), numpy.arange(units), numpy.arange(2 * units, 3 * units)]
        )
    dense = torch.nn.Linear(units, 10)
    recurrent_bias = parameters.get("recurrent_bias", numpy.zeros(len(order), "float32"))
    with torch.no_grad():
        network.weight_ih_l0.copy_(torch.tensor(parameters["kernel"][:, order].T))
        network.weight_hh_l0.copy_(torch.tensor(parameters["recurrent"][:, order].T))
        network.bias_ih_l0.copy_(torch.tensor(parameters["bias"][order]))
        network.bias_hh_l0.copy_(torch.tensor(recurrent_bias[order]))
        dense.weight.copy_(torch.tensor(parameters["w0"].T))
        dense.bias.copy_(torch.tensor(parameters["b0"]))
    logits = dense(network(torch.tensor(x))[0][:, -1])
    torch.nn.functional.cross_entropy(logits, torch.tensor(y)).backward()
    keras_order = numpy.argsort(order)  # torch's column j is Keras's column order[j]
    expected = {
        "kernel": network.weight_ih_l0.grad.numpy().T[:, keras_order],
        "recurrent": network.weight_hh_l0.grad.numpy().T[:, keras_order],
        "bias": network.bias_ih_l0.grad.numpy()[keras_order],
        "w0": dense.weight.grad.numpy().T,
        "b0": dense.bias.grad.numpy(),
    }
    if name == "gru":
        expected["recurrent_bias"] = network.bias_hh_l0.grad.numpy()[keras_order]
    before = {key: value.copy() for key, value in parameters.items()}
    numpy_limits.STEPS[name][1](parameters, x, y)
    for key, gradient in expected.items():
        taken = (before[key] - parameters[key]) / RATE
        numpy.testing.assert_allclose(taken, gradient, atol=1e-3 * abs(gradient).max(), err_msg=key)
