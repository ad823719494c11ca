"""DistributedOptimizer (Horovod's shape) for custom training loops: wrap any kerasish optimizer and its
`apply`/`apply_gradients` first average the gradients over every process, in buckets, then update.

Under `set_distribution(DataParallel(...))` every optimizer already averages its gradients, so the
wrapper is for loops that call `initialize()` without setting a distribution; with one set, it averages
once, not twice.
"""

from kerasish.distribution.collectives import allreduce_gradients, gradients_reduced


class DistributedOptimizer:
    def __init__(self, optimizer):
        if not hasattr(optimizer, "apply"):
            raise TypeError(f"DistributedOptimizer wraps a kerasish optimizer, received {optimizer!r}")
        self.optimizer = optimizer

    def apply(self, grads, trainable_variables=None):
        grads = allreduce_gradients(list(grads))
        with gradients_reduced():
            return self.optimizer.apply(grads, trainable_variables)

    def apply_gradients(self, grads_and_vars):
        grads, variables = zip(*grads_and_vars)
        self.apply(grads, variables)
        return self.optimizer.iterations

    def __getattr__(self, name):
        return getattr(self.optimizer, name)
