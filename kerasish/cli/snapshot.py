"""Snapshot: Caffe's `snapshot` on top of BackupAndRestore's atomic commit (weights with optimizer state,
then the record naming them). Training runs as chunks of iterations (the `fit` epochs of a run); a
checkpoint is committed every `every` chunks and after the last one, and kept when training ends, so
the same command started again resumes from it, or finds the run complete.

A resumed run must also draw the same random numbers (dropout masks) as the run it continues, and the
seed states are not part of the weights (as in Keras). So every chunk starts its seed generators (the
model's and the global one) from states derived from (random_seed, chunk number): the draws of a chunk
do not depend on whether the run before it was interrupted.
"""

import numpy

from kerasish import random
from kerasish.callbacks.backup_and_restore import BackupAndRestore


class Snapshot(BackupAndRestore):
    def __init__(self, directory, stream, chunk, every, chunks, seed):
        super().__init__(directory, delete_checkpoint=False)
        self.stream, self.chunk, self.every, self.chunks, self.seed = stream, chunk, every, chunks, seed

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        # the data continue at the first iteration after the checkpoint
        self.stream.start = (self.model._initial_epoch or 0) * self.chunk

    def on_epoch_begin(self, epoch, logs=None):
        super().on_epoch_begin(epoch, logs)
        for index, generator in enumerate(_seed_generators(self.model)):
            seed = numpy.random.SeedSequence([self.seed & 0xFFFFFFFF, epoch, index]).generate_state(1)[0]
            generator.state.assign(numpy.array([seed, 0], dtype=generator.state.dtype))

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.chunks or (self.every and (epoch + 1) % self.every == 0):
            super().on_epoch_end(epoch, logs)


def _seed_generators(model):
    """The model's SeedGenerators in a fixed order (layer order, then attribute order), then the global one."""
    found, seen = [], set()
    for layer in model._flatten_layers():
        for leaf in layer._attribute_leaves():
            if isinstance(leaf, random.SeedGenerator) and id(leaf) not in seen:
                seen.add(id(leaf))
                found.append(leaf)
    return found + [random.global_seed_generator()]
