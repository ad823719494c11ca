"""`returns_within(function, seconds)`: run a call that must not hang in a thread, so that a hang fails
the test instead of stopping the run."""

import threading


def returns_within(function, seconds=20):
    """`{"value": result}` or `{"error": exception}` of `function()`; an assertion error when it is still
    running after `seconds` (the thread is a daemon and is left behind)."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function()
        except Exception as error:  # noqa: BLE001 - handed back to the test
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{function} did not return within {seconds} s"
    return outcome
