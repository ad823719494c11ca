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


def test_conv_transpose_gradients_differentiate_again():
    transpose = _gradient_of(lambda x, k: ops.conv_transpose(x, k, strides=2, padding="same"), 1)
    assert gradcheck(transpose, [randn(1, 2, 3, 2), randn(3, 2, 2, 2, seed=1)])


def test_pool_gradients_differentiate_again():
    pools = _gradient_of(lambda x: ops.max_pool(x, 2, 1, "same") + ops.average_pool(x, 2, 1, "same"), 0)
    assert gradcheck(pools, [randn(1, 3, 3, 2)])


def test_batch_normalization_with_batch_statistics_differentiates_again():
    def normalize(x, scale):
        return ops.batch_normalization(x, *ops.moments(x, axes=(0, 1)), axis=-1, scale=scale)
    assert gradcheck(_gradient_of(normalize, 0), [randn(3, 2, 2), randn(2, seed=1)])


def test_softmax_crossentropy_gradients_differentiate_again():
    loss = _gradient_of(lambda t, x: ops.categorical_crossentropy(t, x, from_logits=True), 1)
    assert gradcheck(loss, [numpy.array([[0.2, 0.8, 0.0]]), randn(1, 3)])


def _t(*shape):
    return Tensor(numpy.zeros(shape, numpy.float32))


@pytest.mark.parametrize("call, message", [
    (lambda: ops.conv(_t(1, 5, 5, 3), _t(3, 3, 2, 4)), r"conv: the input's 3 channels must be a multiple"),
    (lambda: ops.conv(_t(1, 5, 5, 4), _t(3, 3, 2, 3)), r"conv: the kernel's 3 filters must be a multiple of the 2"),
    (lambda: ops.conv(_t(5, 5, 3), _t(3, 3, 3, 4)), r"conv: a kernel of shape \(3, 3, 3, 4\) needs an input of rank 4"),
    (lambda: ops.conv(_t(1, 2, 2, 3), _t(3, 3, 3, 4)), r"conv: a window of size \(3, 3\).*does not fit"),
    (lambda: ops.conv(_t(1, 5, 5, 3), _t(3, 3, 3, 4), padding="full"), r"conv: `padding` must be 'valid' or 'same'"),
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
])
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
        torch.from_numpy(x.transpose(0, 3, 1, 2)), torch.from_numpy(kernel.transpose(3, 2, 0, 1)),
        stride=strides, padding=1 if padding == "same" else 0, output_padding=extra).numpy()
    numpy.testing.assert_allclose(ours, theirs.transpose(0, 2, 3, 1), atol=1e-5)


@pytest.mark.parametrize("ties", [False, True])
def test_max_pool_gradient_matches_torch(ties):
    torch = pytest.importorskip("torch")
    x = randn(2, 6, 6, 3).astype(numpy.float32)
    if ties:  # a ReLU-like input: whole windows of equal zeros; the gradient goes to the first one
        x = numpy.maximum(numpy.round(x), 0)
    tensor = Tensor(x)
    with GradientTape() as tape:
        tape.watch(tensor)
        ours = ops.max_pool(tensor, 3, 2, "valid")
    gradient = tape.gradient(ours, tensor, output_gradients=ours)
    theirs = torch.from_numpy(x.transpose(0, 3, 1, 2)).requires_grad_()
    pooled = torch.nn.functional.max_pool2d(theirs, 3, 2)
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


@pytest.mark.parametrize("call, shape", [
    (lambda x: ops.conv(x, KerasTensor((3, 3, 3, 8)), strides=2, padding="same"), (None, 14, 14, 8)),
    (lambda x: ops.conv_transpose(x, KerasTensor((3, 3, 5, 3)), 2, "same"), (None, 56, 56, 5)),
    (lambda x: ops.depthwise_conv(x, KerasTensor((3, 3, 3, 2))), (None, 26, 26, 6)),
    (lambda x: ops.max_pool(x, 2), (None, 14, 14, 3)),
    (lambda x: ops.average_pool(x, 3, 2, "same"), (None, 14, 14, 3)),
    (lambda x: ops.adaptive_max_pool(x, (2, 3)), (None, 2, 3, 3)),
    (lambda x: ops.moments(x, (0, 1, 2))[1], (3,)),
    (lambda x: ops.batch_normalization(x, *ops.moments(x, (0, 1, 2)), axis=-1), (None, 28, 28, 3)),
])
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


def test_windows_on_unknown_spatial_sizes_where_padding_allows():
    from kerasish.backends.symbolic import KerasTensor
    x = KerasTensor((None, None, None, 3), "float32")
    kernel = numpy.zeros((3, 3, 3, 4), "float32")
    assert ops.conv(x, kernel, padding="same").shape == (None, None, None, 4)
    assert ops.conv(x, kernel, strides=2).shape == (None, None, None, 4)
    assert ops.max_pool(x, 2).shape == (None, None, None, 3)
    with pytest.raises(ValueError, match="padding='same' with strides \\(2, 2\\) needs the spatial size"):
        ops.conv(x, kernel, strides=2, padding="same")
