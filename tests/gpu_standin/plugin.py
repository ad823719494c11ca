"""pytest plugin for a run on the strict stand-in (`-p tests.gpu_standin.plugin`): a test during which the
stand-in refused a conversion fails even where the code under test caught the TypeError, and the session
ends with one line saying the stand-in was the device and how many transfers it counted."""

import pytest

from tests.gpu_standin import strict_cupy


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    if call.when == "setup":
        del strict_cupy.REFUSALS[:]
    outcome = yield
    report = outcome.get_result()
    if call.when == "call" and report.passed and strict_cupy.REFUSALS:
        report.outcome = "failed"
        report.longrepr = f"the strict cupy stand-in refused (and the code caught): {strict_cupy.REFUSALS}"


def pytest_terminal_summary(terminalreporter):
    import kerasish

    terminalreporter.write_line(
        f"strict cupy stand-in: device {kerasish.backend.device()}, transfers {strict_cupy.TRANSFERS}"
    )
