"""Tracebacks that show the user's code: an error escaping `fit`/`evaluate`/`predict` loses kerasish's own
frames while `keras.config.is_traceback_filtering_enabled()` (the default), as in Keras."""

import functools
import types

from kerasish.backends import config
from kerasish.backends.user_frames import is_internal


def without_internal_frames(traceback):
    """`traceback` without the frames of kerasish's files (the user's frames, in order)."""
    kept = []
    while traceback is not None:
        if not is_internal(traceback.tb_frame.f_code.co_filename):
            kept.append(traceback)
        traceback = traceback.tb_next
    filtered = None
    for entry in reversed(kept):
        filtered = types.TracebackType(filtered, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return filtered


def filter_traceback(function):
    @functools.wraps(function)
    def error_handler(*args, **kwargs):
        if not config.is_traceback_filtering_enabled():
            return function(*args, **kwargs)
        try:
            return function(*args, **kwargs)
        except Exception as error:
            raise error.with_traceback(without_internal_frames(error.__traceback__))  # noqa: B904 (the same error: its cause stays)

    return error_handler
