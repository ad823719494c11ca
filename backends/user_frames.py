"""The user's code in a call stack: frames outside kerasish's own files. Warnings point there (with
`user_stacklevel`), and filtered tracebacks keep only those frames."""

import os
import sys

_PACKAGES = ("kerasish", "kerasish.backends", "kerasish.applications")


def package_roots():
    """The folders of kerasish's packages (`backends/` and `applications/` install as sub-packages)."""
    return tuple(
        os.path.dirname(os.path.abspath(sys.modules[name].__file__)) + os.sep
        for name in _PACKAGES
        if name in sys.modules
    )


def is_internal(filename):
    return os.path.abspath(filename).startswith(package_roots())


def user_stacklevel():
    """The `stacklevel` that makes a `warnings.warn` in the calling function name the first user frame."""
    roots, level, frame = package_roots(), 1, sys._getframe(1)
    while frame.f_back is not None and os.path.abspath(frame.f_code.co_filename).startswith(roots):
        frame, level = frame.f_back, level + 1
    return level
