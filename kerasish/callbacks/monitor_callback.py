"""MonitorCallback: the base of callbacks that watch one logged quantity and judge improvements."""

import operator
import warnings

from kerasish.callbacks.callback import Callback


class MonitorCallback(Callback):
    """`mode` "auto" minimises `loss`/`val_loss` and otherwise follows the `_direction` ("up"/"down")
    of the model's metric of that name, as Keras does."""

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.", stacklevel=2)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            self.monitor_op = self._automatic_op()
        if self.monitor_op is operator.lt:
            self.min_delta *= -1

    def _automatic_op(self):
        name = self.monitor.removeprefix("val_")
        if name == "loss":
            return operator.lt
        for metric in _all_metrics(getattr(self.model, "metrics", [])):
            if getattr(metric, "name", None) == name and hasattr(metric, "_direction"):
                return operator.gt if metric._direction == "up" else operator.lt
        raise ValueError(
            f"{type(self).__name__} callback received monitor={self.monitor}, but kerasish isn't "
            "able to automatically determine whether that metric should be maximized or minimized. "
            "Pass `mode='max'` in order to monitor based on the highest metric value, or pass "
            "`mode='min'` in order to use the lowest value."
        )

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        return self.monitor_op(monitor_value - self.min_delta, reference_value)


def _all_metrics(metrics):
    """The metrics, with those inside metric containers (compile metrics) listed too."""
    for metric in metrics:
        yield metric
        inner = getattr(metric, "metrics", None)
        if isinstance(inner, (list, tuple)):
            yield from _all_metrics(inner)
