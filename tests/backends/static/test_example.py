"""examples/static_graph.py: the TF1-style two-layer network trains (its loss falls)."""

import importlib.util
import os

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "static_graph.py")


def test_static_graph_example_loss_falls():
    spec = importlib.util.spec_from_file_location("static_graph", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    losses = module.main(steps=150, verbose=False)
    assert sum(losses[-10:]) / 10 < 0.3 * sum(losses[:10]) / 10
