"""Arrays and dtypes of other libraries where Keras accepts them: torch and JAX arrays as data (ops, fit,
predict), their dtype objects (and anything whose `.name` is a dtype name, as TensorFlow's are; TensorFlow
itself is not installed here) as `dtype=`. A foreign dtype with no equivalent is a clear error."""

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends.dynamic import Tensor

torch = pytest.importorskip("torch")
jnp = pytest.importorskip("jax.numpy")


class NamedDtype:
    """A dtype object known only by its `.name`, as `tf.float16` is."""

    name = "float16"


DTYPES = [torch.float16, jnp.float16, numpy.float16, numpy.dtype("float16"), "float16", NamedDtype()]


def foreign_arrays():
    values = numpy.arange(6, dtype="float32").reshape(2, 3)
    return values, [torch.tensor(values), jnp.asarray(values)]


def test_foreign_arrays_are_data_for_ops(engine):
    values, arrays = foreign_arrays()
    for array in arrays:
        result = kerasish.function(lambda x, a=array: ops.add(x, a) * 2, engine=engine)(Tensor(values))
        assert result.dtype == "float32"
        numpy.testing.assert_allclose(result.numpy(), values * 4)
        converted = ops.convert_to_tensor(array)
        assert isinstance(converted, Tensor) and converted.dtype == "float32"
        numpy.testing.assert_array_equal(converted.numpy(), values)


class DlpackOnly:
    """An array known only through `__dlpack__` (as some libraries' GPU or sparse-free tensors are)."""

    def __init__(self, values):
        self.values, self.shape = values, values.shape

    def __len__(self):
        return len(self.values)

    def __dlpack__(self, **kwargs):
        return self.values.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self.values.__dlpack_device__()


def test_an_object_with_only_dlpack_is_data(engine):
    values = numpy.arange(8, dtype="float32").reshape(4, 2)
    numpy.testing.assert_array_equal(ops.convert_to_tensor(DlpackOnly(values)).numpy(), values)
    numpy.testing.assert_array_equal(ops.multiply(DlpackOnly(values), 2.0).numpy(), values * 2)
    model = kerasish.Sequential([kerasish.Input((2,)), kerasish.layers.Dense(1)])
    model.set_weights([numpy.ones((2, 1), "float32"), numpy.zeros(1, "float32")])
    model.compile(optimizer="sgd", loss="mse", backend=engine)
    model.fit(DlpackOnly(values), DlpackOnly(values[:, :1]), batch_size=2, verbose=0)
    predictions = model.predict(DlpackOnly(values), verbose=0)
    assert predictions.shape == (4, 1) and numpy.isfinite(predictions).all()


def test_fit_and_predict_take_torch_and_jax_arrays(engine):
    rng = numpy.random.default_rng(0)
    x, y = rng.random((16, 3)).astype("float32"), rng.random((16, 1)).astype("float32")
    results = []
    for as_data in (numpy.asarray, torch.tensor, jnp.asarray):
        model = kerasish.Sequential([kerasish.Input((3,)), kerasish.layers.Dense(1)])
        model.set_weights([numpy.full((3, 1), 0.5, "float32"), numpy.zeros(1, "float32")])
        model.compile(optimizer="sgd", loss="mse", backend=engine)
        history = model.fit(as_data(x), as_data(y), batch_size=8, epochs=2, shuffle=False, verbose=0)
        results.append((history.history["loss"], model.predict(as_data(x), verbose=0)))
    for losses, predictions in results[1:]:
        numpy.testing.assert_allclose(losses, results[0][0], rtol=1e-6)
        numpy.testing.assert_allclose(predictions, results[0][1], rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES, ids=repr)
def test_dtype_objects_of_every_library_are_dtype_arguments(dtype):
    assert kerasish.backend.standardize_dtype(dtype) == "float16"
    assert ops.convert_to_tensor([1.0, 2.0], dtype=dtype).dtype == "float16"
    assert ops.cast(numpy.ones(2, "float32"), dtype).dtype == "float16"
    assert ops.zeros((2,), dtype=dtype).dtype == "float16"
    assert ops.ones((2,), dtype=dtype).dtype == "float16"
    assert kerasish.Variable(numpy.ones(2), dtype=dtype).dtype == "float16"
    assert kerasish.Input((2,), dtype=dtype).dtype == "float16"
    layer = kerasish.layers.Dense(2, dtype=dtype)
    assert layer.dtype == "float16"
    assert layer.add_weight(shape=(2,), dtype=dtype).dtype == "float16"


def test_a_foreign_dtype_without_an_equivalent_is_a_clear_error():
    with pytest.raises(ValueError, match=r"Invalid dtype: torch.complex32 has no kerasish equivalent"):
        ops.zeros((2,), dtype=torch.complex32)
    with pytest.raises(ValueError, match="torch.complex32"):
        kerasish.layers.Dense(2, dtype=torch.complex32)
