"""Model math goes through kerasish.ops and kerasish.random, so it runs on the engine's device: layers,
initializers, metrics, losses, optimizers, regularizers, constraints and activations call numpy only for
the container and dtype helpers in ALLOWED."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1] / "kerasish"
SCANNED = [
    "layers",
    "initializers",
    "metrics",
    "losses",
    "optimizers",
    "regularizers.py",
    "constraints.py",
    "activations.py",
]

ALLOWED = {
    "numpy.dtype": "names a dtype",
    "numpy.issubdtype": "asks about a dtype",
    "numpy.shape": "the shape of a value the user hands in (set_weights), compared before it is stored",
    "numpy.asarray": "a value the user hands in (a config, a constant initializer), read at the edge",
    "numpy.prod": "the size of a static shape (count_params)",
}


def _files():
    for entry in SCANNED:
        path = ROOT / entry
        yield from (sorted(path.rglob("*.py")) if path.is_dir() else [path])


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def numpy_calls(source):
    """(line, 'numpy.<function>') of every call of a numpy function, whatever name numpy is imported as."""
    tree = ast.parse(source)
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update(
                {
                    alias.asname or alias.name: alias.name
                    for alias in node.names
                    if alias.name == "numpy" or alias.name.startswith("numpy.")
                }
            )
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "numpy":
            aliases.update({alias.asname or alias.name: f"{node.module}.{alias.name}" for alias in node.names})
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            head = name.split(".")[0] if name else None
            if head in aliases:
                calls.append((node.lineno, aliases[head] + name[len(head) :]))
    return calls


def test_the_scanner_sees_aliases_and_from_imports():
    source = "import numpy as np\nfrom numpy.linalg import qr\nnp.linalg.qr(x)\nqr(x)\nnp.dtype('f')\n"
    assert numpy_calls(source) == [(3, "numpy.linalg.qr"), (4, "numpy.linalg.qr"), (5, "numpy.dtype")]


@pytest.mark.parametrize("path", list(_files()), ids=lambda path: str(path.relative_to(ROOT)))
def test_model_math_calls_numpy_only_for_containers_and_dtypes(path):
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for line, name in numpy_calls(path.read_text())
        if name not in ALLOWED
    ]
    assert not offenders, "model math must use kerasish.ops / kerasish.random:\n" + "\n".join(offenders)
