import os
import signal
import threading

import pytest

from kerasish.backends.interrupts import DeferredInterrupts

pytestmark = pytest.mark.skipif(os.name == "nt", reason="raises SIGINT in the test process")


def test_a_sigint_inside_the_section_is_raised_when_it_ends():
    done = []
    with pytest.raises(KeyboardInterrupt):
        with DeferredInterrupts():
            signal.raise_signal(signal.SIGINT)
            done.append("rest of the section")
    assert done == ["rest of the section"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_section_without_a_sigint_changes_nothing():
    with DeferredInterrupts():
        pass
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_nested_sections_hand_the_signal_to_the_outer_one():
    steps = []
    with pytest.raises(KeyboardInterrupt):
        with DeferredInterrupts():
            with DeferredInterrupts():
                signal.raise_signal(signal.SIGINT)
            steps.append("after the inner section")
    assert steps == ["after the inner section"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_the_users_own_handler_is_called_once_the_section_ends():
    calls = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: calls.append(signum))
    try:
        with DeferredInterrupts():
            signal.raise_signal(signal.SIGINT)
            assert calls == []
        assert calls == [signal.SIGINT]
    finally:
        signal.signal(signal.SIGINT, previous)


def test_an_ignored_sigint_stays_ignored():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with DeferredInterrupts():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            signal.raise_signal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, previous)


def test_outside_the_main_thread_nothing_is_installed():
    seen = []

    def run():
        with DeferredInterrupts():
            seen.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [signal.default_int_handler]
