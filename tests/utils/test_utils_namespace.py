"""kerasish.utils (and kerasish.saving, kerasish.models) load their public names lazily: each name is
the function or class, whichever modules were imported before, and importing the package imports
none of the modules above it."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGES = {"kerasish.utils": "_NAMES", "kerasish.saving": "_NAMES", "kerasish.models": "_FILE_FUNCTIONS"}


def run(code):
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_each_public_name_is_the_object_even_after_its_module_was_imported(package):
    table = PACKAGES[package]
    run(
        f"import importlib, inspect, {package} as p\n"
        f"for name, module in p.{table}.items():\n"
        "    importlib.import_module(module)\n"
        "    value = getattr(p, name)\n"
        "    assert not inspect.ismodule(value), (name, value)\n"
        "    assert value is getattr(importlib.import_module(module), name), name\n"
    )


def test_importing_kerasish_utils_loads_neither_models_nor_trainers():
    loaded = run(
        "import sys, kerasish.utils\n"
        "print(sorted(m for m in sys.modules if m.startswith(('kerasish.models', 'kerasish.trainers', "
        "'kerasish.saving', 'kerasish.layers'))))"
    )
    assert loaded.strip() == "[]"


def test_utils_gradcheck_is_the_function_after_its_module_was_imported():
    run(
        "import inspect, kerasish.utils.gradcheck\nfrom kerasish.utils import gradcheck\n"
        "assert inspect.isfunction(gradcheck)"
    )
