"""ProgbarLogger: prints `Epoch i/n` and a Progbar per epoch (or per evaluate/predict call)."""

from kerasish.callbacks.callback import Callback
from kerasish.utils.io_utils import can_draw_live, print_msg
from kerasish.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Created by `fit`/`evaluate`/`predict` from `verbose`; "auto" is a live bar on a terminal and one
    line per epoch otherwise."""

    def __init__(self):
        super().__init__()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        verbose = params["verbose"]
        if verbose == "auto":
            verbose = 1 if can_draw_live() else 2
        self.verbose = verbose
        self.epochs = params["epochs"]
        self.target = params["steps"]

    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()

    def on_predict_begin(self, logs=None):
        self._reset_progbar()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._update_progbar(batch, None)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs=None):
        self._finalize_progbar(logs)

    def _reset_progbar(self):
        """A new bar when the epoch (or the evaluate/predict call) begins, so the first step's time counts."""
        self.seen = 0
        self.progbar = Progbar(target=self.target, verbose=self.verbose, unit_name="step", stateless_metrics=set())

    def _progbar(self):
        if self.progbar is None:
            self._reset_progbar()
        return self.progbar

    def _update_progbar(self, batch, logs):
        self.seen = batch + 1
        self._progbar().update(self.seen, list((logs or {}).items()), finalize=False)

    def _finalize_progbar(self, logs):
        progbar = self._progbar()
        if progbar.target is None:
            progbar.target = self.seen
        progbar.update(progbar.target, list((logs or {}).items()), finalize=True)
