"""Every shape rule handles unknown dims: given each input's static shape with every dim None (same
rank), `infer` returns a shape (None where unknown) or raises a ValueError that names the op and shows
the unknown dim (or says it must be known), never a TypeError/IndexError/... from deep inside. The
calls swept are the ones the primitive Cases (and their gradients) make, recorded from static graphs
built with the Cases' known shapes.

The static engine has no tensors of unknown rank (a placeholder always has a rank), so only the dims
are made unknown."""

import numpy
import pytest

from kerasish import losses, ops
from kerasish.backends import static
from kerasish.backends.primitives.registry import PRIMITIVES
from kerasish.backends.static.graph import Graph, Symbol

from .cases import all_cases

CASES = all_cases()


def _placeholders(case, shape_of):
    return [static.placeholder(shape_of(a), a.dtype if a.dtype.kind in "biu" else "float32") for a in case.inputs]


def _record(case):
    """(primitive, input shapes, input dtypes, attrs, inputs) of every primitive node the case builds with
    known shapes, its gradient included."""
    graph = Graph(name=case.id)
    with graph.as_default():
        inputs = _placeholders(case, lambda a: a.shape)
        output = case.op(*inputs)
        floats = [x for x in inputs if x.dtype.kind == "f"]
        if case.grad and floats and isinstance(output, Symbol) and output.dtype.kind == "f":
            static.gradients(ops.sum(output), floats)
    calls = []
    for node in graph.nodes:
        if node.kind == "op" and PRIMITIVES.get(getattr(node.op, "name", None)) is node.op:
            shapes = [tuple(x.shape) if isinstance(x, Symbol) else () for x in node.inputs]
            dtypes = [x.dtype if isinstance(x, Symbol) else type(x) for x in node.inputs]
            calls.append((node.op, shapes, dtypes, dict(node.attrs), node.inputs))
    return calls


def _unknown(shape):
    return (None,) * len(shape)


def _assert_handles_unknown(prim, shapes, dtypes, attrs):
    try:
        shape, dtype = prim.infer(shapes, dtypes, **attrs)
    except ValueError as error:  # names the op, and shows the unknown dim or says it must be known
        message = str(error)
        assert prim.name in message and ("None" in message or "known" in message), (prim.name, message)
        return
    assert isinstance(shape, tuple) and all(d is None or isinstance(d, (int, numpy.integer)) for d in shape), (
        prim.name,
        shape,
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_every_shape_rule_handles_unknown_dims(case):
    for prim, shapes, dtypes, attrs, inputs in _record(case):
        unknown = [_unknown(s) if isinstance(x, Symbol) else s for s, x in zip(shapes, inputs)]
        _assert_handles_unknown(prim, unknown, dtypes, attrs)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_every_op_builds_on_placeholders_of_unknown_dims_or_says_which_dim_it_needs(case):
    graph = Graph(name=case.id)
    with graph.as_default():
        inputs = _placeholders(case, lambda a: _unknown(a.shape))
        try:
            output = case.op(*inputs)
        except ValueError as error:  # it must say which dim it needs: shows the unknown dim or says "known"
            assert "None" in str(error) or "known" in str(error), (case.id, str(error))
            return
    assert isinstance(output, (Symbol, tuple, list))


def test_the_sweep_reaches_every_primitive_with_an_input():
    reached = {prim.name for case in CASES for prim, *_ in _record(case)}
    assert set(PRIMITIVES) - reached <= {"arange", "eye", "full"}  # these take no tensor input


def test_sparse_crossentropy_on_placeholders_of_unknown_classes_names_the_dimension():
    labels, scores = static.placeholder((None,), "int32"), static.placeholder((None, None))
    with pytest.raises(
        ValueError,
        match=r"sparse_categorical_crossentropy: the class axis \(-1\) of argument "
        r"`output` must have a known size, got output.shape=\(None, None\)",
    ):
        losses.sparse_categorical_crossentropy(labels, scores)
    with pytest.raises(ValueError, match=r"one_hot: num_classes must be a positive int, got None"):
        ops.one_hot(labels, None)
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy: "):
        losses.sparse_categorical_crossentropy(static.placeholder((None, None), "int32"), scores)
