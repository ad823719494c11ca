"""Holding Ctrl-C back over a section that must not stop half-way, such as writing a step's
updates into the variables.

`DeferredInterrupts()`: between `enter()` and `exit()` (or inside `with`), a SIGINT is recorded
instead of handled; `exit()` puts the previous handler back and, if a SIGINT came, calls it then
(Python's default handler raises KeyboardInterrupt), so the section always completes. Only the main
thread receives Python signal handlers, so in other threads, and when SIGINT is ignored or left to
the operating system, there is nothing to hold back. Sections nest: an inner one hands a held
signal to the outer one.
"""

# The C module under `signal`: `signal.signal` and `signal.getsignal` convert handlers to enums at
# about 2 µs a call, and a static-engine step of a small model takes about 45 µs.
import _signal
import threading

SIGINT = _signal.SIGINT


class DeferredInterrupts:
    __slots__ = ("_previous", "_received")

    def __init__(self):
        self._previous = None
        self._received = None

    def enter(self):
        if self._previous is not None or threading.current_thread() is not threading.main_thread():
            return
        previous = _signal.getsignal(SIGINT)
        if callable(previous):
            _signal.signal(SIGINT, self._hold)
            self._previous = previous

    def _hold(self, signum, frame):
        self._received = (signum, frame)

    def exit(self):
        previous, self._previous = self._previous, None
        if previous is None:
            return
        _signal.signal(SIGINT, previous)
        if self._received is not None:
            received, self._received = self._received, None
            previous(*received)

    def __enter__(self):
        self.enter()
        return self

    def __exit__(self, *exception):
        self.exit()
