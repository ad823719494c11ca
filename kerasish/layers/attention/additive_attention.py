"""AdditiveAttention (Keras 3's Bahdanau-style attention): scores `sum(scale * tanh(query + key))` over the
features, with a learned `scale` vector (`use_scale=True`); masking, softmax and dropout as `Attention`."""

from kerasish import ops
from kerasish.layers.attention.attention import Attention


class AdditiveAttention(Attention):
    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=[input_shape[0][-1]], initializer="glorot_uniform")

    def _calculate_scores(self, query, key):
        summed = ops.tanh(ops.expand_dims(query, axis=-2) + ops.expand_dims(key, axis=-3))
        return ops.sum(summed if self.scale is None else self.scale * summed, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
