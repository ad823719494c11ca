"""Initializer: the base class of Keras's weight initializers."""


class Initializer:
    """`initializer(shape, dtype=None)` returns the initial value (an array) of a weight."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"Initializer subclass {type(self).__name__} must implement `__call__()`")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())
