"""CallbackList: calls every hook of a list of callbacks, adding History and ProgbarLogger on request."""

import numpy

from kerasish.backends.tree import flatten
from kerasish.callbacks.callback import Callback
from kerasish.callbacks.history import History
from kerasish.callbacks.progbar_logger import ProgbarLogger


def pythonify_logs(logs):
    """Flatten nested dicts and turn tensors and numpy scalars into Python floats where possible."""
    result = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
            continue
        scalar = not isinstance(value, (list, tuple, str)) and numpy.ndim(value) == 0
        array = numpy.asarray(value.numpy() if hasattr(value, "numpy") else value) if scalar else None
        result[key] = float(array) if scalar and array.dtype.kind in "biuf" else value
    return result


class CallbackList(Callback):
    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        super().__init__()
        self._implementers = {}  # hook -> (the callbacks when looked up, those implementing it)
        self.callbacks = flatten(callbacks) if callbacks else []
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"CallbackList: every callback must be a kerasish.callbacks.Callback, "
                    f"received {callback!r} of type {type(callback).__name__}"
                )
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        self.set_model(model)
        self.set_params(params)

    def set_params(self, params):
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model):
        if not model:
            return
        super().set_model(model)
        if self._history:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def _call(self, hook, logs, *index):
        """Call `hook` of every callback that implements it with the epoch or batch `index` (if any) and the
        logs, turned into Python numbers only when some callback will read them (as TF-Keras skips batch hooks
        nobody overrides: a step's logs are tensors, and reading them costs time on every batch)."""
        callbacks = self._implementing(hook)
        if not callbacks:
            return
        logs = pythonify_logs(logs)
        for callback in callbacks:
            getattr(callback, hook)(*index, logs)

    def calls(self, hook):
        """Whether calling `hook` does anything: a loop asks once per epoch for its batch hooks, and skips those
        that no callback implements (as TF-Keras does) without a call on every batch. A subclass that overrides
        the hook itself is always called."""
        return getattr(type(self), hook) is not getattr(CallbackList, hook) or bool(self._implementing(hook))

    def _implementing(self, hook):
        """The callbacks that implement `hook`, found once per hook (batch hooks run on every step) and again
        if the list of callbacks changed."""
        known = self._implementers.get(hook)
        if known is None or known[0] != self.callbacks:  # lists compare their items: no copy on every batch
            current = list(self.callbacks)
            known = self._implementers[hook] = (current, [c for c in current if _implements(c, hook)])
        return known[1]

    def on_batch_begin(self, batch, logs=None):
        self._call("on_batch_begin", logs, batch)

    def on_batch_end(self, batch, logs=None):
        self._call("on_batch_end", logs, batch)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", logs, epoch)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", logs, epoch)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", logs, batch)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", logs, batch)

    def on_test_batch_begin(self, batch, logs=None):
        self._call("on_test_batch_begin", logs, batch)

    def on_test_batch_end(self, batch, logs=None):
        self._call("on_test_batch_end", logs, batch)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call("on_predict_batch_begin", logs, batch)

    def on_predict_batch_end(self, batch, logs=None):
        self._call("on_predict_batch_end", logs, batch)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs)


_DEFAULTS_CALLING = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def _implements(callback, hook):
    """Whether the callback does something on `hook`: its own method (or function, as LambdaCallback sets),
    or, for the train-batch hooks, the `on_batch_*` method that the default one calls."""
    names = (hook, _DEFAULTS_CALLING[hook]) if hook in _DEFAULTS_CALLING else (hook,)
    return any(getattr(getattr(callback, name), "__func__", None) is not getattr(Callback, name) for name in names)
