"""ONNX export: every exported file passes onnx.checker and runs in onnxruntime to within a relative
error of 1e-4 of kerasish's own `predict` (on both engines)."""

import os

import numpy
import pytest

onnx = pytest.importorskip("onnx", reason="ONNX export tests need the `onnx` package (pip install 'kerasish[onnx]')")
onnxruntime = pytest.importorskip("onnxruntime", reason="ONNX export tests need `onnxruntime` (the test extra)")

import kerasish  # noqa: E402
from kerasish import layers  # noqa: E402
from kerasish.backends import static  # noqa: E402
from kerasish.export import ExportArchive, UnmappedOperationError, export_function  # noqa: E402

TOLERANCE = 1e-4


def run_onnx(path, *inputs):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    feeds = {spec.name: array for spec, array in zip(session.get_inputs(), inputs)}
    return session.run(None, feeds)


def relative_error(got, want):
    want = numpy.asarray(want, dtype=numpy.float64)
    return numpy.abs(numpy.asarray(got, numpy.float64) - want).max() / max(numpy.abs(want).max(), 1e-12)


def export_and_compare(model, inputs, engine, tmp_path, **options):
    """Export `model`, run the file in onnxruntime and compare with predict on `engine`; the error."""
    inputs = inputs if isinstance(inputs, list) else [inputs]
    path = os.path.join(tmp_path, "model.onnx")
    model.export(path, verbose=False, **options)
    model.compile(backend=engine)
    want = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    stored = inputs
    if options.get("data_format") == "channels_first":
        stored = [numpy.moveaxis(x, -1, 1) if x.ndim >= 3 else x for x in inputs]
    got = run_onnx(path, *stored)[0]
    if options.get("data_format") == "channels_first" and got.ndim >= 3:
        got = numpy.moveaxis(got, 1, -1)
    assert got.shape == numpy.shape(want)
    error = relative_error(got, want)
    assert error <= TOLERANCE, error
    return error


def randomize(model, seed=0):
    """Random weights, with BatchNorm variances positive and away from zero."""
    rng = numpy.random.default_rng(seed)
    for variable in model.weights:
        value = rng.standard_normal(variable.shape).astype(variable.dtype) * 0.3
        if "variance" in variable.path:
            value = numpy.abs(value) + 0.5
        variable.assign(value)


def images(shape, seed=1):
    return numpy.random.default_rng(seed).standard_normal(shape).astype("float32")


# ----- one test per layer type that has a mapping ------------------------------------------------

LAYERS = {
    "dense": ((6,), lambda: [layers.Dense(4, activation="tanh")]),
    "conv1d": ((9, 3), lambda: [layers.Conv1D(4, 3, strides=2, padding="same")]),
    "conv2d_valid": ((9, 9, 3), lambda: [layers.Conv2D(4, 3)]),
    "conv2d_same_strided": ((9, 9, 3), lambda: [layers.Conv2D(4, 3, strides=2, padding="same")]),
    "conv2d_dilated": ((9, 9, 3), lambda: [layers.Conv2D(4, 3, dilation_rate=2, padding="same")]),
    "conv2d_1x1": ((5, 5, 3), lambda: [layers.Conv2D(4, 1)]),
    "conv2d_channels_first": (
        (3, 8, 8),
        lambda: [
            layers.Conv2D(4, 3, data_format="channels_first"),
            layers.MaxPooling2D(2, data_format="channels_first"),
        ],
    ),
    "conv3d": ((5, 5, 5, 2), lambda: [layers.Conv3D(3, 2)]),
    "depthwise_conv2d": ((7, 7, 3), lambda: [layers.DepthwiseConv2D(3, depth_multiplier=2)]),
    "separable_conv2d": ((7, 7, 3), lambda: [layers.SeparableConv2D(4, 3, padding="same")]),
    "max_pool2d": ((8, 8, 3), lambda: [layers.MaxPooling2D(2)]),
    "max_pool2d_overlapping_same": ((9, 9, 3), lambda: [layers.MaxPooling2D(3, strides=2, padding="same")]),
    "max_pool1d": ((8, 3), lambda: [layers.MaxPooling1D(2)]),
    "average_pool2d": ((8, 8, 3), lambda: [layers.AveragePooling2D(2)]),
    "average_pool2d_same": ((9, 9, 3), lambda: [layers.AveragePooling2D(3, strides=2, padding="same")]),
    "global_average_pool2d": ((6, 6, 3), lambda: [layers.Conv2D(4, 3), layers.GlobalAveragePooling2D()]),
    "global_max_pool2d": ((6, 6, 3), lambda: [layers.Conv2D(4, 3), layers.GlobalMaxPooling2D()]),
    "batch_normalization": ((6, 6, 3), lambda: [layers.Conv2D(4, 3), layers.BatchNormalization()]),
    "batch_normalization_dense": ((5,), lambda: [layers.Dense(4), layers.BatchNormalization()]),
    "layer_normalization": ((7,), lambda: [layers.Dense(6), layers.LayerNormalization()]),
    "dropout": ((5,), lambda: [layers.Dense(4), layers.Dropout(0.5)]),
    "flatten": ((4, 4, 3), lambda: [layers.Conv2D(2, 3), layers.Flatten()]),
    "reshape": ((12,), lambda: [layers.Reshape((3, 4))]),
    "permute": ((3, 4), lambda: [layers.Permute((2, 1)), layers.Dense(2)]),
    "zero_padding2d": ((5, 5, 2), lambda: [layers.ZeroPadding2D(((1, 2), (0, 1)))]),
    "cropping2d": ((6, 6, 2), lambda: [layers.Cropping2D(((1, 2), (0, 1)))]),
    "up_sampling2d": ((3, 3, 2), lambda: [layers.UpSampling2D(2)]),
    "repeat_vector": ((4,), lambda: [layers.RepeatVector(3)]),
    "activations": (
        (6,),
        lambda: [
            layers.Dense(6, activation="gelu"),
            layers.Activation("silu"),
            layers.Activation("elu"),
            layers.LeakyReLU(0.2),
            layers.Activation("softplus"),
            layers.Activation("sigmoid"),
            layers.ReLU(max_value=1.0),
            layers.Softmax(),
        ],
    ),
    "rescaling": ((4,), lambda: [layers.Rescaling(1 / 255.0, offset=-0.5)]),
    "identity": ((4,), lambda: [layers.Identity()]),
    "depthwise_conv1d": ((7, 3), lambda: [layers.DepthwiseConv1D(3, padding="same")]),
    "separable_conv1d": ((7, 3), lambda: [layers.SeparableConv1D(4, 3)]),
    "max_pool3d": ((4, 4, 4, 2), lambda: [layers.MaxPooling3D(2)]),
    "average_pool1d": ((8, 3), lambda: [layers.AveragePooling1D(2)]),
    "average_pool3d": ((4, 4, 4, 2), lambda: [layers.AveragePooling3D(2)]),
    "global_average_pool1d": ((6, 3), lambda: [layers.GlobalAveragePooling1D()]),
    "global_max_pool1d": ((6, 3), lambda: [layers.GlobalMaxPooling1D()]),
    "time_distributed_dense": ((5, 4), lambda: [layers.TimeDistributed(layers.Dense(3))]),
    "conv2d_transpose": ((5, 5, 2), lambda: [layers.Conv2DTranspose(3, 3)]),
    "conv2d_transpose_strided_same": ((5, 5, 2), lambda: [layers.Conv2DTranspose(3, 3, strides=2, padding="same")]),
    "conv2d_transpose_output_padding": ((5, 5, 2), lambda: [layers.Conv2DTranspose(3, 3, strides=2, output_padding=1)]),
    "conv2d_transpose_channels_first": (
        (2, 5, 5),
        lambda: [layers.Conv2DTranspose(3, 3, strides=3, padding="same", data_format="channels_first")],
    ),
    "conv1d_transpose_dilated": ((6, 2), lambda: [layers.Conv1DTranspose(3, 3, dilation_rate=2)]),
}


class CumulativeProduct(layers.Layer):
    """A layer with an op that has no ONNX mapping (cumprod)."""

    def call(self, x):
        return kerasish.ops.cumprod(x, axis=1)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_exports(name, engine, tmp_path):
    shape, build = LAYERS[name]
    model = kerasish.Sequential([kerasish.Input(shape), *build()])
    randomize(model)
    export_and_compare(model, images((3, *shape)), engine, tmp_path)


def test_embedding_and_merges(engine, tmp_path):
    tokens = kerasish.Input((5,), dtype="int32")
    vectors = kerasish.Input((5, 4))
    embedded = layers.Embedding(10, 4)(tokens)
    pair = [embedded, vectors]
    merged = layers.Concatenate()(
        [
            layers.Add()(pair),
            layers.Multiply()(pair),
            layers.Subtract()(pair),
            layers.Average()(pair),
            layers.Maximum()(pair),
            layers.Minimum()(pair),
        ]
    )
    merged = layers.Concatenate()([merged, layers.Dot(axes=2)(pair)])
    model = kerasish.Model([tokens, vectors], layers.Dense(2)(merged))
    randomize(model)
    ids = numpy.random.default_rng(2).integers(0, 10, (3, 5)).astype("int32")
    export_and_compare(model, [ids, images((3, 5, 4))], engine, tmp_path)


# ----- models --------------------------------------------------------------------------------------


def test_mlp(engine, tmp_path):
    model = kerasish.Sequential(
        [kerasish.Input((8,)), layers.Dense(16, activation="relu"), layers.Dense(3, activation="softmax")]
    )
    randomize(model)
    export_and_compare(model, images((5, 8)), engine, tmp_path)


def cnn():
    model = kerasish.Sequential(
        [
            kerasish.Input((12, 12, 3)),
            layers.Conv2D(8, 3, padding="same"),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.MaxPooling2D(2),
            layers.Conv2D(8, 3, strides=2, padding="same"),
            layers.BatchNormalization(),
            layers.Activation("relu"),
            layers.Dropout(0.5),
            layers.Flatten(),
            layers.Dense(5, activation="softmax"),
        ]
    )
    randomize(model)
    return model


@pytest.mark.parametrize("data_format", [None, "channels_first"])
def test_cnn_with_batch_norm_and_dropout(engine, data_format, tmp_path):
    model = cnn()
    export_and_compare(model, images((4, 12, 12, 3)), engine, tmp_path, data_format=data_format)
    graph = onnx.load(os.path.join(tmp_path, "model.onnx")).graph
    kinds = [node.op_type for node in graph.node]
    assert kinds.count("Conv") == 2 and "MaxPool" in kinds and "BatchNormalization" in kinds
    # transposes only at the edges: one after the input (none when the input is channels first), one
    # before the flatten
    assert kinds.count("Transpose") == (1 if data_format else 2)
    assert graph.input[0].type.tensor_type.shape.dim[0].dim_param  # the batch axis is dynamic


def test_pointwise_convolution_is_one_conv(tmp_path):
    """A 1x1 convolution (a matmul over the channels in kerasish) exports as a Conv, with no transposes
    between it and the convolution before it."""
    model = kerasish.Sequential(
        [
            kerasish.Input((6, 6, 3)),
            layers.Conv2D(4, 3, padding="same"),
            layers.Conv2D(5, 1),
            layers.ReLU(),
            layers.Conv2D(2, 1),
        ]
    )
    randomize(model)
    export_and_compare(model, images((2, 6, 6, 3)), "static", tmp_path, data_format="channels_first")
    kinds = [node.op_type for node in onnx.load(os.path.join(tmp_path, "model.onnx")).graph.node]
    assert kinds.count("Conv") == 3 and "MatMul" not in kinds and "Transpose" not in kinds


def test_unknown_spatial_size_needs_input_signature(tmp_path):
    model = kerasish.Sequential([kerasish.Input((None, None, 3)), layers.Conv2D(2, 1)])
    with pytest.raises(ValueError, match=r"only the batch axis may be unknown.*input_signature"):
        model.export(os.path.join(tmp_path, "m.onnx"))
    model.export(
        os.path.join(tmp_path, "m.onnx"),
        verbose=False,
        input_signature=[kerasish.layers.InputSpec(shape=(None, 4, 4, 3))],
    )
    x = images((2, 4, 4, 3))
    assert relative_error(run_onnx(os.path.join(tmp_path, "m.onnx"), x)[0], model.predict(x, verbose=0)) <= TOLERANCE


def test_inputs_and_outputs_are_named_after_the_layers(tmp_path):
    model = kerasish.Sequential([kerasish.Input((4,), name="pixels"), layers.Dense(2, name="scores")])
    path = os.path.join(tmp_path, "m.onnx")
    model.export(path, verbose=False)
    graph = onnx.load(path).graph
    assert [i.name for i in graph.input] == ["pixels"] and [o.name for o in graph.output] == ["scores"]


def test_batch_dimension_is_dynamic(tmp_path):
    model = cnn()
    path = os.path.join(tmp_path, "model.onnx")
    model.export(path, verbose=False)
    for batch in (1, 7):
        x = images((batch, 12, 12, 3), seed=batch)
        assert relative_error(run_onnx(path, x)[0], model.predict(x, verbose=0)) <= TOLERANCE


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, shape", [("ResNet18", (64, 64, 3)), ("ResNet34", (64, 64, 3)), ("AlexNet", (64, 64, 3))]
)
def test_small_applications(name, shape, tmp_path):
    from kerasish import applications

    model = getattr(applications, name)(weights=None, input_shape=shape, classes=10)
    export_and_compare(model, images((2, *shape)), "static", tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, options",
    [
        ("ResNet50", dict(input_shape=(96, 96, 3), classes=10)),
        ("ResNet101", dict(input_shape=(64, 64, 3), classes=10)),
        ("ResNet152", dict(input_shape=(64, 64, 3), classes=10)),
        ("VGG16", {}),
        ("VGG19", {}),
        ("AlexNet", dict(input_shape=(224, 224, 3))),
    ],
)
def test_applications(name, options, tmp_path):
    from kerasish import applications

    model = getattr(applications, name)(weights=None, **options)
    shape = tuple(model.inputs[0].shape)[1:]
    export_and_compare(model, images((2, *shape)), "static", tmp_path)


RECURRENT = {
    "lstm": lambda: [layers.LSTM(6)],
    "gru_sequences": lambda: [layers.GRU(6, return_sequences=True)],
    "gru_reset_before": lambda: [layers.GRU(5, reset_after=False)],
    "simple_rnn_backwards": lambda: [layers.SimpleRNN(5, go_backwards=True)],
    "stacked_lstm": lambda: [layers.LSTM(6, return_sequences=True), layers.LSTM(4)],
    "bidirectional_lstm": lambda: [layers.Bidirectional(layers.LSTM(4))],
}


@pytest.mark.parametrize("name", sorted(RECURRENT))
def test_recurrent_layers_become_onnx_scan(name, engine, tmp_path):
    model = kerasish.Sequential([kerasish.Input((5, 4)), *RECURRENT[name](), layers.Dense(2)])
    randomize(model)
    export_and_compare(model, images((3, 5, 4)), engine, tmp_path)
    kinds = {node.op_type for node in onnx.load(os.path.join(tmp_path, "model.onnx")).graph.node}
    assert "Scan" in kinds


def test_lstm_over_masked_embeddings(engine, tmp_path):
    model = kerasish.Sequential(
        [kerasish.Input((6,), dtype="int32"), layers.Embedding(9, 4, mask_zero=True), layers.LSTM(5), layers.Dense(2)]
    )
    randomize(model)
    ids = numpy.array([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 1], [2, 0, 0, 0, 0, 0]], dtype="int32")
    export_and_compare(model, ids, engine, tmp_path)


# ----- API: options, archives, hand-built static functions, errors ------------------------------


def test_unknown_format_is_an_error(tmp_path):
    model = cnn()
    with pytest.raises(ValueError, match=r"Unrecognized format='tf_saved_model'. Supported formats are: \['onnx'\]"):
        model.export(os.path.join(tmp_path, "m"), format="tf_saved_model")


@pytest.mark.parametrize("opset, error", [(16, ValueError), (10_000, ValueError), ("18", TypeError)])
def test_bad_opset(opset, error, tmp_path):
    with pytest.raises(error, match="opset_version"):
        cnn().export(os.path.join(tmp_path, "m.onnx"), opset_version=opset)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("opset", [17, 18])
def test_opsets(opset, tmp_path):
    model = kerasish.Sequential(
        [kerasish.Input((6, 6, 2)), layers.Conv2D(3, 3), layers.GlobalAveragePooling2D(), layers.LayerNormalization()]
    )
    randomize(model)
    path = os.path.join(tmp_path, "m.onnx")
    model.export(path, verbose=False, opset_version=opset)
    assert onnx.load(path).opset_import[0].version == opset
    x = images((2, 6, 6, 2))
    assert relative_error(run_onnx(path, x)[0], model.predict(x, verbose=0)) <= TOLERANCE


def unmapped_model():
    return kerasish.Sequential([kerasish.Input((4,)), layers.Dense(3), CumulativeProduct(name="products")])


def test_unmapped_op_fails_before_writing_and_names_layer_and_op(tmp_path):
    model = unmapped_model()
    path = os.path.join(tmp_path, "m.onnx")
    with pytest.raises(UnmappedOperationError, match=r"op 'cumprod'.*layer '.*products'.*Nothing was written"):
        model.export(path)
    assert os.listdir(tmp_path) == []


def test_failed_export_keeps_the_previous_file(tmp_path):
    path = os.path.join(tmp_path, "m.onnx")
    cnn().export(path, verbose=False)
    before = open(path, "rb").read()
    with pytest.raises(UnmappedOperationError):
        unmapped_model().export(path)
    assert open(path, "rb").read() == before
    assert os.listdir(tmp_path) == ["m.onnx"]


def test_subclassed_model_needs_input_signature(tmp_path):
    class Twice(kerasish.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(3)

        def call(self, x, training=False):
            return self.dense(x) * 2.0

    model = Twice()
    x = images((4, 5))
    model.predict(x, verbose=0)
    path = os.path.join(tmp_path, "m.onnx")
    with pytest.raises(ValueError, match="input_signature"):
        model.export(path)
    model.export(path, verbose=False, input_signature=[kerasish.layers.InputSpec(shape=(None, 5))])
    assert relative_error(run_onnx(path, x)[0], model.predict(x, verbose=0)) <= TOLERANCE


def test_export_archive_writes_one_file_per_endpoint(tmp_path):
    model = cnn()
    features = kerasish.Model(model.inputs, model.layers[4].output)
    archive = ExportArchive()
    archive.track(model)
    archive.add_endpoint("serve", model)
    archive.add_endpoint("features", features, input_signature=[kerasish.layers.InputSpec(shape=(None, 12, 12, 3))])
    with pytest.raises(ValueError, match="already in use"):
        archive.add_endpoint("serve", model)
    archive.write_out(str(tmp_path / "archive"), verbose=False)
    assert sorted(os.listdir(tmp_path / "archive")) == ["features.onnx", "serve.onnx"]
    x = images((2, 12, 12, 3))
    for name, part in (("serve", model), ("features", features)):
        got = run_onnx(str(tmp_path / "archive" / f"{name}.onnx"), x)[0]
        assert relative_error(got, part.predict(x, verbose=0)) <= TOLERANCE


def test_two_outputs_and_a_plain_function_endpoint(tmp_path):
    inputs = kerasish.Input((6,), name="features")
    hidden = layers.Dense(5, activation="relu")(inputs)
    model = kerasish.Model(inputs, [layers.Dense(2, name="left")(hidden), layers.Dense(3, name="right")(hidden)])
    randomize(model)
    archive = ExportArchive()
    archive.track(model)
    archive.add_endpoint("both", model)
    archive.add_endpoint(
        "sum_of_right",
        lambda x: kerasish.ops.sum(model(x)[1], axis=1),
        input_signature=[kerasish.layers.InputSpec(shape=(None, 6))],
    )
    archive.write_out(str(tmp_path), verbose=False)
    x = images((4, 6))
    left, right = model.predict(x, verbose=0)
    both = run_onnx(str(tmp_path / "both.onnx"), x)
    assert [o.name for o in onnx.load(str(tmp_path / "both.onnx")).graph.output] == ["left", "right"]
    assert relative_error(both[0], left) <= TOLERANCE and relative_error(both[1], right) <= TOLERANCE
    total = run_onnx(str(tmp_path / "sum_of_right.onnx"), x)[0]
    assert relative_error(total, right.sum(axis=1)) <= TOLERANCE


def test_archive_with_an_unmapped_endpoint_writes_nothing(tmp_path):
    archive = ExportArchive()
    archive.add_endpoint("good", cnn())
    archive.add_endpoint("bad", unmapped_model())
    with pytest.raises(UnmappedOperationError):
        archive.write_out(str(tmp_path / "archive"))
    assert not os.path.exists(tmp_path / "archive")


def test_hand_built_static_function(tmp_path):
    rng = numpy.random.default_rng(3)
    graph = static.Graph(name="hand")
    with graph.as_default():
        x = static.placeholder((None, 4), name="x")
        w = static.variable(rng.standard_normal((4, 3)).astype("float32"))
        b = static.constant(rng.standard_normal(3).astype("float32"))
        y = kerasish.ops.softmax(kerasish.ops.matmul(x, w) + b)
        z = kerasish.ops.sum(y * y, axis=1)
    function = static.function([x], [y, z])
    path = os.path.join(tmp_path, "f.onnx")
    export_function(function, path, verbose=False)
    data = rng.standard_normal((6, 4)).astype("float32")
    for got, want in zip(run_onnx(path, data), function(data)):
        assert relative_error(got, want) <= TOLERANCE


# ----- single ops, through a hand-built static function ---------------------------------------------

ops = kerasish.ops
OPS = {
    "all_any": lambda x, y: ops.cast(ops.all(x > 0, axis=1), "float32") + ops.cast(ops.any(y > 1, axis=1), "float32"),
    "round": lambda x, y: ops.round(x * 3.0),
    "floor_divide": lambda x, y: ops.floor_divide(x, y + 2.0),
    "mod_float": lambda x, y: ops.mod(x * 5.0, y + 2.0),
    "mod_int": lambda x, y: ops.cast(ops.mod(ops.cast(x * 5.0, "int32"), 3), "float32"),
    "logaddexp": lambda x, y: ops.logaddexp(x * 30.0, y),
    "divide_no_nan": lambda x, y: ops.divide_no_nan(x, ops.relu(y)),
    "nan_to_num": lambda x, y: ops.nan_to_num(ops.log(x) / ops.relu(y), nan=0.5, posinf=7.0, neginf=-7.0),
    "argmax_argmin": lambda x, y: ops.cast(ops.argmax(x, axis=1) + ops.argmin(y, axis=1), "float32"),
    "cumsum": lambda x, y: ops.cumsum(x, axis=1),
    "getitem": lambda x, y: x[1:, ::2] + y[-1, None, :2][:, ::-1],
    "take": lambda x, y: ops.take(x, numpy.array([2, 0, 1]), axis=1),
    "clip_where": lambda x, y: ops.where(x > y, ops.clip(x, -0.5, 0.5), y),
    "einsum": lambda x, y: ops.einsum("ij,kj->ik", x, y),
    "expand_squeeze_concat": lambda x, y: ops.concatenate([ops.squeeze(ops.expand_dims(x, 1), 1), y], axis=0),
    "pad": lambda x, y: ops.pad(x, ((1, 0), (0, 2)), constant_values=1.5),
    "isfinite_sign": lambda x, y: ops.cast(ops.isfinite(ops.log(x)), "float32") * ops.sign(y),
    "transpose_matmul": lambda x, y: ops.matmul(ops.transpose(x), y),
    "max_min_prod": lambda x, y: ops.max(x, axis=0) + ops.min(y, axis=0) + ops.prod(x, axis=0),
    "one_hot": lambda x, y: ops.one_hot(ops.argmax(x, axis=1), 5),
    "power_exp_log": lambda x, y: ops.power(ops.abs(x) + 1.0, 1.5) + ops.exp(y) + ops.log1p(ops.abs(x)),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # log of negatives, division by zero: on purpose
@pytest.mark.parametrize("name", sorted(OPS))
def test_ops_in_a_hand_built_function(name, tmp_path):
    rng = numpy.random.default_rng(4)
    graph = static.Graph(name=name)
    with graph.as_default():
        x = static.placeholder((None, 3), name="x")
        y = static.placeholder((None, 3), name="y")
        result = OPS[name](x, y)
    function = static.function([x, y], result)
    path = os.path.join(tmp_path, "f.onnx")
    export_function(function, path, verbose=False)
    a, b = rng.standard_normal((4, 3)).astype("float32"), rng.standard_normal((4, 3)).astype("float32")
    want = function(a, b)
    got = run_onnx(path, a, b)[0]
    assert got.shape == want.shape and got.dtype == want.dtype
    assert relative_error(got, want) <= TOLERANCE


def control_flow_function(kind):
    """A hand-built function with `cond` or `while_loop`, its weights captured from the outer graph."""
    rng = numpy.random.default_rng(5)
    graph = static.Graph(name=kind)
    with graph.as_default():
        x = static.placeholder((None, 3), name="x")
        w = static.variable(rng.standard_normal((3, 3)).astype("float32") * 0.5)
        if kind == "cond":
            result = ops.cond(ops.sum(x) > 0, lambda: ops.matmul(x, w), lambda: x * 2.0 - 1.0)
        else:

            def test(value, count):
                return ops.logical_and(ops.sum(ops.abs(value)) < 50.0, count < 10)

            def body(value, count):
                return ops.tanh(ops.matmul(value, w)) * 3.0 + value, count + 1

            result = ops.while_loop(test, body, (x, ops.convert_to_tensor(numpy.int32(0))))
            result = result[0] * ops.cast(result[1], "float32")
    return static.function([x], result)


@pytest.mark.parametrize("kind, onnx_op", [("cond", "If"), ("while_loop", "Loop")])
def test_control_flow(kind, onnx_op, tmp_path):
    function = control_flow_function(kind)
    path = os.path.join(tmp_path, "f.onnx")
    export_function(function, path, verbose=False)
    assert onnx_op in {node.op_type for node in onnx.load(path).graph.node}
    rng = numpy.random.default_rng(6)
    for scale in (1.0, -1.0, 0.01):  # both branches; loops of several lengths
        data = (rng.standard_normal((4, 3)) * scale + scale).astype("float32")
        assert relative_error(run_onnx(path, data)[0], function(data)) <= TOLERANCE
