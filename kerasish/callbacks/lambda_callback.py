"""LambdaCallback: a callback made of plain functions, one per hook."""

from kerasish.callbacks.callback import Callback


class LambdaCallback(Callback):
    """Named hooks (`on_epoch_end=lambda epoch, logs: ...`); any other hook can be given as a keyword."""

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_train_begin=None,
        on_train_end=None,
        on_train_batch_begin=None,
        on_train_batch_end=None,
        **kwargs,
    ):
        super().__init__()
        self.__dict__.update(kwargs)
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        for name, hook in hooks.items():
            if hook is not None:
                setattr(self, name, hook)
