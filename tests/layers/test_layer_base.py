import numpy
import pytest

import kerasish
from kerasish import layers, ops
from kerasish.backends.symbolic import KerasTensor
from kerasish.utils.naming import reset_names
from tests.models.toy_layers import Moments, Recorder, Scale, Total


@pytest.fixture(autouse=True)
def fresh_names():
    reset_names()


def squares(weight):
    return ops.sum(weight * weight)


class Block(layers.Layer):
    """Sublayers held in a list and a dict, plus an own weight."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.stack = [Scale(), Moments()]
        self.named = {"last": Scale()}

    def build(self, input_shape):
        self.offset = self.add_weight(shape=(), name="offset", initializer=lambda s, d: numpy.zeros(s, d))

    def call(self, inputs, training=None):
        x = inputs
        for layer in self.stack:
            x = layer(x)
        return self.named["last"](x) + self.offset


class Outer(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = Recorder()

    def call(self, inputs):
        return self.inner(inputs)


def run(engine, function, *args):
    """Call `function` on the given engine: directly, or traced by kerasish.function."""
    return kerasish.function(function, engine=engine)(*args)


def test_default_names_are_unique_per_class():
    assert [Scale().name, Scale().name, Total().name, Scale(name="mine").name] == ["scale", "scale_1", "total", "mine"]


def test_build_on_first_call_creates_weights_from_the_input_shape(engine):
    layer = Scale()
    assert not layer.built
    x = numpy.arange(6, dtype="float32").reshape(2, 3)
    y = run(engine, lambda t: layer(t), kerasish.backends.dynamic.Tensor(x))
    assert layer.built
    assert [w.shape for w in layer.weights] == [(3,), (3,)]
    assert [w.path for w in layer.weights] == ["scale/kernel", "scale/bias"]
    numpy.testing.assert_allclose(y.numpy(), x * numpy.linspace(0.5, 1.5, 3), rtol=1e-6)
    assert y.dtype == numpy.float32


def test_numpy_float64_input_is_cast_to_the_layer_dtype():
    y = Scale()(numpy.ones((2, 3)))
    assert y.dtype == numpy.float32


class Identity(kerasish.layers.Layer):
    def call(self, inputs):
        return inputs


def test_tensor_inputs_are_cast_only_when_floating_and_autocast():
    Tensor = kerasish.backends.dynamic.Tensor
    wide, ints = Tensor(numpy.ones((2, 3))), Tensor(numpy.ones((2, 3), "int32"))
    assert Identity()(wide).dtype == numpy.float32
    assert Identity(dtype="float16")(Tensor(numpy.ones((2, 3), "float32"))).dtype == numpy.float16
    assert Identity()(ints) is ints
    assert Identity(autocast=False)(wide).dtype == numpy.float64
    same = Tensor(numpy.ones((2, 3), "float32"))
    assert Identity()(same) is same


def test_sublayers_in_lists_and_dicts_are_tracked_and_weights_keep_keras_order():
    block = Block()
    block(numpy.ones((2, 3), "float32"))
    assert [w.path for w in block.weights] == [
        "block/offset",
        "block/scale/kernel",
        "block/scale/bias",
        "block/moments/gamma",
        "block/moments/count",
        "block/scale_1/kernel",
        "block/scale_1/bias",
    ]
    assert [w.name for w in block.non_trainable_weights] == ["count"]
    assert len(block.trainable_weights) == 6
    assert block.count_params() == 1 + 6 + 3 + 1 + 6


def test_trainable_false_freezes_sublayers():
    block = Block()
    block(numpy.ones((2, 3), "float32"))
    block.trainable = False
    assert block.trainable_weights == []
    assert len(block.non_trainable_weights) == 7
    assert not block.stack[0].trainable and not block.stack[0].kernel.trainable
    block.trainable = True
    assert len(block.trainable_weights) == 6
    assert not block.stack[1].count.trainable


def test_training_flag_reaches_nested_layers_and_explicit_values_win():
    outer = Outer()
    x = numpy.ones((1, 2), "float32")
    outer(x)
    outer(x, training=True)
    outer(x, training=False)
    assert outer.inner.seen == [None, True, False]
    recorder = Recorder()
    recorder(x, training=True)
    assert recorder.seen == [True]


def test_training_flag_drives_state_updates(engine):
    layer = Moments()
    x = kerasish.backends.dynamic.Tensor(numpy.ones((2, 3), "float32"))
    run(engine, lambda t: layer(t, training=True), x)
    run(engine, lambda t: layer(t, training=False), x)
    assert float(layer.count.numpy()) == 1.0


def test_weight_regularizer_losses_are_collected(engine):
    layer = Scale(regularizer=squares)
    outer_block = Block()
    outer_block.named["last"] = layer
    x = kerasish.backends.dynamic.Tensor(numpy.ones((2, 3), "float32"))
    losses = run(engine, lambda t: (outer_block(t), outer_block.losses)[1], x)
    expected = numpy.sum(numpy.linspace(0.5, 1.5, 3) ** 2)
    assert len(losses) == 1
    numpy.testing.assert_allclose(losses[0].numpy(), expected, rtol=1e-6)


def test_activity_regularizer_loss_is_divided_by_the_batch_size_and_reset_each_call():
    layer = Scale(activity_regularizer=squares)
    x = numpy.ones((4, 3), "float32")
    layer(x)
    layer(x)
    assert len(layer.losses) == 1
    expected = numpy.sum((numpy.linspace(0.5, 1.5, 3)) ** 2) * 4 / 4
    numpy.testing.assert_allclose(layer.losses[0].numpy(), expected, rtol=1e-6)


def test_add_loss_collects_from_sublayers():
    class Penalised(layers.Layer):
        def call(self, inputs):
            self.add_loss(ops.sum(inputs))
            return inputs

    class Wrapper(layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = Penalised()

        def call(self, inputs):
            return self.inner(inputs)

    wrapper = Wrapper()
    wrapper(numpy.ones((2, 2), "float32"))
    assert [float(loss.numpy()) for loss in wrapper.losses] == [4.0]


def test_get_config_has_the_base_keys_and_round_trips():
    layer = Scale(name="scaler", trainable=False)
    config = layer.get_config()
    assert config["name"] == "scaler" and config["trainable"] is False
    assert config["dtype"]["config"]["name"] == "float32"
    clone = Scale.from_config(config)
    assert (clone.name, clone.trainable, clone.dtype) == ("scaler", False, "float32")


def test_simple_constructor_arguments_give_a_config_automatically():
    class Shift(layers.Layer):
        def __init__(self, amount, **kwargs):
            super().__init__(**kwargs)
            self.amount = amount

        def call(self, inputs):
            return inputs + self.amount

    config = Shift(2.5, name="shift").get_config()
    assert config["amount"] == 2.5
    assert Shift.from_config(config).amount == 2.5


def test_input_shape_argument_is_accepted_with_a_warning():
    with pytest.warns(UserWarning, match="input_shape"):
        layer = Scale(input_shape=(3,))
    assert layer._input_shape_arg == (3,)


def test_unknown_keyword_argument_names_the_class():
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to Scale: {'units': 3}"):
        Scale(units=3)


def test_wrong_input_shape_names_the_layer_expected_and_received():
    layer = Scale()
    layer(numpy.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match=r"Scale 'scale'.*expected axis -1 of input shape to have value 3.*\(2, 5\)"):
        layer(numpy.ones((2, 5), "float32"))


def test_op_shape_error_inside_call_names_the_layer():
    class Mismatch(layers.Layer):
        def call(self, inputs):
            return inputs * numpy.ones((7,), "float32")

    x = kerasish.Input((3,))
    with pytest.raises(ValueError, match=r"^Mismatch 'mismatch': .*\(7,\)"):
        Mismatch()(x)


def test_set_weights_checks_count_and_shapes():
    layer = Scale()
    layer(numpy.ones((1, 3), "float32"))
    with pytest.raises(ValueError, match="Scale 'scale'.*length 1.*expecting 2"):
        layer.set_weights([numpy.ones(3)])
    with pytest.raises(ValueError, match=r"scale/kernel has shape \(3,\).*\(4,\)"):
        layer.set_weights([numpy.ones(4), numpy.ones(3)])
    layer.set_weights([numpy.full(3, 2.0), numpy.full(3, 1.0)])
    numpy.testing.assert_allclose(layer(numpy.ones((1, 3), "float32")).numpy(), [[3.0, 3.0, 3.0]])
    assert [w.tolist() for w in layer.get_weights()] == [[2.0] * 3, [1.0] * 3]


def test_count_params_before_build_is_an_error():
    with pytest.raises(ValueError, match="count_params.*'scale'.*isn't built"):
        Scale().count_params()


def test_forgetting_super_init_is_reported():
    class Forgetful(layers.Layer):
        def __init__(self):
            self.units = 1

        def call(self, inputs):
            return inputs

    with pytest.raises(RuntimeError, match=r"forgot to call `super\(\).__init__\(\)`"):
        Forgetful()(numpy.ones((1, 1), "float32"))


def test_input_gives_a_keras_tensor_and_layers_infer_shapes_symbolically():
    x = kerasish.Input((4,), name="features")
    assert isinstance(x, KerasTensor) and x.shape == (None, 4)
    y = Total()(Scale()(x))
    assert isinstance(y, KerasTensor) and y.shape == (None, 1) and y.dtype == numpy.float32
    assert (y + 1.0).shape == (None, 1)
    with pytest.raises(ValueError, match=r"add.*\(None, 4\).*\(3,\)"):
        x + numpy.ones(3, "float32")


def test_compute_output_shape_runs_the_layer_symbolically():
    assert Total().compute_output_shape((None, 5)) == (None, 1)
    assert Scale().compute_output_shape((2, 5)) == (2, 5)


def test_input_layer_config_matches_keras():
    layer = layers.InputLayer(shape=(4,), name="a")
    assert layer.get_config() == {
        "batch_shape": (None, 4),
        "dtype": "float32",
        "sparse": False,
        "ragged": False,
        "name": "a",
        "optional": False,
    }
    with pytest.raises(ValueError, match="both `shape` and `batch_shape`"):
        layers.InputLayer(shape=(4,), batch_shape=(None, 4))


def test_input_spec_checks_rank_and_dtype():
    layer = Total()
    layer.input_spec = layers.InputSpec(ndim=2, dtype="float32")
    with pytest.raises(ValueError, match=r"Total 'total'.*expected ndim=2, found ndim=3"):
        layer(numpy.ones((1, 2, 3), "float32"))
    with pytest.raises(ValueError, match="expected dtype=float32, found dtype=int32"):
        layer(numpy.ones((1, 2), "int32"))


def test_an_input_that_passed_is_checked_again_when_its_shape_dtype_or_the_spec_changes():
    """A layer skips the input_spec check for a tensor like the last one that passed the same spec."""
    layer = Total()
    layer.input_spec = layers.InputSpec(ndim=2, dtype="float32", axes={-1: 3})
    layer(numpy.ones((4, 3), "float32"))
    layer(numpy.ones((4, 3), "float32"))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer(numpy.ones((4, 5), "float32"))
    with pytest.raises(ValueError, match="expected dtype=float32, found dtype=int32"):
        layer(numpy.ones((4, 3), "int32"))
    layer(numpy.ones((4, 3), "float32"))
    layer.input_spec = layers.InputSpec(ndim=3)
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        layer(numpy.ones((4, 3), "float32"))


class MaskZeros(layers.Layer):
    def compute_mask(self, inputs, previous_mask=None):
        return ops.not_equal(inputs, 0.0)

    def call(self, inputs):
        return inputs


class MaskReader(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.masks = []

    def call(self, inputs, mask=None):
        self.masks.append(mask)
        return inputs


def test_masks_flow_from_compute_mask_to_call_and_through_masking_layers():
    masker, reader, after = MaskZeros(), MaskReader(), MaskReader()
    x = numpy.array([[1.0, 0.0, 2.0]], "float32")
    after(reader(masker(x)))
    assert reader.masks[0].numpy().tolist() == [[True, False, True]]
    assert after.masks[0].numpy().tolist() == [[True, False, True]]


def test_masks_flow_through_a_functional_model():
    inputs = kerasish.Input((3,))
    reader = MaskReader()
    model = kerasish.Model(inputs, reader(MaskZeros()(inputs)))
    model(numpy.array([[0.0, 5.0, 0.0]], "float32"))
    assert reader.masks[0] is not None and reader.masks[-1].numpy().tolist() == [[False, True, False]]


def test_a_mask_reaching_a_layer_without_masking_support_warns():
    with pytest.warns(UserWarning, match="does not support masking"):
        Total()(MaskZeros()(numpy.ones((1, 3), "float32")))


class MaskApplier(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        return inputs if mask is None else inputs * ops.cast(mask, inputs.dtype) * 10.0


def test_masks_reach_layers_on_both_engines(engine):
    inputs = kerasish.Input((3,))
    model = kerasish.Model(inputs, MaskApplier()(MaskZeros()(inputs)))
    x = kerasish.backends.dynamic.Tensor(numpy.array([[0.0, 5.0, 2.0]], "float32"))
    assert run(engine, lambda t: model(t), x).numpy().tolist() == [[0.0, 50.0, 20.0]]


def test_training_passed_positionally_is_respected_and_reaches_sublayers():
    class Positional(layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = Recorder()
            self.seen = []

        def call(self, inputs, training=None):
            self.seen.append(training)
            return self.inner(inputs)

    layer = Positional()
    x = numpy.ones((1, 2), "float32")
    layer(x, True)
    layer(x, False)
    assert layer.seen == [True, False] and layer.inner.seen == [True, False]
