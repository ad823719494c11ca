"""`keras.layers.serialize` / `deserialize`: a layer to and from Keras 3's serialized form."""

from kerasish.layers.layer import Layer
from kerasish.utils.object_serialization import deserialize_keras_object, serialize_keras_object


def serialize(layer):
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    layer = deserialize_keras_object(config, custom_objects=custom_objects)
    if not isinstance(layer, Layer):
        raise ValueError(
            "`keras.layers.deserialize` was passed a `config` object that is not a `keras.layers.Layer`. "
            f"Received: {config}"
        )
    return layer
