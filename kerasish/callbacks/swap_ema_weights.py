"""SwapEMAWeights: evaluate and predict with the optimizer's moving averages of the weights (`use_ema=True`)
instead of the weights being trained, swapping them back afterwards."""

import numpy

from kerasish.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Args:
    swap_on_epoch: Also swap at each epoch end (so checkpoints written then hold the averages) and back
        at the next epoch's start. At the end of `fit` the optimizer sets the model's weights to the
        averages either way.
    """

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _ema_optimizers(self):
        optimizer = getattr(self.model.optimizer, "inner_optimizer", self.model.optimizer)
        optimizers = getattr(optimizer, "optimizers", [optimizer])
        with_ema = [inner for inner in optimizers if getattr(inner, "use_ema", False)]
        if not with_ema:
            raise ValueError(
                "SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. "
                f"Received: use_ema={getattr(optimizer, 'use_ema', False)}"
            )
        return [inner for inner in with_ema if hasattr(inner, "_model_variables_moving_average")]

    def _swap_variables(self):
        for optimizer in self._ema_optimizers():
            for variable, average in zip(optimizer._trainable_variables, optimizer._model_variables_moving_average):
                trained = numpy.array(variable.numpy())
                variable.assign(average)
                average.assign(trained)

    def _finalize_ema_values(self):
        # The model now holds the averages, which `finalize_variable_values` will copy from the optimizer.
        for optimizer in self._ema_optimizers():
            for variable, average in zip(optimizer._trainable_variables, optimizer._model_variables_moving_average):
                average.assign(variable)

    def _swap_in(self):
        if not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True

    def _swap_out(self):
        if self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._swap_out()

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap_in()
            if epoch == self.params["epochs"] - 1:
                self._finalize_ema_values()

    def on_test_begin(self, logs=None):
        self._swap_in()

    def on_test_end(self, logs=None):
        self._swap_out()

    def on_predict_begin(self, logs=None):
        self._swap_in()

    def on_predict_end(self, logs=None):
        self._swap_out()
