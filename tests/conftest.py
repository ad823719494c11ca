"""Test-session setup: a private settings folder, the source-tree package layout, GPU skipping, the same
random state and layer names at the start of every test, and the `engine` fixture."""

import importlib
import importlib.abc
import importlib.util
import os
import sys

import pytest

from tests.datasets.local_server import LocalServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The top-level folders that setup.py installs inside kerasish (its package_dir).
MAPPED = {
    "kerasish.backends": os.path.join(ROOT, "backends"),
    "kerasish.applications": os.path.join(ROOT, "applications"),
}

os.environ.setdefault("KERASISH_HOME", os.path.join(os.path.dirname(__file__), ".kerasish-home"))
# Tests that compare with Keras (where it is installed) use its JAX backend: TensorFlow is not a test dependency.
os.environ.setdefault("KERAS_BACKEND", "jax")


class SourceTreeFinder(importlib.abc.MetaPathFinder):
    """Run from the repository root, `import kerasish` finds the source folder kerasish/, which lacks
    backends/ and applications/. An editable install maps them in; after a plain `pip install .`
    (or none) this finder, consulted last, maps them the same way."""

    def find_spec(self, name, path=None, target=None):
        folder = MAPPED.get(name)
        if folder is None:
            return None
        return importlib.util.spec_from_file_location(
            name, os.path.join(folder, "__init__.py"), submodule_search_locations=[folder]
        )


sys.meta_path.append(SourceTreeFinder())


def _gpu_ready():
    from kerasish.backends.device import gpu_available

    return gpu_available()


def pytest_collection_modifyitems(config, items):
    if any("gpu" in item.keywords for item in items) and not _gpu_ready():
        skip = pytest.mark.skip(reason="needs cupy and a CUDA GPU")
        for item in items:
            if "gpu" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def same_start_for_every_test():
    """Each test starts from the same random state (Python's, numpy's, kerasish's global generator), from
    default layer names, and leaves the process-wide settings (`keras.config`'s switches, floatx and the
    image data format, the global dtype policy, unsafe deserialization) as it found them, whichever tests
    ran before it and however it ended."""
    import kerasish  # here, not at the top: SourceTreeFinder must be in place first
    from kerasish.backends import config
    from kerasish.utils import object_serialization

    dtype_policy = importlib.import_module("kerasish.dtype_policies.dtype_policy")  # the package's function shadows it

    kerasish.utils.set_random_seed(0)
    kerasish.backend.clear_session()
    kept = [(table, dict(table)) for table in (config.SETTINGS, config.SWITCHES)]
    flags = (dtype_policy._GLOBAL_POLICY, object_serialization._UNSAFE_DESERIALIZATION_ENABLED)
    kept_lists = [(flag, list(flag)) for flag in flags]
    yield
    for table, values in kept:
        table.clear()
        table.update(values)
    for flag, values in kept_lists:
        flag[:] = values


@pytest.fixture(params=["dynamic", "static"])
def engine(request):
    """Parametrises a test over both engines; the test reads the name and picks the engine."""
    return request.param


@pytest.fixture
def server():
    """A local HTTP server on 127.0.0.1 (tests/datasets/local_server.py): the only network tests use."""
    local = LocalServer()
    yield local
    local.close()
