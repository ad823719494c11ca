"""kerasish.layers: Keras 3's layers. Each layer module adds its own import line here."""
from kerasish.layers.input_layer import Input, InputLayer
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.layer import Layer
