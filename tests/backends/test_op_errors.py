"""Bad shapes and arguments fail with a message naming the op and the shapes, on every engine: the
dynamic one (the kernel fails, the shape rule explains), the static one and symbolic KerasTensors
(the shape rule fails while the graph is built)."""

import re

import numpy
import pytest

from kerasish import ops
from kerasish.backends import static
from kerasish.backends.dynamic import Tensor
from kerasish.backends.symbolic import KerasTensor

ENGINES = ["dynamic", "static", "symbolic"]


class Mask(tuple):
    """The shape of a boolean input (other inputs are float32)."""


def _inputs(engine, shapes):
    dtypes = ["bool" if isinstance(shape, Mask) else "float32" for shape in shapes]
    if engine == "dynamic":
        return [Tensor(numpy.zeros(shape, dtype)) for shape, dtype in zip(shapes, dtypes)]
    if engine == "static":
        return [static.placeholder(shape, dtype) for shape, dtype in zip(shapes, dtypes)]
    return [KerasTensor(shape, dtype) for shape, dtype in zip(shapes, dtypes)]


ERRORS = [
    (
        "matmul",
        ops.matmul,
        [(3, 4), (5, 2)],
        ValueError,
        "matmul: cannot multiply shapes (3, 4) and (5, 2): inner dimensions 4 and 5 differ",
    ),
    (
        "matmul-batch",
        ops.matmul,
        [(2, 3, 4), (5, 4, 2)],
        ValueError,
        "matmul: the batch dimensions of shapes (2, 3, 4) and (5, 4, 2) cannot be broadcast together ((2,) and (5,))",
    ),
    (
        "matmul-scalar",
        ops.matmul,
        [(), (3,)],
        ValueError,
        "matmul: operands must have at least one dimension, got shapes () and (3,)",
    ),
    (
        "broadcast",
        ops.add,
        [(2, 3), (4,)],
        ValueError,
        "add: shapes (2, 3), (4,) cannot be broadcast together (axis -1: sizes [3, 4])",
    ),
    (
        "broadcast-where",
        lambda c, a, b: ops.where(c, a, b),
        [Mask((2, 1)), (3,), (2, 2)],
        ValueError,
        "where: shapes (2, 1), (3,), (2, 2) cannot be broadcast together (axis -1: sizes [2, 3])",
    ),
    (
        "axis-sum",
        lambda x: ops.sum(x, axis=3),
        [(2, 3)],
        ValueError,
        "sum: axis 3 is out of bounds for an input of rank 2",
    ),
    (
        "axis-max",
        lambda x: ops.max(x, axis=(0, -3)),
        [(2, 3)],
        ValueError,
        "max: axis -3 is out of bounds for an input of rank 2",
    ),
    (
        "axis-argmax",
        lambda x: ops.argmax(x, axis=2),
        [(2, 3)],
        ValueError,
        "argmax: axis 2 is out of bounds for an input of rank 2",
    ),
    (
        "reshape",
        lambda x: ops.reshape(x, (4, 2)),
        [(2, 3)],
        ValueError,
        "reshape: cannot reshape an input of shape (2, 3) (6 elements) into shape (4, 2) (8 elements)",
    ),
    (
        "reshape-inferred",
        lambda x: ops.reshape(x, (4, -1)),
        [(2, 3)],
        ValueError,
        "reshape: cannot reshape an input of shape (2, 3) (6 elements) into shape (4, -1): 6 is not a multiple of 4",
    ),
    (
        "concatenate",
        lambda a, b: ops.concatenate([a, b], axis=1),
        [(2, 3), (3, 3)],
        ValueError,
        "concatenate: input shapes (2, 3), (3, 3) differ on axis 0 (sizes [2, 3]); only axis 1 may differ",
    ),
    (
        "concatenate-rank",
        lambda a, b: ops.concatenate([a, b]),
        [(2, 3), (3,)],
        ValueError,
        "concatenate: inputs must have the same rank of at least 1, got shapes (2, 3), (3,)",
    ),
    (
        "getitem-bounds",
        lambda x: x[:, 4],
        [(3, 4)],
        IndexError,
        "getitem: index 4 is out of bounds for axis 1 with size 4 (input shape (3, 4))",
    ),
    (
        "getitem-rank",
        lambda x: x[0, 0, 0],
        [(3, 4)],
        IndexError,
        "getitem: too many indices for an input of shape (3, 4): 3 axes indexed",
    ),
    (
        "getitem-mask",
        lambda x, m: x[m],
        [(3, 4), Mask((4, 3))],
        IndexError,
        "getitem: a boolean mask of shape (4, 3) does not match the indexed dimensions (3, 4) of an input of shape "
        "(3, 4)",
    ),
    (
        "einsum",
        lambda a, b: ops.einsum("ij,jk->ik", a, b),
        [(3, 4), (5, 2)],
        ValueError,
        "einsum: subscript 'j' has size 4 in operand 0 but 5 in operand 1 "
        "(subscripts 'ij,jk->ik', shapes (3, 4), (5, 2))",
    ),
    (
        "einsum-rank",
        lambda a: ops.einsum("ij->i", a),
        [(3,)],
        ValueError,
        "einsum: operand 0 has shape (3,) but its subscripts 'ij' name 2 axes (shapes (3,))",
    ),
    (
        "squeeze",
        lambda x: ops.squeeze(x, axis=1),
        [(2, 3)],
        ValueError,
        "squeeze: cannot squeeze axis 1 of size 3 (input shape (2, 3))",
    ),
    (
        "transpose",
        lambda x: ops.transpose(x, (0, 2)),
        [(2, 3, 4)],
        ValueError,
        "transpose: axes (0, 2) are not a permutation of the axes of an input of shape (2, 3, 4)",
    ),
    (
        "broadcast_to",
        lambda x: ops.broadcast_to(x, (2, 1)),
        [(3,)],
        ValueError,
        "broadcast_to: cannot broadcast an input of shape (3,) to shape (2, 1)",
    ),
    (
        "expand_dims",
        lambda x: ops.expand_dims(x, 3),
        [(2,)],
        ValueError,
        "expand_dims: axis 3 is out of bounds for an input of rank 2",
    ),
    (
        "split",
        lambda x: ops.split(x, 2, axis=1),
        [(2, 5)],
        ValueError,
        "split: axis 1 of size 5 cannot be split into 2 equal sections (input shape (2, 5))",
    ),
    (
        "pad",
        lambda x: ops.pad(x, ((1, 1), (1, 1), (1, 1))),
        [(2, 3)],
        ValueError,
        "pad: pad_width ((1, 1), (1, 1), (1, 1)) does not fit an input of shape (2, 3)",
    ),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name, op, shapes, kind, message", ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_shapes_name_the_op_and_the_shapes(engine, name, op, shapes, kind, message):
    with pytest.raises(kind, match=re.escape(message)):
        op(*_inputs(engine, shapes))


@pytest.mark.parametrize("engine", ENGINES)
def test_where_needs_both_branches(engine):
    (condition,) = _inputs(engine, [Mask((2,))])
    with pytest.raises(ValueError, match=re.escape("where: x1 and x2 must both be given")):
        ops.where(condition)


def test_bad_arguments_name_the_op():
    with pytest.raises(ValueError, match=re.escape("pad: mode must be one of")):
        ops.pad(numpy.zeros((2,), "float32"), 1, mode="mirror")
    with pytest.raises(ValueError, match=re.escape("full: shape must be a tuple of non-negative ints, got (2, -1)")):
        ops.full((2, -1), 0.0)
    with pytest.raises(ValueError, match=re.escape("arange: step must not be 0")):
        ops.arange(0, 3, 0)
    with pytest.raises(TypeError, match=re.escape("getitem: a lone boolean index (True) is not supported")):
        Tensor(numpy.zeros(3, "float32"))[True]
    with pytest.raises(ValueError, match=re.escape("einsum: a subscript repeated within one operand ('ii')")):
        ops.einsum("ii->i", numpy.zeros((2, 2), "float32"))
