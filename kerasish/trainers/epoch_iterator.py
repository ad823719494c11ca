"""Batches epoch by epoch: one full pass over the data per epoch, or `steps` batches per epoch that
continue where the previous epoch stopped (starting new passes over re-readable data as needed)."""
import warnings


class EpochIterator:
    def __init__(self, adapter, steps=None):
        self.adapter, self.steps = adapter, steps
        self.passes = adapter.passes()
        self.current = None
        self.exhausted = False

    @property
    def num_steps(self):
        """Batches per epoch, or None when unknown (a generator without `steps`)."""
        return self.steps or self.adapter.num_batches

    def epoch(self):
        """Yield (step, batch) for one epoch; warn and mark `exhausted` when the data runs out."""
        taken = 0
        while self.steps is None or taken < self.steps:
            if self.current is None:
                self.current = next(self.passes, None)
                if self.current is None:
                    break
            batch = next(self.current, None)
            if batch is None:
                self.current = None
                if self.steps is None and taken:
                    return
                continue
            yield taken, batch
            taken += 1
        if self.steps is not None and taken < self.steps or taken == 0:
            warnings.warn("Your input ran out of data; interrupting training. Make sure that your dataset or "
                          "generator can generate at least `steps_per_epoch * epochs` batches", stacklevel=2)
            self.exhausted = True
