"""SpatialDropout1D/2D/3D: dropout of whole feature maps (one draw per example and channel), as Keras."""

from kerasish import random
from kerasish.layers.arguments import standardize_data_format
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.regularization.dropout import Dropout


class BaseSpatialDropout(Dropout):
    """Keras's signature and config: (rate, seed, name, dtype), plus data_format for 2-D and 3-D."""

    rank = None

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.data_format = "channels_last"

    def noise_shape_for(self):
        """The spatial axes get one draw (1); the batch and channel axes draw per element (None)."""
        if self.data_format == "channels_first":
            return (None, None) + (1,) * self.rank
        return (None,) + (1,) * self.rank + (None,)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        return random.dropout(inputs, self.rate, noise_shape=self.noise_shape_for(), seed=self.seed_generator)

    def get_config(self):
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


class SpatialDropout1D(BaseSpatialDropout):
    rank = 1


class SpatialImageDropout(BaseSpatialDropout):
    """SpatialDropout2D and 3D: the channel axis follows `data_format`."""

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = standardize_data_format(data_format)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class SpatialDropout2D(SpatialImageDropout):
    rank = 2


class SpatialDropout3D(SpatialImageDropout):
    rank = 3
