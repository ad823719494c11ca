"""`keras.optimizers.legacy`: Keras 2's optimizers, which Keras 3 does not offer either. Making one raises
Keras 3's ImportError, pointing at the optimizer of the same name in `keras.optimizers`."""


class LegacyOptimizer:
    def __init__(self, *args, **kwargs):
        raise ImportError(
            "`keras.optimizers.legacy` is not supported in Keras 3, nor in kerasish: use the optimizer of the "
            f"same name in `keras.optimizers` (e.g. `keras.optimizers.{type(self).__name__}`)"
        )


class Adagrad(LegacyOptimizer):
    pass


class Adam(LegacyOptimizer):
    pass


class Ftrl(LegacyOptimizer):
    pass


class RMSprop(LegacyOptimizer):
    pass


class SGD(LegacyOptimizer):
    pass


class Optimizer(LegacyOptimizer):
    pass
