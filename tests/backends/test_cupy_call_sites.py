"""Every `xp.<function>(...)` call in backends/ (found with `ast`, with its keyword arguments) exists in the
installed cupy and accepts those keywords, and every ufunc a fused chain names exists in cupy (the numpy path
of a chain calls numpy's ufuncs on cupy arrays, which cupy serves by name through __array_ufunc__).

What is checked, honestly: the name resolves on the cupy module; the keywords appear in the function's
signature (`inspect.signature`), or, for cupy's ufuncs and Cython functions that have none, in the signature
on the first line of their docstring. A signature taking **kwargs passes any keyword (cupy validates those
only when called, which needs a GPU). Calls through `getattr(xp, name)` and array methods are not covered
here: the strict stand-in suite runs them. Needs cupy (no GPU): skipped cleanly without it."""

import ast
import inspect
import os
import re

import pytest

from kerasish.backends.primitives.registry import PRIMITIVES

cupy = pytest.importorskip("cupy")

BACKENDS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "backends")


def call_sites():
    """{dotted name after `xp.`: {keyword: [file:line, ...]}} for every call `xp.<name>(...)` in backends/."""
    sites = {}
    for folder, _, files in os.walk(BACKENDS):
        for file in sorted(f for f in files if f.endswith(".py")):
            path = os.path.join(folder, file)
            with open(path) as source:
                tree = ast.parse(source.read())
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                chain, value = [], node.func
                while isinstance(value, ast.Attribute):
                    chain.append(value.attr)
                    value = value.value
                if isinstance(value, ast.Name) and value.id == "xp":
                    where = f"{os.path.relpath(path, os.path.dirname(BACKENDS))}:{node.lineno}"
                    keywords = sites.setdefault(".".join(reversed(chain)), {})
                    keywords.setdefault(None, []).append(where)
                    for keyword in node.keywords:
                        if keyword.arg is not None:
                            keywords.setdefault(keyword.arg, []).append(where)
    return sites


def accepted_keywords(function):
    """The keyword names `function` accepts, or None when it takes **kwargs; from its signature, else from
    the signature on the first line of its docstring (cupy's ufuncs and Cython functions)."""
    try:
        parameters = inspect.signature(function).parameters.values()
        if any(p.kind is p.VAR_KEYWORD for p in parameters):
            return None
        return {p.name for p in parameters if p.kind is not p.POSITIONAL_ONLY}
    except (TypeError, ValueError):
        match = re.search(r"\((.*)\)", (function.__doc__ or "").strip().splitlines()[0] if function.__doc__ else "")
        if match is None:
            raise LookupError(f"cupy gives no signature for {function!r}") from None
        names = [part.strip().split("=")[0].strip("\\* ") for part in match.group(1).split(",")]
        names = names[names.index("/") + 1 :] if "/" in names else names  # those before "/" are positional-only
        if any(part.strip().startswith("**") for part in match.group(1).split(",")):
            return None
        return {name for name in names if name and name not in ("/", "self")}


def test_the_scan_finds_the_kernels_calls():
    sites = call_sites()
    assert len(sites) > 40 and "lib.stride_tricks.as_strided" in sites and "add.at" in sites
    assert sites["lib.stride_tricks.as_strided"].keys() >= {"shape", "strides"}


def test_every_xp_call_site_exists_in_cupy_with_its_keywords():
    offenders = []
    for name, keywords in sorted(call_sites().items()):
        function = cupy
        try:
            for part in name.split("."):
                function = getattr(function, part)
        except AttributeError:
            offenders.append(f"cupy has no {name} (called at {', '.join(keywords[None])})")
            continue
        try:
            accepted = accepted_keywords(function)
        except LookupError as error:
            offenders.append(f"{name}: {error}")
            continue
        if accepted is None:
            continue
        for keyword, places in keywords.items():
            if keyword is not None and keyword not in accepted:
                offenders.append(f"cupy.{name} takes no keyword {keyword!r} (used at {', '.join(places)})")
    assert not offenders, "\n".join(offenders)


def test_every_fused_ufunc_exists_in_cupy():
    names = {prim.fusion[0] for prim in PRIMITIVES.values() if prim.fusion is not None}
    assert names and not [name for name in sorted(names) if not isinstance(getattr(cupy, name, None), cupy.ufunc)]
