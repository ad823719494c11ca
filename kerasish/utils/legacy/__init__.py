"""kerasish.utils.legacy: Keras 2's (de)serialization format, as `keras.utils.legacy` keeps it."""

from kerasish.utils.legacy.serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["deserialize_keras_object", "serialize_keras_object"]
