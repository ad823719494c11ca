"""`within(seconds)`: fail a test (TimeoutError) instead of hanging when what it guards runs too long.

A SIGALRM timer: main thread on POSIX only, which is where the suite runs.
"""

import contextlib
import signal


@contextlib.contextmanager
def within(seconds):
    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
