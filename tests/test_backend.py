import kerasish
from kerasish import backend


def test_get_uid_counts_from_one_per_prefix_and_shares_default_names():
    backend.clear_session()
    assert [backend.get_uid("dense"), backend.get_uid("dense"), backend.get_uid("conv")] == [1, 2, 1]
    assert kerasish.layers.Dense(1).name == "dense_2"


def test_is_keras_tensor_and_dtype_helpers():
    symbolic = kerasish.Input((3,))
    assert backend.is_keras_tensor(symbolic)
    assert not backend.is_keras_tensor(kerasish.ops.ones((3,)))
    assert backend.standardize_dtype("int") == "int32"
    assert backend.result_type("int8", "uint8") == "int16"
    assert backend.is_float_dtype("float16") and backend.is_int_dtype("int8")
