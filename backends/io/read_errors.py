"""One clear error for a damaged or refused file: h5py, HDF5 and zipfile fail in many ways (OSError,
RuntimeError, KeyError, TypeError...) depending on which bytes are wrong."""

import contextlib
import zipfile


class UnreadableFileError(ValueError):
    """A saved file that is damaged, truncated, not of the kind its name says, or refused because
    it would make the reader hold data from outside the file or more than it may read."""


@contextlib.contextmanager
def reading(path, kind):
    """Re-raise any failure inside the block as UnreadableFileError naming the file and its kind."""
    try:
        yield
    except UnreadableFileError:
        raise
    except (
        OSError,
        RuntimeError,
        KeyError,
        TypeError,
        ValueError,
        NotImplementedError,
        EOFError,
        OverflowError,
        zipfile.BadZipFile,
    ) as error:
        raise UnreadableFileError(
            f"{path}: not a readable {kind} (truncated or corrupt?): {type(error).__name__}: {error}"
        ) from error
