"""Every optimisation pass: the same results with it on and off, and it does what it says."""

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends import static
from kerasish.backends.primitives.convolution import biased_conv
from kerasish.backends.static.passes import NAMES


def _data(*shape, seed=0):
    return numpy.random.default_rng(seed).standard_normal(shape).astype(numpy.float32)


def _training_graph():
    """A step with constants, repeated subexpressions, identities, chains and updates."""
    x = static.placeholder((8, 4), name="x")
    w = static.variable(_data(4, seed=1), name="w")
    scale = static.constant(numpy.float32(2.0)) * static.constant(numpy.float32(0.5))
    hidden = ops.tanh(x * w * scale + 0.0)
    again = ops.tanh(x * w * scale + 0.0)
    unused = ops.exp(x)  # dead code
    loss = ops.sum(hidden * again) + ops.sum(ops.relu(hidden - 0.1))
    grad = static.gradients(loss, w)
    return [x], [loss, grad], [(w, w - 0.05 * grad)], unused


def _scan_graph():
    xs = static.placeholder((5, 3), name="xs")
    w = static.variable(numpy.full(3, 0.5, "float32"), name="w_scan")
    final, ys = ops.scan(lambda h, x: (ops.tanh(w * h + x) * 1.0, h * h), numpy.zeros(3, "float32"), xs)
    loss = ops.sum(ys) + ops.sum(final)
    grad = static.gradients(loss, w)
    return [xs], [loss, grad], [(w, w - 0.1 * grad)], None


def _attention_graph():
    """Two stacked attention calls (the second reads the first) trained through their queries, keys and values."""
    x = static.placeholder((2, 5, 4, 3), name="x_attention")
    w = static.variable(_data(3, seed=4), name="w_attention")
    first = ops.dot_product_attention(x * w, x, x + w)
    second = ops.dot_product_attention(first, x, first * w, is_causal=True)
    loss = ops.sum(ops.tanh(second))
    grad = static.gradients(loss, w)
    return [x], [loss, grad], [(w, w - 0.1 * grad)], None


def _normalized_convolution(x, name, filters=4, size=3, strides=1, activation=ops.relu):
    """A convolution with a bias, inference batch normalization and an activation, as ResNet's layers make it."""
    channels = x.shape[-1]
    kernel = static.variable(_data(size, size, channels, filters, seed=6) * 0.3, name=f"{name}_kernel")
    bias = static.variable(_data(filters, seed=7), name=f"{name}_bias")
    mean, offset = (static.variable(_data(filters, seed=s), name=f"{name}_{s}") for s in (8, 9))
    variance, scale = (static.variable(numpy.abs(_data(filters, seed=s)) + 0.5, name=f"{name}_{s}") for s in (10, 11))
    y = ops.conv(x, kernel, strides=strides, padding="same") + ops.reshape(bias, (1, 1, 1, filters))
    y = ops.batch_normalization(y, mean, variance, axis=-1, offset=offset, scale=scale, epsilon=1e-3)
    return y if activation is None else activation(y)


def _convolution_graph():
    """Inference: convolutions folded with their batch normalization, with and without an activation, a 1x1
    one, a convolution whose output is read twice (not folded), a Conv layer's (its bias in the product) read by
    an output and by a convolution with no bias and a ReLU."""
    x = static.placeholder((2, 6, 6, 3), name="x_image")
    y = _normalized_convolution(x, "first")
    y = _normalized_convolution(y, "pointwise", filters=5, size=1, activation=None)
    kernel = static.variable(_data(3, 3, 5, 2, seed=12), name="strided_kernel")
    strided = ops.conv(y, kernel, strides=2)
    bias = static.variable(_data(3, seed=14), name="layer_bias")
    layer = ops.relu(biased_conv(y, static.variable(_data(1, 1, 5, 3, seed=15), name="layer_kernel"), bias))
    unbiased = ops.relu(ops.conv(layer, static.variable(_data(3, 3, 3, 2, seed=16), name="unbiased_kernel")))
    return [x], [ops.sigmoid(strided + 1.0), strided * 2.0, layer, unbiased], [], None


GRAPHS = {
    "training": (_training_graph, [_data(8, 4, seed=2)]),
    "convolution": (_convolution_graph, [_data(2, 6, 6, 3, seed=13)]),
    "scan": (_scan_graph, [_data(5, 3, seed=3)]),
    "attention": (_attention_graph, [_data(2, 5, 4, 3, seed=5)]),
}


def _run(build, feeds, passes, calls=2):
    inputs, outputs, updates, _ = build()
    start = [v.numpy().copy() for v, _ in ((u[0].variable, None) for u in updates)]
    f = static.function(inputs, outputs, updates=updates, passes=passes)
    results = [[numpy.array(r) for r in f(*feeds)] for _ in range(calls)]
    for (target, _), value in zip(updates, start):
        target.variable.assign(value)
    return results, [u[0].variable.numpy().copy() for u in updates], f


@pytest.mark.parametrize("graph", sorted(GRAPHS))
@pytest.mark.parametrize("name", NAMES)
def test_same_results_with_the_pass_on_and_off(name, graph):
    build, feeds = GRAPHS[graph]
    on, _, _ = _run(build, feeds, None)
    off, _, _ = _run(build, feeds, {name: False})
    alone, _, _ = _run(build, feeds, [name])
    for a, b, c in zip(on, off, alone):
        for x, y, z in zip(a, b, c):
            numpy.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6)
            numpy.testing.assert_allclose(x, z, rtol=1e-5, atol=1e-6)


def _ops(f):
    return [step.node.op.name for step in f.plan.steps]


def test_dead_code_elimination_skips_unused_nodes():
    feeds = GRAPHS["training"][1]
    _, _, on = _run(_training_graph, feeds, ["dead_code"])
    _, _, off = _run(_training_graph, feeds, [])
    assert len(on.plan.steps) < len(off.plan.steps)
    assert "exp" in _ops(off) and "exp" not in _ops(on)


def test_common_subexpressions_and_constant_folding_shrink_the_plan():
    feeds = GRAPHS["training"][1]
    _, _, neither = _run(_training_graph, feeds, ["dead_code"])
    _, _, cse = _run(_training_graph, feeds, ["dead_code", "common_subexpressions"])
    _, _, folding = _run(_training_graph, feeds, ["dead_code", "constant_folding"])
    assert _ops(cse).count("tanh") == 1 < _ops(neither).count("tanh")
    assert len(folding.plan.steps) < len(neither.plan.steps)


def test_gradient_seeds_through_reshapes_and_indexing_fold_to_constants():
    x = static.placeholder((2, 6))
    loss = ops.sum(ops.reshape(x, (3, 4))) + ops.sum(x[:, 1:3])
    f = static.function([x], static.gradients(loss, x), passes=["dead_code", "constant_folding"])
    assert _ops(f) == []
    expected = numpy.ones((2, 6), "float32")
    expected[:, 1:3] += 1
    numpy.testing.assert_array_equal(f(numpy.zeros((2, 6), "float32")), expected)


def test_algebraic_simplification_removes_identities():
    x = static.placeholder((3,))
    y = ((x + 0.0) * 1.0 - 0.0) / 1.0
    f = static.function([x], ops.negative(ops.negative(ops.exp(y))), passes=["dead_code", "algebraic_simplification"])
    assert _ops(f) == ["exp"]
    numpy.testing.assert_allclose(f(numpy.ones(3, "float32")), numpy.exp(numpy.ones(3)), rtol=1e-6)


def test_simplification_keeps_broadcasting_and_promotion():
    x = static.placeholder((3,), "int32")
    f = static.function([x], x * 1.0, passes=["algebraic_simplification"])
    assert f(numpy.arange(3, dtype="int32")).dtype == numpy.float64 or _ops(f) == ["multiply"]
    row = static.placeholder((1, 3))
    g = static.function([row], row + numpy.zeros((2, 3), "float32"), passes=["algebraic_simplification"])
    assert g(numpy.ones((1, 3), "float32")).shape == (2, 3)


def test_elementwise_fusion_makes_one_kernel_per_chain_and_lowers_peak_memory():
    x = static.placeholder((256, 256))
    y = ops.tanh(ops.exp(x * 0.5) + 1.0) * 2.0 - 1.0
    fused = static.function([x], ops.sum(y), passes=["dead_code", "elementwise_fusion", "buffer_reuse"])
    plain = static.function([x], ops.sum(y), passes=["dead_code", "buffer_reuse"])
    assert _ops(fused) == ["fused_elementwise", "sum"]
    a = _data(256, 256)
    numpy.testing.assert_allclose(fused(a), plain(a), rtol=1e-5)
    assert fused.peak_memory(a) < plain.peak_memory(a)


def test_fusion_falls_back_when_a_broadcast_grows_the_chain():
    x, y = static.placeholder((None, 3)), static.placeholder((None, 3))
    f = static.function([x, y], ops.exp(x * 2.0) + y, passes=["elementwise_fusion"])
    got = f(numpy.ones((1, 3), "float32"), numpy.ones((4, 3), "float32"))
    numpy.testing.assert_allclose(got, numpy.exp(2.0) + numpy.ones((4, 3)), rtol=1e-6)


def test_buffer_reuse_frees_dead_intermediates():
    x = static.placeholder((128, 128))
    y = ops.exp(ops.tanh(ops.exp(ops.tanh(x))))
    freed = static.function([x], ops.sum(y), passes=["dead_code", "buffer_reuse"])
    kept = static.function([x], ops.sum(y), passes=["dead_code"])
    a = _data(128, 128)
    assert freed.peak_memory(a) < kept.peak_memory(a)
    assert "del " in freed.plan.source and "del " not in kept.plan.source


def test_inplace_update_writes_into_the_variable_storage():
    w = static.variable(numpy.ones(4, "float32"), name="w_inplace")
    x = static.placeholder((4,))
    g = static.gradients(ops.sum(w * x), w)
    storage = w.variable.value
    static.function([x], [], updates=[(w, w - 0.5 * g)])(numpy.ones(4, "float32"))
    assert w.variable.value is storage
    numpy.testing.assert_allclose(storage, [0.5] * 4)
    static.function([x], [], updates=[(w, w - 0.5 * g)], passes={"inplace_updates": False})(numpy.ones(4, "float32"))
    assert w.variable.value is not storage
    numpy.testing.assert_allclose(w.variable.numpy(), [0.0] * 4)


def test_inplace_update_waits_for_other_readers_of_the_old_value():
    a = static.variable(numpy.ones(2, "float32"), name="a_swap")
    b = static.variable(numpy.full(2, 2.0, "float32"), name="b_swap")
    f = static.function([], [], updates=[(a, b * 1.5 + 0.5), (b, a * 1.5 + 0.5)])
    f()
    numpy.testing.assert_allclose(a.variable.numpy(), [3.5, 3.5])
    numpy.testing.assert_allclose(b.variable.numpy(), [2.0, 2.0])


def test_matmul_bias_activation_fusion():
    x, w, b = static.placeholder((4, 3)), static.placeholder((3, 5)), static.placeholder((5,))
    y = ops.relu(ops.matmul(x, w) + b)
    fused = static.function([x, w, b], y, passes=["dead_code", "matmul_fusion"])
    plain = static.function([x, w, b], y, passes=["dead_code"])
    assert _ops(fused) == ["matmul_bias_activation"]
    feeds = [_data(4, 3), _data(3, 5, seed=1), _data(5, seed=2)]
    numpy.testing.assert_allclose(fused(*feeds), plain(*feeds), rtol=1e-6)


def test_attention_probabilities_are_computed_once_for_the_attention_and_its_gradient():
    feeds = GRAPHS["attention"][1]
    shared, _, on = _run(_attention_graph, feeds, ["dead_code", "common_subexpressions", "recomputed_residuals"])
    recomputed, _, off = _run(_attention_graph, feeds, ["dead_code", "common_subexpressions"])
    assert _ops(off).count("attention_probabilities") == 2 and _ops(off).count("dot_product_attention") == 2
    assert _ops(on).count("attention_probabilities") == 2 and "dot_product_attention" not in _ops(on)
    assert _ops(on).count("attention_values") == 2
    for a, b in zip(shared, recomputed):
        for x, y in zip(a, b):
            numpy.testing.assert_array_equal(x, y)


def test_attention_without_gradient_stays_one_primitive():
    x = static.placeholder((2, 5, 4, 3))
    f = static.function([x], ops.dot_product_attention(x, x, x))
    assert _ops(f) == ["dot_product_attention"]


def test_unknown_pass_name_is_refused():
    x = static.placeholder(())
    with pytest.raises(ValueError, match=r"Unknown optimisation pass\(es\) \['fusion'\]"):
        static.function([x], x, passes={"fusion": False})


def test_kerasish_function_passes_its_pass_choice():
    @kerasish.function(engine="static", passes=[])
    def double(x):
        return x * 2.0

    double(numpy.ones(2, "float32"))
    (trace,) = double.traces.values()
    assert trace.compiled.passes == set()


def test_inplace_update_waits_for_views_of_the_old_value():
    a = static.variable(numpy.ones(3, "float32"), name="a_view")
    b = static.variable(numpy.zeros(3, "float32"), name="b_view")
    pred = static.placeholder((), "bool")
    same = ops.cond(pred, lambda: a, lambda: ops.negative(a))  # may be the very buffer of a
    f = static.function([pred], ops.sum(same), updates=[(a, a * 2.0 + 1.0), (b, same * 3.0 + 1.0)])
    f(True)
    numpy.testing.assert_allclose(a.variable.numpy(), [3, 3, 3])
    numpy.testing.assert_allclose(b.variable.numpy(), [4, 4, 4])


def test_buffer_reuse_keeps_buffers_that_a_live_view_shares():
    x, pred = static.placeholder((4, 4)), static.placeholder((), "bool")
    first = ops.exp(x * 2.0)
    same = ops.cond(pred, lambda: first, lambda: ops.negative(first))  # may be first's buffer
    later = ops.tanh(x * 3.0 + 1.0)  # a candidate for first's buffer once first itself is dead
    f = static.function([x, pred], [ops.sum(same), ops.sum(later), ops.negative(same)])
    a = _data(4, 4)
    numpy.testing.assert_allclose(f(a, True)[2], -numpy.exp(2 * a), rtol=1e-5)


def test_product_epilogues_fold_inference_batch_normalization_into_the_convolution():
    inputs, outputs, _, _ = _convolution_graph()
    fused = static.function(inputs, outputs, passes=["dead_code", "product_epilogues"])
    plain = static.function(inputs, outputs, passes=["dead_code"])
    assert _ops(fused).count("product_epilogue") == 4 and "batch_normalization" not in _ops(fused)
    assert _ops(fused).count("windows_matmul") == 1  # the strided convolution read twice stays
    feeds = GRAPHS["convolution"][1]
    for a, b in zip(fused(*feeds), plain(*feeds)):
        numpy.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_product_epilogues_follow_new_variable_values_on_every_call():
    """The folded kernel and shift are computed from the variables' values at each call: assigning new moving
    statistics, a new kernel or writing them in place (a static training step's in-place update) between two
    calls changes the next output as the unfolded graph does."""
    x = static.placeholder((2, 6, 6, 3), name="x_image")
    y = _normalized_convolution(x, "changed")
    fused = static.function([x], y, passes=["dead_code", "product_epilogues"])
    plain = static.function([x], y, passes=["dead_code"])
    assert "product_epilogue" in _ops(fused)
    feeds = GRAPHS["convolution"][1]
    before = fused(*feeds)
    graph_variables = [n.variable for n in static.walk.topological([y]) if n.kind == "variable"]
    named = {v.name: v for v in graph_variables}
    named["changed_8"].assign(_data(4, seed=20))  # moving mean
    named["changed_10"].assign(numpy.abs(_data(4, seed=21)) + 2.0)  # moving variance
    after_statistics = fused(*feeds)
    numpy.testing.assert_allclose(after_statistics, plain(*feeds), rtol=1e-5, atol=1e-5)
    assert not numpy.allclose(after_statistics, before)
    named["changed_kernel"].assign(_data(3, 3, 3, 4, seed=22))
    after_kernel = fused(*feeds)
    numpy.testing.assert_allclose(after_kernel, plain(*feeds), rtol=1e-5, atol=1e-5)
    assert not numpy.allclose(after_kernel, after_statistics)
    kernel = named["changed_kernel"]
    factor = static.placeholder(())
    read = static.variable(kernel)
    storage = kernel.value
    static.function([factor], [], updates=[(kernel, read - factor * read)])(numpy.float32(0.5))
    assert kernel.value is storage  # written in place: the same array, new values
    numpy.testing.assert_allclose(fused(*feeds), plain(*feeds), rtol=1e-5, atol=1e-5)
    assert not numpy.allclose(fused(*feeds), after_kernel)


def test_product_epilogues_leave_batch_normalization_whose_input_the_gradient_reads():
    x = static.placeholder((2, 6, 6, 3), name="x_image")
    y = _normalized_convolution(x, "differentiated")
    scale = next(n for n in static.walk.topological([y]) if n.kind == "variable" and n.name.endswith("_11"))
    grad = static.gradients(ops.sum(y), scale)  # reads the normalization's input: the convolution's output
    fused = static.function([x], [y, grad], passes=["dead_code", "product_epilogues"])
    plain = static.function([x], [y, grad], passes=["dead_code"])
    assert "batch_normalization" in _ops(fused)  # only the bias joins the convolution
    assert [step.node.attrs["affine"] for step in fused.plan.steps if step.node.op.name == "product_epilogue"] == [None]
    feeds = GRAPHS["convolution"][1]
    for a, b in zip(fused(*feeds), plain(*feeds)):
        numpy.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
