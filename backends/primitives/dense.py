"""`x @ kernel + bias` (`dense`) and `relu(x @ kernel + bias)` (`dense_relu`) as one op each: the Dense
layer's step on the dynamic engine.

The bias is added and the relu applied in the product's own fresh result (`out=`), so the op makes one
array where the separate matmul, add and relu made three, and a tape keeps one record instead of three; on a
large result block by block of rows, against tiles of the bias and of relu's 0 (`row_blocks`).
Each value is rounded as the separate ops round it, and the gradient is theirs: relu's rule, then matmul's
rule, and the bias's gradient as `add`'s summed back to the bias's shape (`sum_to`, given by the rule itself).
Two primitives rather than an attribute, so that only `dense_relu` keeps its output for its gradient.
A static plan fuses the separate ops itself (backends/static/fused.py), so Dense traces those and calls
these only eagerly; their rules therefore take relu's and matmul's eager forms directly (`relu_gradient`,
`matrix_gradients`), without asking whether a trace runs.
"""

import functools

from ..kernels import row_blocks
from .elementwise import relu_gradient
from .linalg import matmul, matrix_gradients
from .registry import PRIMITIVES, primitive, sum_to


def _dense_forward(xp, x, kernel, bias):
    result = matmul.forward(xp, x, kernel)
    if _in_place(xp, result, bias, relu=False) is not None:
        return result
    return PRIMITIVES["add"].forward(xp, result, bias)


def _in_place(xp, result, bias, relu):
    """The bias added (and the relu applied) in the product's result, or None where the bias could grow or
    retype it; on a large result block by block of rows, over tiles (row_blocks)."""
    if not (
        type(result) is type(bias) is xp.ndarray
        and result.dtype == bias.dtype
        and bias.ndim <= result.ndim
        and result.shape[result.ndim - bias.ndim :] == bias.shape
    ):
        return None
    columns = row_blocks.columns(bias.shape, result.shape) if bias.ndim else None
    if row_blocks.pays(xp, result.size) and columns and result.flags.c_contiguous:
        finish = row_blocks.Tiled(
            xp, functools.partial(row_blocks.add_relu if relu else row_blocks.add, xp), (bias,), zero=relu
        )
        row_blocks.in_blocks(xp, result.reshape(-1, columns), finish)
        return result
    xp.add(result, bias, out=result)
    return xp.maximum(result, row_blocks.zero_for(xp, result), out=result) if relu else result


def _dense_relu_forward(xp, x, kernel, bias):
    result = matmul.forward(xp, x, kernel)
    if _in_place(xp, result, bias, relu=True) is not None:
        return result
    result = PRIMITIVES["add"].forward(xp, result, bias)
    if type(result) is xp.ndarray:
        return xp.maximum(result, 0, out=result)
    return PRIMITIVES["relu"].forward(xp, result)


def _dense_vjp(g, inputs, output, needs):
    x, kernel, bias = inputs
    if len(x.shape) == 2:
        d_x, d_kernel = matrix_gradients(g, x, kernel, needs)
    else:
        d_x, d_kernel = matmul.vjp(g, (x, kernel), None, needs[:2]) if needs[0] or needs[1] else (None, None)
    return d_x, d_kernel, sum_to(g, bias) if needs[2] else None  # `add`'s gradient summed back, as backward would


def _dense_relu_vjp(g, inputs, output, needs):
    return _dense_vjp(relu_gradient(g, output), inputs, output, needs)  # relu's eager rule


def _dense_infer(shapes, dtypes):
    shape, dtype = matmul.infer(shapes[:2], dtypes[:2])
    return PRIMITIVES["add"].infer((shape, shapes[2]), (dtype, dtypes[2]))


dense = primitive("dense", _dense_forward, _dense_vjp, _dense_infer, saves=(0, 1), fresh=True)
dense_relu = primitive(  # relu keeps its input's shape and dtype: the same shape rule
    "dense_relu", _dense_relu_forward, _dense_relu_vjp, _dense_infer, saves=(0, 1, "output"), fresh=True
)
