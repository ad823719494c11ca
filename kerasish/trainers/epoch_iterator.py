"""Batches epoch by epoch: one full pass over the data per epoch, or `steps` batches per epoch that
continue where the previous epoch stopped (starting new passes over re-readable data as needed).

Every turn of the loop either yields a batch or ends the epoch: a pass that yields nothing is never
followed by another one, so empty data is an error (when nothing was ever read) or the end of the data.
"""

import warnings

_END = object()


class EpochIterator:
    def __init__(self, adapter, steps=None, function="train_function"):
        self.adapter, self.steps, self.function = adapter, steps, function
        self.passes = adapter.passes()
        self.current = None
        self.exhausted = False
        self.read_any = False

    @property
    def num_steps(self):
        """Batches per epoch, or None when unknown (a generator without `steps`)."""
        return self.steps or self.adapter.num_batches

    def epoch(self):
        """Yield (step, batch) for one epoch; warn and mark `exhausted` when the data runs out."""
        taken, fresh = 0, False
        while self.steps is None or taken < self.steps:
            if self.current is None:
                self.current = next(self.passes, None)
                if self.current is None:
                    break
                fresh = True
            batch = next(self.current, _END)
            if batch is _END:
                self.current = None
                if fresh:
                    self._check_not_empty()
                    break
                if self.steps is None and taken:
                    return
                continue
            fresh = False
            self.read_any = True
            yield taken, batch
            taken += 1
        if self.steps is not None and taken < self.steps or taken == 0:
            warnings.warn(
                "Your input ran out of data; interrupting training. Make sure that your dataset or "
                "generator can generate at least `steps_per_epoch * epochs` batches",
                stacklevel=2,
            )
            self.exhausted = True

    def _check_not_empty(self):
        if not self.read_any:
            raise ValueError(
                f"Unexpected result of `{self.function}` (empty logs): the input data "
                f"({self.adapter.source}) is empty, it produced no batches"
            )
