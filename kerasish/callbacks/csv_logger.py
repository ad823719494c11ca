"""CSVLogger: one CSV row per epoch; each row is written whole and flushed, so a crash loses at most the
row being written and never garbles the earlier ones."""

import csv
import io
import os

from kerasish.callbacks.callback import Callback
from kerasish.distribution.distribution_lib import chief_only


class CSVLogger(Callback):
    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.keys = None
        self.append_header = True
        self.csv_file = None

    @chief_only
    def on_train_begin(self, logs=None):
        if self.append and os.path.exists(self.filename):
            with open(self.filename, encoding="utf-8") as file:
                self.append_header = not file.readline()
        self._close()
        self.csv_file = open(self.filename, "a" if self.append else "w", encoding="utf-8", newline="")
        self.keys = None

    @chief_only
    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        write_header = self.keys is None and self.append_header
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys += [f"val_{key}" for key in self.keys]
        row = io.StringIO()
        writer = csv.writer(row, delimiter=self.sep, lineterminator="\n")
        if write_header:
            writer.writerow(["epoch"] + self.keys)
        writer.writerow([epoch] + [_cell(logs.get(key, "NA")) for key in self.keys])
        self.csv_file.write(row.getvalue())
        self.csv_file.flush()
        os.fsync(self.csv_file.fileno())

    def on_train_end(self, logs=None):
        self._close()

    def _close(self):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()


def _cell(value):
    if isinstance(value, (list, tuple)):
        return f"[{', '.join(map(str, value))}]"
    return value
