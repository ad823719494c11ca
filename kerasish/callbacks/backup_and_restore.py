"""BackupAndRestore: back up the weights (model and optimizer, through `model.save_weights`) and the epoch
reached, so a `fit` restarted after a crash resumes from the epoch after the last completed one.

A backup is committed in one atomic step. The weights go to a new numbered file
(`backup-<n>.weights.h5`); then the record `training_metadata.json` (`{"epoch", "batch", "weights"}`)
that names that file replaces the previous record (temporary file + `os.replace`); only then are the
weights files no record names removed. A crash at any point leaves a record naming a complete weights
file of the same moment: an epoch is never trained twice or skipped. With `double_checkpoint=True`
the previous record is kept as `training_metadata.json.bkp` (with its weights file), and a backup that
cannot be read falls back to it. A backup in Keras's layout (a record without "weights", beside
`latest.weights.h5`, and `.bkp` copies of both) is restored too; the next save moves to this layout.
"""

import json
import os
import re
import shutil

from kerasish.backends.io.atomic_file import atomic_path, write_text_atomically
from kerasish.backends.io.read_errors import UnreadableFileError
from kerasish.callbacks.callback import Callback
from kerasish.distribution.distribution_lib import chief_only

WEIGHTS_NAME = re.compile(r"backup-(\d+)\.weights\.h5")
KERAS_WEIGHTS_NAME = "latest.weights.h5"  # Keras's layout: the record does not name its weights file
RECORD_LIMIT = 4096  # bytes: a record is about 60


class BackupAndRestore(Callback):
    """On `on_train_begin` the backup in `backup_dir` (if any) is loaded and `model._initial_epoch` set to
    the epoch to resume from; the backup is deleted when training ends normally (`delete_checkpoint`)."""

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool) or save_freq < 1):
            raise ValueError(
                f"Invalid value for argument `save_freq`. Received: save_freq={save_freq}. "
                "Expected either 'epoch' or an integer value (a positive number of batches)."
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        self._record_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_record_path = f"{self._record_path}.bkp"
        self._record = None  # the committed record (text) and the number of the weights file it names
        self._number = 0

    def on_train_begin(self, logs=None):
        if not getattr(self.model, "built", True):
            raise ValueError(
                "To use the BackupAndRestore callback, your model must be built before you call "
                f"`fit()`. Model {self.model} is unbuilt. You can build it beforehand by calling it "
                "on a batch of data."
            )
        self._record, self._number = None, 0
        try:
            self._restore(self._record_path)
        except (OSError, UnreadableFileError) as error:  # a damaged or missing backup file
            if not os.path.exists(self._prev_record_path):
                raise
            try:
                self._restore(self._prev_record_path)
            except (OSError, UnreadableFileError) as previous_error:
                raise UnreadableFileError(
                    f"BackupAndRestore: the backup in {self.backup_dir} cannot be read "
                    f"({error}), nor can the previous one ({previous_error})"
                ) from previous_error
            write_text_atomically(self._record_path, self._record)

    def _restore(self, record_path):
        """Load the weights the record names and set the epoch to resume from; a missing record means
        there is nothing to restore."""
        if not os.path.exists(record_path):
            return
        with open(record_path, "rb") as file:
            text, epoch, number = _parse_record(file.read(RECORD_LIMIT + 1), record_path)
        if number is None:  # Keras's layout: latest.weights.h5 beside training_metadata.json, .bkp beside .bkp
            weights_name = KERAS_WEIGHTS_NAME + (".bkp" if record_path.endswith(".bkp") else "")
            text, number = None, 0  # not a record of this layout: the next save starts a fresh history
        else:
            weights_name = f"backup-{number}.weights.h5"
        weights_path = os.path.join(self.backup_dir, weights_name)
        if not os.path.isfile(weights_path):
            raise FileNotFoundError(f"BackupAndRestore: {record_path} names {weights_path}, which does not exist")
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and not getattr(optimizer, "built", True):
            optimizer.build(self.model.trainable_variables)
        self.model.load_weights(weights_path)
        self.model._initial_epoch = epoch
        self._record, self._number = text, number

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model()

    @chief_only
    def _save_model(self):
        os.makedirs(self.backup_dir, exist_ok=True)
        number = self._number + 1
        weights_name = f"backup-{number}.weights.h5"
        with atomic_path(os.path.join(self.backup_dir, weights_name)) as temporary:
            self.model.save_weights(temporary, overwrite=True)
        record = json.dumps({"epoch": self._current_epoch, "batch": self._last_batch_seen, "weights": weights_name})
        if self.double_checkpoint and self._record is not None:
            write_text_atomically(self._prev_record_path, self._record)
        elif os.path.exists(self._prev_record_path):
            os.remove(self._prev_record_path)  # it would name a weights file removed below
        write_text_atomically(self._record_path, record)  # the commit
        previous = self._number if self.double_checkpoint and self._record is not None else None
        self._record, self._number = record, number
        for name in os.listdir(self.backup_dir):
            match = WEIGHTS_NAME.fullmatch(name)
            if match is not None and int(match.group(1)) not in (number, previous):
                os.remove(os.path.join(self.backup_dir, name))

    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        added = batch + 1 if batch <= self._last_batch_seen else batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    @chief_only
    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)


def _parse_record(data, path):
    """(text, epoch, weights file number) from a record's bytes (number None: a record in Keras's layout,
    which names no weights file), or an UnreadableFileError naming the file."""
    try:
        if len(data) > RECORD_LIMIT:
            raise ValueError(f"longer than {RECORD_LIMIT} bytes")
        text = data.decode("utf-8")
        record = json.loads(text)
        epoch = record["epoch"]
        match = WEIGHTS_NAME.fullmatch(record["weights"]) if "weights" in record else None
    except (ValueError, KeyError, TypeError) as error:
        raise UnreadableFileError(f"BackupAndRestore: {path} is not a readable backup record ({error})") from error
    if ("weights" in record and match is None) or not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
        raise UnreadableFileError(f"BackupAndRestore: {path} is not a readable backup record: {text[:200]!r}")
    return text, epoch, None if match is None else int(match.group(1))
