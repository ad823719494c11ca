"""`kerasish.ops.nn` and the neural-network ops Keras 3 added: the activations beside relu (celu, glu,
hard_shrink, hard_tanh, soft_shrink, sparse_plus, sparse_sigmoid, sparsemax, squareplus, tanh_shrink,
threshold), multi_hot, normalize, psnr, polar, unfold/fold, depth_to_space/space_to_depth. Values against
numpy references and real Keras (JAX backend, where installed) on both engines, gradients against finite
differences, Keras's names and signatures, and errors that name the op and the shapes."""

import inspect

import numpy
import pytest

from kerasish import ops
from tests.ops.engines import assert_gradients_match_finite_differences, keras_value, real_keras, run

rng = numpy.random.default_rng(0)
X = rng.standard_normal((4, 8)).astype("float32") * 2
IMAGES = rng.standard_normal((2, 3, 7, 6)).astype("float32")

KERAS_NN_NAMES = (
    "adaptive_average_pool adaptive_max_pool average_pool batch_normalization binary_crossentropy "
    "categorical_crossentropy celu conv conv_transpose ctc_decode ctc_loss depth_to_space depthwise_conv "
    "dot_product_attention elu fold gelu glu hard_shrink hard_sigmoid hard_silu hard_swish hard_tanh "
    "layer_normalization leaky_relu log_sigmoid log_softmax max_pool moments multi_hot normalize one_hot polar "
    "psnr relu relu6 rms_normalization selu separable_conv sigmoid silu soft_shrink softmax softplus softsign "
    "space_to_depth sparse_categorical_crossentropy sparse_plus sparse_sigmoid sparsemax squareplus swish "
    "tanh_shrink threshold unfold"
).split()

ACTIVATIONS = [
    ("celu", {}),
    ("celu", {"alpha": 0.5}),
    ("glu", {}),
    ("glu", {"axis": 0}),
    ("hard_shrink", {}),
    ("hard_shrink", {"threshold": 1.2}),
    ("hard_tanh", {}),
    ("soft_shrink", {}),
    ("soft_shrink", {"threshold": 0.8}),
    ("sparse_plus", {}),
    ("sparse_sigmoid", {}),
    ("squareplus", {}),
    ("squareplus", {"b": 1.5}),
    ("tanh_shrink", {}),
    ("threshold", {"threshold": 0.3, "default_value": -1.0}),
]


def _sparsemax_reference(x, axis=-1):
    x = numpy.moveaxis(numpy.asarray(x, numpy.float64), axis, -1)
    result = numpy.zeros_like(x)
    for index in numpy.ndindex(x.shape[:-1]):
        z = numpy.sort(x[index])[::-1]
        k = max(j for j in range(1, len(z) + 1) if 1 + j * z[j - 1] > z[:j].sum())
        result[index] = numpy.maximum(x[index] - (z[:k].sum() - 1) / k, 0)
    return numpy.moveaxis(result, -1, axis)


# ----- namespace and signatures ------------------------------------------------------------


def test_the_nn_namespace_lists_keras_names_each_the_top_level_op():
    public = sorted(name for name in vars(ops.nn) if not name.startswith("_"))
    assert public == sorted(KERAS_NN_NAMES)
    for name in KERAS_NN_NAMES:
        assert getattr(ops.nn, name) is getattr(ops, name), name


def test_the_nn_namespace_has_exactly_keras_names():
    keras = real_keras()
    theirs = sorted(name for name in dir(keras.ops.nn) if not name.startswith("_"))
    assert sorted(KERAS_NN_NAMES) == theirs


NEW_OPS = (
    "celu glu hard_shrink hard_tanh soft_shrink sparse_plus sparse_sigmoid sparsemax squareplus tanh_shrink "
    "threshold multi_hot normalize psnr polar unfold fold depth_to_space space_to_depth"
).split()


@pytest.mark.parametrize("name", NEW_OPS)
def test_signature_matches_keras(name):
    keras = real_keras()
    ours, theirs = inspect.signature(getattr(ops, name)), inspect.signature(getattr(keras.ops, name))
    assert [(p.name, p.default, p.kind) for p in ours.parameters.values()] == [
        (p.name, p.default, p.kind) for p in theirs.parameters.values()
    ]


# ----- activations -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name, kwargs", ACTIVATIONS, ids=[f"{n}-{sorted(k.items())}" for n, k in ACTIVATIONS])
def test_activation_matches_keras_on_both_engines(name, kwargs, engine):
    keras = real_keras()
    got = run(engine, lambda x: getattr(ops, name)(x, **kwargs), X)
    expected = keras_value(getattr(keras.ops, name)(X, **kwargs))
    assert got.dtype == numpy.float32
    numpy.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


REFERENCES = {
    "celu": lambda x: numpy.where(x > 0, x, numpy.expm1(x)),
    "hard_shrink": lambda x: numpy.where(numpy.abs(x) > 0.5, x, 0),
    "hard_tanh": lambda x: numpy.clip(x, -1, 1),
    "soft_shrink": lambda x: numpy.sign(x) * numpy.maximum(numpy.abs(x) - 0.5, 0),
    "sparse_plus": lambda x: numpy.where(x <= -1, 0, numpy.where(x < 1, (x + 1) ** 2 / 4, x)),
    "sparse_sigmoid": lambda x: numpy.clip((x + 1) / 2, 0, 1),
    "squareplus": lambda x: (x + numpy.sqrt(x * x + 4)) / 2,
    "tanh_shrink": lambda x: x - numpy.tanh(x),
    "glu": lambda x: x[:, :4] / (1 + numpy.exp(-x[:, 4:])),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_matches_its_formula(name, engine):
    numpy.testing.assert_allclose(run(engine, getattr(ops, name), X), REFERENCES[name](X), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_gradient_matches_finite_differences(name, engine):
    smooth = numpy.array([[-2.7, -1.6, -0.8, -0.3, -0.1, 0.2, 0.35, 0.7], [1.3, 2.2, -0.45, 0.55, 0.9, -1.2, 3.0, 0.0]])
    assert_gradients_match_finite_differences(engine, getattr(ops, name), smooth)


def test_integer_inputs_compute_in_floatx():
    for name in ("celu", "hard_tanh", "squareplus", "sparse_sigmoid"):
        assert ops.convert_to_numpy(getattr(ops, name)(numpy.arange(-3, 4))).dtype == numpy.float32, name


def test_threshold_needs_both_arguments():
    with pytest.raises(TypeError):
        ops.threshold(X, 0.5)


def test_glu_refuses_an_odd_axis():
    with pytest.raises(ValueError, match=r"glu: axis size must be divisible by 2. Received: x.shape=\(3, 8\)"):
        ops.glu(X[:3], axis=0)


# ----- sparsemax ---------------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [-1, 0])
def test_sparsemax_is_the_simplex_projection(axis, engine):
    got = run(engine, lambda x: ops.sparsemax(x, axis=axis), X)
    numpy.testing.assert_allclose(got, _sparsemax_reference(X, axis), rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(got.sum(axis=axis), 1.0, rtol=1e-5)
    assert (got >= 0).all() and (got == 0).any()


@pytest.mark.slow
def test_sparsemax_matches_keras_where_keras_computes_the_published_function():
    # Keras 3's backends take the threshold from the sum of all cumulative sums in the support, which agrees
    # with Martins & Astudillo only while the support holds one element: compare those rows.
    keras = real_keras()
    x = numpy.array([[-1.0, 0.0, 1.0], [3.0, 0.5, -2.0], [0.2, 2.5, 0.1]], dtype="float32")
    numpy.testing.assert_allclose(ops.sparsemax(x).numpy(), keras_value(keras.ops.sparsemax(x)), atol=1e-6)


def test_sparsemax_gradient_matches_finite_differences(engine):
    assert_gradients_match_finite_differences(engine, lambda x: ops.sparsemax(x, axis=0), X.astype("float64"))


# ----- multi_hot, normalize, psnr, polar --------------------------------------------------------


def test_multi_hot_matches_keras(engine):
    keras = real_keras()
    labels = numpy.array([[0, 4, 4], [1, 2, 3]])
    got = run(engine, lambda x: ops.multi_hot(x, num_classes=6), labels)
    numpy.testing.assert_array_equal(got, keras_value(keras.ops.multi_hot(labels, num_classes=6)))
    numpy.testing.assert_array_equal(
        ops.multi_hot(labels[0], num_tokens=5).numpy(), keras_value(keras.ops.multi_hot(labels[0], num_tokens=5))
    )


def test_multi_hot_marks_each_named_class_once():
    got = ops.multi_hot(numpy.array([[0, 4, 4], [1, 2, 3]]), 6, dtype="int32").numpy()
    numpy.testing.assert_array_equal(got, [[1, 0, 0, 0, 1, 0], [0, 1, 1, 1, 0, 0]])
    with pytest.raises(ValueError, match="multi_hot: Argument `num_classes` must be specified"):
        ops.multi_hot(numpy.array([1, 2]))


@pytest.mark.slow
@pytest.mark.parametrize("order, axis", [(2, -1), (1, -1), (3, 0), (2, (0, 1))])
def test_normalize_matches_keras(order, axis, engine):
    keras = real_keras()
    got = run(engine, lambda x: ops.normalize(x, axis=axis, order=order), X)
    numpy.testing.assert_allclose(got, keras_value(keras.ops.normalize(X, axis=axis, order=order)), rtol=1e-5)


def test_normalize_divides_by_the_norm_and_refuses_bad_orders(engine):
    got = run(engine, lambda x: ops.normalize(x, order=1), X)
    numpy.testing.assert_allclose(got, X / numpy.abs(X).sum(-1, keepdims=True), rtol=1e-5)
    assert_gradients_match_finite_differences(engine, lambda x: ops.normalize(x, order=3), X.astype("float64"))
    with pytest.raises(ValueError, match="normalize: Argument `order` must be an int >= 1. Received: order=0.5"):
        ops.normalize(X, order=0.5)


def test_psnr_matches_keras_and_its_formula(engine):
    keras = real_keras()
    other = X + rng.standard_normal(X.shape).astype("float32") * 0.1
    got = run(engine, lambda a, b: ops.psnr(a, b, 2.0), X, other)
    numpy.testing.assert_allclose(got, keras_value(keras.ops.psnr(X, other, 2.0)), rtol=1e-5)
    numpy.testing.assert_allclose(
        got, 20 * numpy.log10(2.0) - 10 * numpy.log10(numpy.mean((X - other) ** 2)), rtol=1e-5
    )


def test_psnr_gradient_and_shape_error(engine):
    assert_gradients_match_finite_differences(engine, lambda a, b: ops.psnr(a, b, 1.0), X, X * 0.5)
    with pytest.raises(ValueError, match=r"psnr: Input shapes \(4, 8\) and \(4, 4\) must match"):
        ops.psnr(X, X[:, :4], 1.0)


def test_polar_matches_keras():
    keras = real_keras()
    magnitude, angle = numpy.abs(X), X[::-1].copy()
    got = ops.polar(magnitude, angle).numpy()
    assert got.dtype == numpy.complex64
    numpy.testing.assert_allclose(got, keras_value(keras.ops.polar(magnitude, angle)), rtol=1e-5, atol=1e-6)


def test_polar_values_dtype_and_gradient(engine):
    got = run(engine, ops.polar, numpy.abs(X), X)
    numpy.testing.assert_allclose(got, numpy.abs(X) * numpy.exp(1j * X), rtol=1e-5, atol=1e-6)
    assert ops.polar(numpy.ones(2), numpy.zeros(2)).numpy().dtype == numpy.complex128
    assert_gradients_match_finite_differences(
        engine, lambda r, a: ops.view_as_real(ops.exp(ops.polar(r, a))), numpy.abs(X) + 0.1, X * 0.3
    )


# ----- unfold / fold, depth / space --------------------------------------------------------------

BLOCKS = [
    dict(kernel_size=3),
    dict(kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(2, 1)),
    dict(kernel_size=2, stride=2, padding=(1, 0)),
]


@pytest.mark.parametrize("kwargs", BLOCKS, ids=str)
def test_unfold_and_fold_match_torch(kwargs, engine):
    torch = pytest.importorskip("torch")
    got = run(engine, lambda x: ops.unfold(x, **kwargs), IMAGES)
    expected = torch.nn.functional.unfold(torch.tensor(IMAGES), **kwargs).numpy()
    numpy.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
    folded = run(engine, lambda x: ops.fold(x, (7, 6), **kwargs), expected)
    numpy.testing.assert_allclose(
        folded, torch.nn.functional.fold(torch.tensor(expected), (7, 6), **kwargs).numpy(), rtol=1e-5, atol=1e-5
    )


@pytest.mark.slow
def test_unfold_and_fold_match_keras():
    keras = real_keras()
    kwargs = dict(kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(2, 1))
    columns = ops.unfold(IMAGES, **kwargs).numpy()
    numpy.testing.assert_allclose(columns, keras_value(keras.ops.unfold(IMAGES, **kwargs)), rtol=1e-6, atol=1e-6)
    numpy.testing.assert_allclose(
        ops.fold(columns, (7, 6), **kwargs).numpy(),
        keras_value(keras.ops.fold(columns, (7, 6), **kwargs)),
        rtol=1e-5,
        atol=1e-5,
    )


@pytest.mark.parametrize("kwargs", BLOCKS[1:], ids=str)
def test_unfold_and_fold_gradients(kwargs, engine):
    columns = ops.unfold(IMAGES, **kwargs).numpy()
    assert_gradients_match_finite_differences(engine, lambda x: ops.unfold(x, **kwargs), IMAGES)
    assert_gradients_match_finite_differences(engine, lambda x: ops.fold(x, (7, 6), **kwargs), columns)


def test_fold_and_unfold_errors_name_the_op_and_shape():
    with pytest.raises(
        ValueError, match=r"unfold: Input must be a 4D tensor \(N, C, H, W\). Received: input.shape=\(4, 8\)"
    ):
        ops.unfold(X, 2)
    with pytest.raises(ValueError, match=r"fold: Input must be a 3D tensor. Received: input.shape=\(4, 8\)"):
        ops.fold(X, (4, 4), 2)
    with pytest.raises(ValueError, match=r"fold: The second dimension of the input \(7\) must be divisible"):
        ops.fold(numpy.zeros((1, 7, 9)), (4, 4), 2)
    with pytest.raises(ValueError, match=r"fold: the input holds 8 blocks, but an output of size \(4, 4\)"):
        ops.fold(numpy.zeros((1, 4, 8)), (4, 4), 2)
    with pytest.raises(ValueError, match=r"unfold: `stride` must be an int >= 1"):
        ops.unfold(IMAGES, 2, stride=0)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_depth_to_space_and_space_to_depth_match_keras(data_format, engine):
    keras = real_keras()
    x = rng.standard_normal((2, 4, 6, 8)).astype("float32")
    deep = run(engine, lambda t: ops.depth_to_space(t, 2, data_format=data_format), x)
    numpy.testing.assert_array_equal(deep, keras_value(keras.ops.depth_to_space(x, 2, data_format=data_format)))
    wide = run(engine, lambda t: ops.space_to_depth(t, 2, data_format=data_format), x)
    numpy.testing.assert_array_equal(wide, keras_value(keras.ops.space_to_depth(x, 2, data_format=data_format)))


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_depth_to_space_inverts_space_to_depth(data_format, engine):
    x = rng.standard_normal((2, 4, 6, 8))
    back = run(engine, lambda t: ops.depth_to_space(ops.space_to_depth(t, 2, data_format), 2, data_format), x)
    numpy.testing.assert_array_equal(back, x)
    assert_gradients_match_finite_differences(engine, lambda t: ops.depth_to_space(t, 2, data_format), x)


def test_depth_and_space_errors_use_keras_words():
    x = numpy.zeros((1, 3, 4, 6))
    with pytest.raises(ValueError, match=r"depth_to_space: `block_size` must be at least 2. Received: block_size=1"):
        ops.depth_to_space(x, 1)
    with pytest.raises(
        ValueError, match=r"depth_to_space: The number of channels \(6\) must be divisible by block_size\*\*2 \(4\)"
    ):
        ops.depth_to_space(x, 2)
    with pytest.raises(ValueError, match=r"space_to_depth: Height \(3\) must be divisible by block_size \(2\)"):
        ops.space_to_depth(x, 2)
    with pytest.raises(ValueError, match=r"requires a 4D input tensor. Received: x.shape=\(4, 8\)"):
        ops.space_to_depth(X, 2)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize(
    "x", [numpy.array([[1, 2, 3], [0, 0, 5]], "int32"), numpy.array([[True, False, True]])], ids=["int32", "bool"]
)
def test_softmax_of_integers_and_bools_is_floatx_as_in_keras(name, x, engine):
    got = run(engine, lambda a: getattr(ops, name)(a, axis=-1), x)
    assert got.dtype == numpy.float32
    shifted = x.astype("float64") - x.max(axis=-1, keepdims=True)
    log_probabilities = shifted - numpy.log(numpy.exp(shifted).sum(axis=-1, keepdims=True))
    expected = log_probabilities if name == "log_softmax" else numpy.exp(log_probabilities)
    numpy.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
