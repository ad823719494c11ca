"""Where kerasish's messages go: standard output, or the `kerasish` logger once
`keras.config.disable_interactive_logging()` has been called (Keras's `io_utils.print_msg`)."""

import logging
import sys

from kerasish.backends.config import is_interactive_logging_enabled

LOGGER = logging.getLogger("kerasish")


def print_msg(message, line_break=True):
    if is_interactive_logging_enabled():
        sys.stdout.write(message + ("\n" if line_break else ""))
        sys.stdout.flush()
    else:
        LOGGER.info(message)


def can_draw_live():
    """Whether a live progress bar or coloured table may be drawn: interactive logging on a terminal."""
    return is_interactive_logging_enabled() and bool(getattr(sys.stdout, "isatty", lambda: False)())
