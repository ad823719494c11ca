"""Matching the arrays read from a file against a model's variables, before anything is assigned.

Every loader (`.weights.h5`/`.keras` object paths, legacy `.h5` by order or by name) opens the
file and describes what it holds as `Entry`s: one per layer or object, with the file's datasets
(shapes known, data not yet read) and the model's variables side by side. `check` turns the
entries into one error listing every missing, unexpected and mis-shaped entry (or a warning with
`skip_mismatch=True`), `print_table` shows them for `dry_run=True`, `read` reads the matching
ones at the model's shapes, and `assign` writes them only after all were read, so a failed load
leaves the model as it was and a file never makes the loader read more than the model holds.
"""

import dataclasses
import sys
import warnings

from kerasish.backends.variable import all_or_nothing

OK, MISSING, UNEXPECTED, SHAPE_MISMATCH, COUNT_MISMATCH = (
    "ok",
    "missing",
    "unexpected",
    "shape mismatch",
    "count mismatch",
)


@dataclasses.dataclass
class Entry:
    """One layer (or object) of the model and/or the file. `arrays`: the file's datasets (with `shape`
    and `read(shape)`, as `backends/io/hdf5.Dataset`), None when the file lacks it;
    `variables` None when the model lacks it. `required=False`: a mismatch is skipped with a warning
    (Keras's behaviour for optimizer state, and for layers absent on one side with `by_name=True`)."""

    name: str
    arrays: list = None
    variables: list = None
    required: bool = True

    @property
    def file_shapes(self):
        return None if self.arrays is None else [tuple(a.shape) for a in self.arrays]

    @property
    def model_shapes(self):
        return None if self.variables is None else [tuple(v.shape) for v in self.variables]

    @property
    def status(self):
        if self.arrays is None:
            return MISSING
        if self.variables is None:
            return UNEXPECTED
        if len(self.arrays) != len(self.variables):
            return COUNT_MISMATCH
        return OK if self.file_shapes == self.model_shapes else SHAPE_MISMATCH

    def describe(self):
        return f"{self.name}: {self.status} (file {_shapes(self.file_shapes)}, model {_shapes(self.model_shapes)})"


def _shapes(shapes):
    if shapes is None:
        return "-"
    return ", ".join(str(shape) for shape in shapes) if shapes else "no weights"


def check(entries, path, model, skip_mismatch=False):
    """The entries to assign. Problems in required entries raise one ValueError naming them all
    (a warning instead with skip_mismatch=True); problems in optional ones are warned about."""
    problems = [e for e in entries if e.status != OK and e.required]
    optional = [e for e in entries if e.status != OK and not e.required and e.arrays and e.variables]
    if problems and not skip_mismatch:
        raise ValueError(
            f"Cannot load weights from {path} into model '{model.name}': {len(problems)} "
            f"mismatched entr{'y' if len(problems) == 1 else 'ies'} (nothing was assigned):\n  "
            + "\n  ".join(e.describe() for e in problems)
            + "\nPass skip_mismatch=True to load the rest, or dry_run=True to see every entry."
        )
    for entry in problems + optional:
        warnings.warn(f"Skipping loading weights for {entry.describe()} (from {path})", stacklevel=4)
    return [e for e in entries if e.status == OK]


def read(entries):
    """(variable, array) for every variable of the entries: each array read from the file at its
    variable's shape (so no more is read than the model holds) and cast to its dtype."""
    return [
        (variable, stored.read(tuple(variable.shape)).astype(variable.dtype, copy=False))
        for entry in entries
        for variable, stored in zip(entry.variables, entry.arrays)
    ]


def assign(values):
    """Assign the (variable, array) pairs from `read`, once every one was read and cast: all or
    nothing, so an error or a Ctrl-C part-way leaves the model as it was."""
    with all_or_nothing([variable for variable, _ in values]):
        for variable, array in values:
            variable.assign(array)


def print_table(entries, title, file=None):
    """Layer name, file shape(s), model shape(s), status: a rich table on a terminal, plain text otherwise."""
    file = file or sys.stdout
    rows = [(e.name, _shapes(e.file_shapes), _shapes(e.model_shapes), e.status) for e in entries]
    header = ("Layer", "File shape(s)", "Model shape(s)", "Status")
    if file.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title)
        for column in header:
            table.add_column(column)
        for row in rows:
            table.add_row(*row, style=None if row[3] == OK else "red")
        Console(file=file).print(table)
        return
    widths = [max(len(str(row[i])) for row in rows + [header]) for i in range(4)]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(header, widths))]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)) for row in rows]
    print("\n".join(line.rstrip() for line in lines), file=file)
