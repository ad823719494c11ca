"""`within(seconds)`: fail a test (`Expired`) instead of hanging when what it guards runs too long.

A SIGALRM timer: main thread on POSIX only, which is where the suite runs. `Expired` is not an
Exception, so no loader's `except Exception` (or `except OSError`, as TimeoutError would be) can turn
a hang into a refusal.
"""

import contextlib
import signal


class Expired(BaseException):
    pass


@contextlib.contextmanager
def within(seconds):
    def expire(signum, frame):
        raise Expired(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
