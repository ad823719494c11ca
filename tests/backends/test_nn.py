"""Neural-network ops beyond the per-primitive cases: second-order gradients, error messages, torch parity."""

import numpy
import pytest

from kerasish import ops
from kerasish.backends.dynamic import GradientTape, Tensor
from kerasish.backends.symbolic import KerasTensor
from kerasish.utils import gradcheck

from .cases import randn


def _gradient_of(function, wrt):
    """x, k -> d sum(function(x, k) ** 2) / d inputs[wrt], itself differentiable."""

    def gradient(*inputs):
        with GradientTape() as tape:
            tape.watch(inputs[wrt])
            y = function(*inputs)
            loss = ops.sum(y * y)
        return tape.gradient(loss, inputs[wrt])

    return gradient


@pytest.mark.parametrize("wrt", [0, 1])
def test_conv_gradients_differentiate_again(wrt):
    conv = _gradient_of(lambda x, k: ops.conv(x, k, strides=2, padding="same"), wrt)
    assert gradcheck(conv, [randn(1, 4, 3, 2), randn(2, 2, 2, 2, seed=1)])


@pytest.mark.parametrize("wrt", [0, 1])
@pytest.mark.parametrize(
    "padding, dilation_rate, data_format", [("same", 1, "channels_last"), ("valid", (2, 1), "channels_first")]
)
def test_stride_one_conv_gradients_differentiate_again(wrt, padding, dilation_rate, data_format):
    # stride 1: the input gradient is a convolution of the output gradient with the flipped kernel
    conv = _gradient_of(
        lambda x, k: ops.conv(x, k, padding=padding, dilation_rate=dilation_rate, data_format=data_format), wrt
    )
    assert gradcheck(
        conv, [randn(1, 2, 5, 4) if data_format == "channels_first" else randn(1, 5, 4, 2), randn(3, 2, 2, 3, seed=1)]
    )


@pytest.mark.parametrize("wrt", [0, 1])
@pytest.mark.parametrize("strides, multiplier", [(2, 2), (1, 1)])
def test_depthwise_conv_gradients_differentiate_again(wrt, strides, multiplier):
    depthwise = _gradient_of(lambda x, k: ops.depthwise_conv(x, k, strides=strides, padding="same"), wrt)
    assert gradcheck(depthwise, [randn(1, 5, 4, 2), randn(3, 2, 2, multiplier, seed=1)])


def test_conv_transpose_gradients_differentiate_again():
    transpose = _gradient_of(lambda x, k: ops.conv_transpose(x, k, strides=2, padding="same"), 1)
    assert gradcheck(transpose, [randn(1, 2, 3, 2), randn(3, 2, 2, 2, seed=1)])


def test_pool_gradients_differentiate_again():
    pools = _gradient_of(lambda x: ops.max_pool(x, 2, 1, "same") + ops.average_pool(x, 2, 1, "same"), 0)
    assert gradcheck(pools, [randn(1, 3, 3, 2)])


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_non_overlapping_max_pool_gradients_differentiate_again(data_format):
    pool = _gradient_of(lambda x: ops.tanh(ops.max_pool(x, 2, data_format=data_format)), 0)
    assert gradcheck(pool, [randn(2, 5, 4, 3)])


def test_batch_normalization_with_batch_statistics_differentiates_again():
    def normalize(x, scale):
        return ops.batch_normalization(x, *ops.moments(x, axes=(0, 1)), axis=-1, scale=scale)

    assert gradcheck(_gradient_of(normalize, 0), [randn(3, 2, 2), randn(2, seed=1)])


def test_softmax_crossentropy_gradients_differentiate_again():
    loss = _gradient_of(lambda t, x: ops.categorical_crossentropy(t, x, from_logits=True), 1)
    assert gradcheck(loss, [numpy.array([[0.2, 0.8, 0.0]]), randn(1, 3)])


def _t(*shape):
    return Tensor(numpy.zeros(shape, numpy.float32))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: ops.conv(_t(1, 5, 5, 3), _t(3, 3, 2, 4)), r"conv: the input's 3 channels must be a multiple"),
        (lambda: ops.conv(_t(1, 5, 5, 4), _t(3, 3, 2, 3)), r"conv: the kernel's 3 filters must be a multiple of the 2"),
        (
            lambda: ops.conv(_t(5, 5, 3), _t(3, 3, 3, 4)),
            r"conv: a kernel of shape \(3, 3, 3, 4\) needs an input of rank 4",
        ),
        (lambda: ops.conv(_t(1, 2, 2, 3), _t(3, 3, 3, 4)), r"conv: a window of size \(3, 3\).*does not fit"),
        (
            lambda: ops.conv(_t(1, 5, 5, 3), _t(3, 3, 3, 4), padding="full"),
            r"conv: `padding` must be 'valid' or 'same'",
        ),
        (lambda: ops.conv(_t(1, 5, 5, 3), _t(3, 3, 3, 4), strides=(1, 2, 3)), r"conv: `strides` must be"),
        (lambda: ops.conv(_t(1, 5, 5, 3), _t(3, 3, 3, 4), data_format="nhwc"), r"Unknown data_format 'nhwc'"),
        (lambda: ops.depthwise_conv(_t(1, 5, 5, 3), _t(3, 3, 2, 1)), r"depthwise_conv: the input's channels \(3\)"),
        (lambda: ops.conv_transpose(_t(1, 5, 5, 3), _t(3, 3, 4, 2)), r"conv_transpose: the input's channels \(3\)"),
        (lambda: ops.conv_transpose(_t(1, 5, 5, 2), _t(3, 3, 4, 2), output_padding=-1), r"`output_padding` must be"),
        (lambda: ops.max_pool(_t(1, 2, 2, 3), 3), r"max_pool: a window of size \(3, 3\).*does not fit"),
        (lambda: ops.average_pool(_t(4, 3), 2), r"average_pool: expected an input of rank 3 or more"),
        (lambda: ops.max_pool(_t(1, 4, 4, 3), 0), r"max_pool: `pool_size` must be a positive int"),
        (lambda: ops.adaptive_average_pool(_t(1, 4, 4, 3), (2, 2, 2)), r"adaptive_average_pool: `output_size` must"),
        (lambda: ops.categorical_crossentropy(_t(2, 3), _t(2, 4)), r"categorical_crossentropy: .* same shape"),
        (lambda: ops.categorical_crossentropy(_t(2, 3), _t(2, 4), from_logits=True), r"same shape"),
        (lambda: ops.binary_crossentropy(_t(2, 3), _t(3, 2)), r"binary_crossentropy: .* same shape"),
        (lambda: ops.sparse_categorical_crossentropy(Tensor(numpy.zeros(3, int)), _t(2, 4)), r"up until the last"),
        (lambda: ops.one_hot(Tensor(numpy.zeros(3, int)), 0), r"one_hot: num_classes must be a positive int"),
        (lambda: ops.batch_normalization(_t(2, 3), _t(4), _t(3), axis=-1), r"`mean` must be a vector of length"),
        (lambda: ops.moments(_t(2, 3), axes=5), r"axis 5 is out of bounds"),
    ],
)
def test_bad_input_names_the_op_and_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_softmax_over_a_size_one_axis_warns_like_keras():
    with pytest.warns(UserWarning, match="has size 1"):
        ops.softmax(_t(3, 1))


def test_large_logits_stay_finite():
    logits = Tensor(numpy.array([[1e4, -1e4, 0.0]], numpy.float32))
    target = Tensor(numpy.array([[0.0, 1.0, 0.0]], numpy.float32))
    with GradientTape() as tape:
        tape.watch(logits)
        loss = ops.categorical_crossentropy(target, logits, from_logits=True)
    assert numpy.isfinite(loss.numpy()).all() and numpy.isfinite(tape.gradient(loss, logits).numpy()).all()


@pytest.mark.parametrize("strides, padding, output_padding", [(2, "valid", None), (3, "valid", 1), (1, "same", None)])
def test_conv_transpose_matches_torch(strides, padding, output_padding):
    torch = pytest.importorskip("torch")
    x, kernel = randn(2, 4, 5, 3).astype(numpy.float32), randn(3, 3, 2, 3, seed=1).astype(numpy.float32)
    ours = ops.conv_transpose(Tensor(x), Tensor(kernel), strides, padding, output_padding).numpy()
    extra = max(3, strides) - 3 if output_padding is None else output_padding
    theirs = torch.nn.functional.conv_transpose2d(
        torch.from_numpy(x.transpose(0, 3, 1, 2)),
        torch.from_numpy(kernel.transpose(3, 2, 0, 1)),
        stride=strides,
        padding=1 if padding == "same" else 0,
        output_padding=extra,
    ).numpy()
    numpy.testing.assert_allclose(ours, theirs.transpose(0, 2, 3, 1), atol=1e-5)


@pytest.mark.parametrize(
    "pool, strides", [(3, 2), (2, 2), ((2, 3), (2, 3))], ids=["overlapping", "blocks", "blocks-2x3"]
)
@pytest.mark.parametrize("ties", [False, True])
def test_max_pool_gradient_matches_torch(ties, pool, strides):
    torch = pytest.importorskip("torch")
    x = randn(2, 7, 8, 3).astype(numpy.float32)
    if ties:  # a ReLU-like input: whole windows of equal zeros; the gradient goes to the first one
        x = numpy.maximum(numpy.round(x), 0)
    tensor = Tensor(x)
    with GradientTape() as tape:
        tape.watch(tensor)
        ours = ops.max_pool(tensor, pool, strides, "valid")
    gradient = tape.gradient(ours, tensor, output_gradients=ours)
    theirs = torch.from_numpy(x.transpose(0, 3, 1, 2)).requires_grad_()
    pooled = torch.nn.functional.max_pool2d(theirs, pool, strides)
    pooled.backward(pooled.detach())
    numpy.testing.assert_allclose(ours.numpy(), pooled.detach().numpy().transpose(0, 2, 3, 1))
    numpy.testing.assert_allclose(gradient.numpy(), theirs.grad.numpy().transpose(0, 2, 3, 1), atol=1e-6)


def test_a_cnn_step_saved_by_the_static_engine_loads_and_runs_the_same(tmp_path):
    from kerasish.backends import static

    x = randn(2, 6, 6, 3).astype(numpy.float32)
    kernel = randn(3, 3, 3, 4, seed=1).astype(numpy.float32)
    images = static.placeholder((None, 6, 6, 3), numpy.float32)
    weights = static.placeholder(kernel.shape, numpy.float32)
    features = ops.conv(images, weights, padding="same")
    features = ops.batch_normalization(features, *ops.moments(features, axes=(0, 1, 2)), axis=-1)
    loss = ops.sum(ops.average_pool(ops.max_pool(features, 3, 2, "same"), 2, 1, "same"))
    function = static.function([images, weights], [loss, *static.gradients(loss, [images, weights])])
    static.save(function, tmp_path / "cnn.h5")
    for got, expected in zip(static.load(tmp_path / "cnn.h5")(x, kernel), function(x, kernel)):
        numpy.testing.assert_allclose(got, expected, rtol=1e-6)


@pytest.mark.parametrize(
    "call, shape",
    [
        (lambda x: ops.conv(x, KerasTensor((3, 3, 3, 8)), strides=2, padding="same"), (None, 14, 14, 8)),
        (lambda x: ops.conv_transpose(x, KerasTensor((3, 3, 5, 3)), 2, "same"), (None, 56, 56, 5)),
        (lambda x: ops.depthwise_conv(x, KerasTensor((3, 3, 3, 2))), (None, 26, 26, 6)),
        (lambda x: ops.max_pool(x, 2), (None, 14, 14, 3)),
        (lambda x: ops.average_pool(x, 3, 2, "same"), (None, 14, 14, 3)),
        (lambda x: ops.adaptive_max_pool(x, (2, 3)), (None, 2, 3, 3)),
        (lambda x: ops.moments(x, (0, 1, 2))[1], (3,)),
        (lambda x: ops.batch_normalization(x, *ops.moments(x, (0, 1, 2)), axis=-1), (None, 28, 28, 3)),
    ],
)
def test_symbolic_inputs_get_keras_shapes(call, shape):
    assert call(KerasTensor((None, 28, 28, 3))).shape == shape


def _cnn(x, kernel):
    features = ops.conv(x, kernel, strides=2, padding="same")
    features = ops.batch_normalization(features, *ops.moments(features, axes=(0, 1, 2)), axis=-1)
    return ops.max_pool(ops.tanh(features), 2, 1, "same")


def test_second_order_gradients_agree_between_engines():
    from kerasish.backends import static

    x, kernel = randn(2, 5, 4, 2).astype(numpy.float32), randn(3, 3, 2, 3, seed=1).astype(numpy.float32)
    first = _gradient_of(_cnn, 1)

    tensors = [Tensor(x), Tensor(kernel)]
    with GradientTape() as tape:
        tape.watch(tensors[0])
        gradient = first(*tensors)
        penalty = ops.sum(gradient * gradient)
    expected = tape.gradient(penalty, tensors[0]).numpy()

    symbols = [static.placeholder(x.shape, numpy.float32), static.placeholder(kernel.shape, numpy.float32)]
    gradient = static.gradients(ops.sum(_cnn(*symbols) ** 2), [symbols[1]])[0]
    second = static.gradients(ops.sum(gradient * gradient), [symbols[0]])[0]
    numpy.testing.assert_allclose(static.function(symbols, second)(x, kernel), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "convolve, filters",
    [
        (lambda x, k: ops.conv(x, k, padding="same"), 2),
        (lambda x, k: ops.conv(x, k, padding="same"), 5),  # more filters than channels: matmul_scatter
        (lambda x, k: ops.depthwise_conv(x, k, padding="same"), 2),
    ],
    ids=["conv-stride-1", "conv-stride-1-more-filters", "depthwise"],
)
def test_second_order_convolution_gradients_agree_between_engines(convolve, filters):
    from kerasish.backends import static

    x, kernel = randn(2, 5, 4, 2).astype(numpy.float32), randn(3, 3, 2, filters, seed=1).astype(numpy.float32)

    def network(x, kernel):
        return ops.tanh(convolve(x, kernel))

    tensors = [Tensor(x), Tensor(kernel)]
    with GradientTape() as tape:
        tape.watch(tensors[0])
        gradient = _gradient_of(network, 1)(*tensors)
        penalty = ops.sum(gradient * gradient)
    expected = tape.gradient(penalty, tensors[0]).numpy()

    symbols = [static.placeholder(x.shape, numpy.float32), static.placeholder(kernel.shape, numpy.float32)]
    gradient = static.gradients(ops.sum(network(*symbols) ** 2), [symbols[1]])[0]
    second = static.gradients(ops.sum(gradient * gradient), [symbols[0]])[0]
    numpy.testing.assert_allclose(static.function(symbols, second)(x, kernel), expected, rtol=1e-4, atol=1e-5)


def test_windows_on_unknown_spatial_sizes_where_padding_allows():
    from kerasish.backends.symbolic import KerasTensor

    x = KerasTensor((None, None, None, 3), "float32")
    kernel = numpy.zeros((3, 3, 3, 4), "float32")
    assert ops.conv(x, kernel, padding="same").shape == (None, None, None, 4)
    assert ops.conv(x, kernel, strides=2).shape == (None, None, None, 4)
    assert ops.max_pool(x, 2).shape == (None, None, None, 3)
    with pytest.raises(ValueError, match="padding='same' with strides \\(2, 2\\) needs the spatial size"):
        ops.conv(x, kernel, strides=2, padding="same")


def _max_pool_gradient(x, pool_size, data_format="channels_last"):
    tensor = Tensor(x)
    with GradientTape() as tape:
        tape.watch(tensor)
        pooled = ops.max_pool(tensor, pool_size, data_format=data_format)
    return tape.gradient(pooled, tensor, output_gradients=ops.ones_like(pooled) * 3).numpy()


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_non_overlapping_max_pool_gives_ties_to_the_first_maximum(data_format):
    # one 2x3 window per image, the first maximum at tap (0, 0) of all zeros; at (0, 2) of the 5s at (0, 2)
    # and (1, 0); at (0, 1) of the 7s at (0, 1) and (1, 2)
    images = numpy.array([[[0, 0, 0], [0, 0, 0]], [[1, 2, 5], [5, 0, 1]], [[0, 7, 1], [0, 3, 7]]], numpy.float32)
    expected = numpy.zeros_like(images)
    expected[0, 0, 0] = expected[1, 0, 2] = expected[2, 0, 1] = 3
    # a trailing row and column no window reaches: cropped, gradient zero
    x = numpy.pad(images, [(0, 0), (0, 1), (0, 1)], constant_values=100)[..., None]
    want = numpy.pad(expected, [(0, 0), (0, 1), (0, 1)])[..., None]
    if data_format == "channels_first":
        x, want = numpy.moveaxis(x, -1, 1), numpy.moveaxis(want, -1, 1)
    numpy.testing.assert_array_equal(_max_pool_gradient(x, (2, 3), data_format), want)


def test_non_overlapping_max_pool_ties_in_float64_and_channels():
    x = numpy.zeros((1, 4, 4, 2))
    x[0, 1, 1, 1] = x[0, 0, 1, 1] = 1.0  # channel 1, first window: two maxima, the first at (0, 1)
    gradient = _max_pool_gradient(x, 2)
    assert gradient.dtype == numpy.float64
    expected = numpy.zeros_like(x)
    expected[0, ::2, ::2, 0] = 3  # channel 0: all zeros, the first pixel of every window
    expected[0, 0, 1, 1] = 3
    expected[0, 0, 2, 1] = expected[0, 2, 0, 1] = expected[0, 2, 2, 1] = 3
    numpy.testing.assert_array_equal(gradient, expected)


def _pool_primitives(layer_or_op, shape=(2, 8, 8, 3)):
    """The primitives a pool applies, seen on the static graph it builds over a placeholder."""
    from kerasish.backends import static

    x = static.placeholder(shape, numpy.float32)
    out = layer_or_op(x)
    names, frontier = set(), [out]
    while frontier:
        node = frontier.pop()
        if node is not x and node.op is not None:
            names.add(node.op.name)
            frontier += list(node.inputs)
    return names


def test_every_max_pool_takes_the_block_path():
    from kerasish import layers

    for pool in (
        layers.MaxPooling2D(2),
        layers.MaxPooling2D((2, 2), padding="same"),
        layers.MaxPooling2D(2, data_format="channels_first"),
        layers.MaxPooling2D(3, strides=2),
        layers.MaxPooling2D(2, strides=1),
        layers.MaxPooling2D(3, padding="same"),
        lambda x: ops.max_pool(x, 2),
        lambda x: ops.max_pool(x, (3, 2), (3, 2)),
        lambda x: ops.max_pool(x, 2, (2, 1)),
    ):
        assert _pool_primitives(pool) == {"block_max"}
    assert _pool_primitives(layers.MaxPooling1D(2), (2, 9, 3)) == {"block_max"}


@pytest.mark.parametrize("strides, padding", [(2, "valid"), (2, "same"), (1, "valid")])
def test_max_pool_backward_skips_the_windows(strides, padding):
    def pool_gradient(x):
        from kerasish.backends import static

        pooled = ops.max_pool(x, 3 if strides == 2 and padding == "same" else 2, strides, padding)
        return static.gradients(ops.sum(pooled * pooled), [x])[0]

    used = _pool_primitives(pool_gradient)
    assert {"block_max", "spread_block_max"} <= used
    assert not used & {"extract_patches", "scatter_patches"}


def _symbol(*shape):
    from kerasish.backends import static

    return static.placeholder(shape, numpy.float32)


_TILES = dict(pool_size=(2, 2), strides=(2, 2), pads=((0, 0), (0, 0)), data_format="channels_last")


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda p: p["block_max"](_symbol(2, 4, 4), **_TILES),
            r"block_max: expected a rank-4 input .* got shape \(2, 4, 4\)",
        ),
        (
            lambda p: p["block_max"](_symbol(1, 1, 4, 3), **_TILES),
            r"block_max: a window of size \(2, 2\) does not fit in the input of shape \(1, 1, 4, 3\)",
        ),
        (
            lambda p: p["spread_block_max"](
                _symbol(1, 4, 4, 3),
                _symbol(1, 2, 3, 3),
                _symbol(1, 2, 2, 3),
                **_TILES,
            ),
            r"spread_block_max: .* got shapes \(1, 4, 4, 3\), \(1, 2, 3, 3\), \(1, 2, 2, 3\)",
        ),
        (
            lambda p: p["select_block_max"](
                _symbol(1, 4, 4, 3),
                _symbol(1, 4, 4, 2),
                _symbol(1, 2, 2, 3),
                **_TILES,
            ),
            r"select_block_max: .* got shapes",
        ),
    ],
)
def test_block_max_primitives_name_the_op_and_shapes(call, message):
    """The shape rules, met while a static graph is built."""
    from kerasish.backends.primitives import PRIMITIVES

    with pytest.raises(ValueError, match=message):
        call(PRIMITIVES)


def test_block_max_on_unknown_spatial_sizes_crops_at_run_time():
    from kerasish.backends import static

    x = static.placeholder((None, None, None, 3), numpy.float32)
    pooled = ops.max_pool(x, 2)
    assert pooled.shape == (None, None, None, 3)
    gradient = static.gradients(ops.sum(pooled * pooled), [x])[0]
    assert gradient.shape == (None, None, None, 3)
    images = randn(2, 5, 7, 3).astype(numpy.float32)
    got, grad = static.function([x], [pooled, gradient])(images)
    tensor = Tensor(images)
    with GradientTape() as tape:
        tape.watch(tensor)
        expected = ops.max_pool(tensor, 2)
        loss = ops.sum(expected * expected)
    numpy.testing.assert_array_equal(got, expected.numpy())
    numpy.testing.assert_allclose(grad, tape.gradient(loss, tensor).numpy(), rtol=1e-6)
