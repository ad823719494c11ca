"""Writing saved files: atomically (a complete file or none), and JSON the way Keras writes configs."""

import contextlib
import json
import os

from kerasish.backends.io.atomic_file import atomic_path


@contextlib.contextmanager
def atomic_binary(filepath):
    """An open binary file that replaces `filepath` once the block ends without error and the data
    is on disk; on error the previous file (if any) is left as it was."""
    with atomic_path(filepath) as temporary:
        with open(temporary, "w+b") as output:
            yield output
            output.flush()
            os.fsync(output.fileno())


def _json_value(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(
        f"Cannot write {type(value).__name__} {value!r} to a model config: get_config() must "
        "return JSON-compatible values"
    )


def to_json(config):
    return json.dumps(config, default=_json_value)
