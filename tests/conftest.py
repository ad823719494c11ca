import os

import pytest

os.environ.setdefault("KERASISH_HOME", os.path.join(os.path.dirname(__file__), ".kerasish-home"))


def _gpu_ready():
    from kerasish.backends.device import gpu_available
    return gpu_available()


def pytest_collection_modifyitems(config, items):
    if any("gpu" in item.keywords for item in items) and not _gpu_ready():
        skip = pytest.mark.skip(reason="needs cupy and a CUDA GPU")
        for item in items:
            if "gpu" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(params=["dynamic", "static"])
def engine(request):
    """Parametrises a test over both engines; the test reads the name and picks the engine."""
    return request.param
