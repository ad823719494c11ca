"""The atomic-write helper for the Keras-API tier; it lives in `kerasish.backends.io.atomic_file`."""

from kerasish.backends.io.atomic_file import (
    PREFIX,
    STALE_AFTER_SECONDS,
    TEMPORARY,
    atomic_path,
    write_bytes_atomically,
    write_text_atomically,
)

__all__ = [
    "PREFIX",
    "STALE_AFTER_SECONDS",
    "TEMPORARY",
    "atomic_path",
    "write_bytes_atomically",
    "write_text_atomically",
]
