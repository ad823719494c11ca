"""The import contract (tools/import_contract.py): the repository keeps it, and the check catches what
it promises to catch (upward imports, function-level ones included, circles, unchecked dynamic imports)."""

import importlib.util
import os
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_contract():
    spec = importlib.util.spec_from_file_location("import_contract", os.path.join(ROOT, "tools", "import_contract.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


contract = load_contract()


def test_the_repository_keeps_the_contract():
    assert contract.offences(contract.check(ROOT)) == []


def check(repository):
    """The contract's tiers over a fake repository, without the real repository's allowances."""
    return contract.check(repository, lazy_reexports={}, dynamic_imports={})


def write_package(root, files):
    for path, text in files.items():
        full = root / path
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text(textwrap.dedent(text))


@pytest.fixture
def fake_repository(tmp_path):
    write_package(
        tmp_path,
        {
            "kerasish/__init__.py": "",
            "kerasish/ops/__init__.py": "",
            "kerasish/layers/__init__.py": "",
            "kerasish/models/__init__.py": "",
            "backends/__init__.py": "",
        },
    )
    return tmp_path


def test_a_clean_package_passes(fake_repository):
    write_package(
        fake_repository,
        {
            "kerasish/layers/dense.py": "from kerasish.ops import math\n",
            "kerasish/ops/math.py": "import kerasish.backends\n",
        },
    )
    assert contract.offences(check(fake_repository)) == []


def test_an_upward_module_level_import_is_an_offence(fake_repository):
    write_package(
        fake_repository,
        {"kerasish/ops/math.py": "import os\nfrom kerasish.layers import dense\n", "kerasish/layers/dense.py": ""},
    )
    assert contract.offences(check(fake_repository)) == [
        "upward: kerasish.ops.math -> kerasish.layers.dense (line 2, module-level)",
        "upward: kerasish.ops.math -> kerasish.layers (line 2, module-level)",
    ]


def test_an_upward_function_level_import_is_an_offence(fake_repository):
    write_package(
        fake_repository,
        {
            "kerasish/layers/dense.py": """\
        def build():
            from kerasish.models import model
            return model
        """,
            "kerasish/models/model.py": "",
        },
    )
    lines = contract.offences(check(fake_repository))
    assert "upward: kerasish.layers.dense -> kerasish.models.model (line 2, function-level)" in lines


def test_a_circle_within_one_tier_is_an_offence(fake_repository):
    write_package(
        fake_repository,
        {
            "kerasish/layers/dense.py": "from kerasish.layers import conv\n",
            "kerasish/layers/conv.py": "def f():\n    from . import dense\n",
        },
    )
    lines = contract.offences(check(fake_repository))
    assert lines[0] == "circle of 2: kerasish.layers.conv, kerasish.layers.dense"
    assert "  in circle: kerasish.layers.conv -> kerasish.layers.dense (line 2, function-level)" in lines
    assert "  in circle: kerasish.layers.dense -> kerasish.layers.conv (line 1, module-level)" in lines


def test_a_package_init_is_run_by_imports_below_it(fake_repository):
    """Importing kerasish.models.model runs kerasish/models/__init__.py: a circle through it counts."""
    write_package(
        fake_repository,
        {
            "kerasish/models/__init__.py": "from kerasish.models.saving import save\n",
            "kerasish/models/saving.py": "from kerasish.models.model import Model\n",
            "kerasish/models/model.py": "class Model:\n    pass\n",
            "kerasish/models/other.py": "from kerasish.models import model\n",
        },
    )
    assert contract.offences(check(fake_repository)) == []
    write_package(
        fake_repository,
        {
            "kerasish/layers/dense.py": "from kerasish.ops import math\n",
            "kerasish/ops/math.py": "def f():\n    import kerasish.models.model\n",
        },
    )
    lines = contract.offences(check(fake_repository))
    assert "upward: kerasish.ops.math -> kerasish.models (line 2, function-level)" in lines


def test_lazy_reexports_and_dynamic_imports(fake_repository):
    write_package(
        fake_repository,
        {
            "kerasish/ops/__init__.py": """\
        import importlib
        _NAMES = {"Dense": "kerasish.layers.dense"}
        def __getattr__(name):
            return getattr(importlib.import_module(_NAMES[name]), name)
        """,
            "kerasish/layers/dense.py": "",
            "kerasish/layers/loader.py": """\
        import importlib
        def load(name):
            return importlib.import_module(name)
        """,
        },
    )
    lines = contract.offences(check(fake_repository))
    assert "upward: kerasish.ops -> kerasish.layers.dense (line 2, lazy re-export)" in lines
    assert any(
        line.startswith("dynamic: kerasish.layers.loader -> importlib.import_module(<computed name>) (line 3)")
        for line in lines
    )


def test_every_module_must_sit_in_a_tier(fake_repository):
    write_package(fake_repository, {"kerasish/unheard_of.py": ""})
    assert contract.offences(check(fake_repository)) == [
        "kerasish.unheard_of: in no tier (add it to TIERS in tools/import_contract.py)"
    ]


def test_a_package_loading_its_own_folder_imports_each_module_there(fake_repository):
    """backends/primitives/__init__ imports every module of its folder: a circle through one counts."""
    write_package(
        fake_repository,
        {
            "backends/primitives/__init__.py": """\
            import importlib, pkgutil
            for found in pkgutil.iter_modules(__path__):
                importlib.import_module(f"{__name__}.{found.name}")
            """,
            "backends/primitives/creation.py": "from kerasish.backends import variable\n",
            "backends/variable.py": "from kerasish.backends.primitives import registry\n",
            "backends/primitives/registry.py": "",
        },
    )
    lines = contract.offences(check(fake_repository))
    assert lines[0] == (
        "circle of 3: kerasish.backends.primitives, kerasish.backends.primitives.creation, kerasish.backends.variable"
    )


def test_an_allowance_nothing_uses_is_an_offence(fake_repository):
    result = contract.check(
        fake_repository, lazy_reexports={"kerasish.ops": ("kerasish.layers.dense",)}, dynamic_imports={}
    )
    assert contract.offences(result) == [
        "stale allowance: LAZY_REEXPORTS: kerasish.ops -> kerasish.layers.dense (nothing uses it any more; remove it)"
    ]
