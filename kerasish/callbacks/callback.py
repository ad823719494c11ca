"""The base class of every callback: Keras 3's hooks, each a no-op until overridden."""


class Callback:
    """Hooks called by `fit`, `evaluate` and `predict`; `self.model` and `self.params` are set for them."""

    def __init__(self):
        self.params = None
        self.model = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    def on_batch_begin(self, batch, logs=None):
        """A backwards-compatible alias of `on_train_batch_begin`."""

    def on_batch_end(self, batch, logs=None):
        """A backwards-compatible alias of `on_train_batch_end`."""

    def on_epoch_begin(self, epoch, logs=None):
        """At the start of an epoch (training only)."""

    def on_epoch_end(self, epoch, logs=None):
        """At the end of an epoch; `logs` holds the epoch's metrics, `val_` ones included."""

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Before a batch of `evaluate` (and of validation in `fit`)."""

    def on_test_batch_end(self, batch, logs=None):
        """After a batch of `evaluate` (and of validation in `fit`)."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Before a batch of `predict`."""

    def on_predict_batch_end(self, batch, logs=None):
        """After a batch of `predict`."""

    def on_train_begin(self, logs=None):
        """At the start of `fit`."""

    def on_train_end(self, logs=None):
        """At the end of `fit`."""

    def on_test_begin(self, logs=None):
        """At the start of `evaluate` (and of validation in `fit`)."""

    def on_test_end(self, logs=None):
        """At the end of `evaluate` (and of validation in `fit`)."""

    def on_predict_begin(self, logs=None):
        """At the start of `predict`."""

    def on_predict_end(self, logs=None):
        """At the end of `predict`."""
