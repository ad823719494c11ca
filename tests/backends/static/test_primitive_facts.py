"""The static passes read facts about an op from its Primitive (fusion, neutral, involution, shape_only, fresh),
never from lists of names: the pass modules hold no primitive name, and each fact drives its pass."""

import ast
import pathlib

import numpy
import pytest

from kerasish import ops
from kerasish.backends import static
from kerasish.backends.primitives import PRIMITIVES

STATIC = pathlib.Path(static.__file__).parent
PASS_FILES = sorted((STATIC / "passes").glob("*.py")) + [STATIC / "fused.py"]


def _strings(path):
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


@pytest.mark.parametrize("path", PASS_FILES, ids=lambda path: path.name)
def test_passes_name_no_primitive(path):
    named = sorted(set(_strings(path)) & set(PRIMITIVES))
    assert not named, f"{path.name} lists primitives by name: {named}; put the fact on the Primitive"


def _data(*shape, seed=0):
    return numpy.random.default_rng(seed).standard_normal(shape).astype(numpy.float32)


UNARY_LINKS = sorted(
    name for name, prim in PRIMITIVES.items() if prim.fusion is not None and "{1}" not in prim.fusion[1]
)


@pytest.mark.parametrize("name", UNARY_LINKS)
def test_every_unary_link_fuses_after_a_biased_matmul_with_the_same_result(name):
    x, w, b = static.placeholder((4, 3)), static.placeholder((3, 5)), static.placeholder((5,))
    y = PRIMITIVES[name](ops.matmul(x, w) + b)
    fused = static.function([x, w, b], y, passes=["dead_code", "matmul_fusion"])
    plain = static.function([x, w, b], y, passes=["dead_code"])
    assert [step.node.op.name for step in fused.plan.steps] == ["matmul_bias_activation"]
    feeds = [_data(4, 3), _data(3, 5, seed=1), numpy.abs(_data(5, seed=2)) + 3]  # positive: log, sqrt
    numpy.testing.assert_allclose(fused(*feeds), plain(*feeds), rtol=1e-6)


def test_fusion_links_agree_with_the_forward():
    a, b = _data(3, 4), numpy.abs(_data(3, 4, seed=1)) + 0.5
    for name, prim in PRIMITIVES.items():
        if prim.fusion is None:
            continue
        ufunc, arguments, _ = prim.fusion
        inputs = (b,) if "{1}" not in arguments else (a, b)
        call = f"{ufunc}({arguments.format(*[f'x{i}' for i in range(len(inputs))])})"
        linked = eval(call, {ufunc: getattr(numpy, ufunc), **{f"x{i}": x for i, x in enumerate(inputs)}})
        numpy.testing.assert_allclose(linked, prim.forward(numpy, *inputs), rtol=1e-6, err_msg=name)


def test_the_identity_facts():
    assert PRIMITIVES["add"].neutral == (0, (0, 1)) and PRIMITIVES["divide"].neutral == (1, (1,))
    assert PRIMITIVES["negative"].involution and PRIMITIVES["sum_to"].same_shape_identity
    assert PRIMITIVES["ones_like"].shape_only == (0,) and PRIMITIVES["broadcast_like"].shape_only == (1,)
    assert PRIMITIVES["matmul"].fresh and PRIMITIVES["sum"].fresh and not PRIMITIVES["reshape"].fresh


def test_the_cuda_kernel_of_a_chain_uses_the_cuda_expressions():
    from kerasish.backends.static.fused import cuda_expression

    program = (("add", (0, 1)), ("relu", (-1,)), ("multiply", (-1, 2)))
    assert cuda_expression(program, ["a", "b", "c"]) == "((T)max((T)(a + b), (T)0) * c)"
