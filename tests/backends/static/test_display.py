"""Graph pictures (Graphviz text) and the plan summary."""

import numpy

from kerasish import ops
from kerasish.backends import static


def test_graph_to_dot_lists_every_node_and_edge():
    graph = static.Graph(name="picture")
    with graph.as_default():
        x = static.placeholder((None, 3), name="x")
        w = static.variable(numpy.ones(3, "float32"), name="w_dot")
        y = ops.exp(x * w) + 2.0
    dot = graph.to_dot()
    assert dot.startswith('digraph "picture" {') and dot.rstrip().endswith("}")
    assert "x\\nplaceholder (?, 3) float32" in dot
    assert "w_dot\\nvariable (3,) float32" in dot
    assert f"n{id(x)} -> n{id(y.inputs[0].inputs[0])}" in dot
    assert 'label="2.0", shape=plaintext' in dot


def test_plan_summary_shows_steps_fused_chains_and_updates():
    x = static.placeholder((4,), name="x")
    w = static.variable(numpy.ones(4, "float32"), name="w_summary")
    loss = ops.sum(ops.tanh(x * w + 1.0))
    fn = static.function([x], loss, updates=[(w, w - 0.1 * static.gradients(loss, w))], name="step")
    lines = []
    text = fn.summary(print_fn=lines.append)
    assert text.splitlines()[0].startswith("step:") and lines[0] == text.splitlines()[0]
    assert "fused_elementwise" in text and "multiply(in0, in1)" in text and "add(chain, in2)" in text
    assert "updates: w_summary <- s" in text and "into s" in text
    assert "digraph" in fn.to_dot()
