"""LearningRateScheduler: set the learning rate at the start of each epoch from `schedule(epoch, lr)`."""

import numpy

from kerasish.callbacks.callback import Callback
from kerasish.callbacks.learning_rate import get_learning_rate, set_learning_rate


class LearningRateScheduler(Callback):
    """`schedule(epoch, lr) -> float`, or the older `schedule(epoch) -> float`."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        learning_rate = get_learning_rate(self.model.optimizer)
        try:
            learning_rate = self.schedule(epoch, learning_rate)
        except TypeError:
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, numpy.float32, numpy.float64)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {learning_rate!r}")
        set_learning_rate(self.model.optimizer, learning_rate)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {learning_rate}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = get_learning_rate(self.model.optimizer)
