"""Fused kernels the optimisation passes put in a plan (never in a user's graph or a saved file).

`FusedElementwise` runs a chain of elementwise primitives: on numpy each link is one ufunc call
writing into the chain's buffer (`out=`), so the chain allocates one array instead of one per link;
on cupy the whole chain is one generated ElementwiseKernel. `MatmulBias` is matmul (or einsum), then the bias
added and the activation applied in place in the matmul's result; `ProductEpilogue` the same for a
convolution, with inference batch normalization's scale and shift too; `ProductUpdate` is an SGD step
whose gradient is a matrix product, as one BLAS call into the variable.

Both return a new array (`fresh`) when given no `out`. A kernel with `writes_out = True` accepts
`out=`: a buffer to write its result into (a dead intermediate from buffer_reuse, or a variable's
own storage from inplace_updates). It never writes into `out` before it has read every input that
aliases `out`.
"""

import functools

import numpy

from ..kernels import row_blocks
from ..kernels.blas import accumulate_product
from ..primitives.registry import PRIMITIVES, ops


def link(name):
    """The elementwise link of the primitive `name` (its `fusion` fact): (numpy ufunc, its arguments over the
    operands {0}, {1}, CUDA expression over the same). Programs name their primitives: attrs stay plain values."""
    return PRIMITIVES[name].fusion


class FusedElementwise:
    """attrs: `program` = ((primitive name, operands), ...) of primitives with a `fusion` link, an operand
    being an input index or -1 for the previous link's result; `exact` = the static shapes are fully
    known and all equal, so no link can need a bigger buffer than the first link's."""

    name = "fused_elementwise"
    writes_out = True
    fresh = True
    vjp = None

    def forward(self, xp, *inputs, program, exact, out=None):
        return self.kernel(xp, program, exact, len(inputs))(*inputs, out=out)

    @staticmethod
    def kernel(xp, program, exact, count):
        """The chain as one callable `chain(*inputs, out=None)`, made once per plan step."""
        generic = _numpy_chain(program, exact, count)  # numpy ufuncs dispatch to cupy through __array_ufunc__
        if xp is numpy:
            return generic

        def chain(*inputs, out=None):
            kinds = tuple(_kind(x) for x in inputs)
            if len(set(kinds) - {"scalar"}) > 1:  # one kernel needs one dtype for all its arrays
                return generic(*inputs, out=out)
            return _cupy_chain(xp, program, kinds)(inputs, out)

        return chain


FUSED_ELEMENTWISE = FusedElementwise()


@functools.lru_cache(maxsize=None)
def _numpy_chain(program, exact, count):
    """Generated Python for one chain: one ufunc call per link, each writing into the chain's buffer.

    The first link writes into `out` unless `out` is an input that a later link still reads; the
    last link always writes into `out` when one is given. Without exact shapes a link whose result
    outgrows the buffer (broadcasting) allocates instead.
    """
    names = [f"i{k}" for k in range(count)]
    later = sorted({k for _, operands in program[1:] for k in operands if k >= 0})
    aliased = " or ".join(f"out is {names[k]}" for k in later) or "False"
    lines = [f"def chain({', '.join(names)}, out=None):", f"    v = None if out is None or {aliased} else out"]
    last = len(program) - 1
    scope = {}
    for index, (name, operands) in enumerate(program):
        ufunc, arguments, _ = link(name)
        scope[ufunc] = getattr(numpy, ufunc)
        call = f"{ufunc}({arguments.format(*['v' if k < 0 else names[k] for k in operands])}"
        target = "v" if index < last else "(v if out is None else out)"
        if index == 0 and index < last:
            lines.append(f"    v = {call}, out=v)")
        elif exact or index == 0:
            lines.append(f"    v = {call}, out={target})")
        else:
            lines += [
                "    try:",
                f"        v = {call}, out={target})",
                "    except ValueError:",
                f"        v = {call})",
            ]
    lines.append("    return v")
    exec(compile("\n".join(lines) + "\n", f"<kerasish fused {program}>", "exec"), scope)
    return scope["chain"]


class MatmulBias:
    """product(x, w, **attributes) + bias, `product` being the matmul or a two-operand einsum primitive, then
    the activation, in the product's result (`exact`: the static shapes are fully known, so the bias cannot
    grow the result). A bias with one value per column, or one per position of the result's trailing axes (an
    einsum's (heads, size) bias), is added block by block of rows, over tiles (`row_blocks`)."""

    name = "matmul_bias_activation"
    writes_out = False
    fresh = True
    vjp = None

    def forward(self, xp, x, w, bias, product, activation, attributes, exact):
        return self.kernel(xp, product, activation, attributes, exact, 3)(x, w, bias)

    @staticmethod
    def kernel(xp, product, activation, attributes, exact, count):
        multiply = functools.partial(product.forward, xp, **dict(attributes))
        program = ((ops.add.name, (0, 1)),) + (((activation, (-1,)),) if activation is not None else ())
        chain = FusedElementwise.kernel(xp, program, exact, 2)
        blocks, zero = _tiled_chain(xp, program, 1)

        def run(x, w, bias):
            result = multiply(x, w)
            if not product.fresh and (xp.may_share_memory(result, x) or xp.may_share_memory(result, w)):
                result = result.copy()  # an einsum's result may be a view of an operand (not of two, on numpy)
            if (
                type(result) is type(bias) is xp.ndarray
                and row_blocks.pays(xp, result.size)
                and 0 < bias.ndim <= result.ndim
                and result.flags.c_contiguous
            ):
                columns = row_blocks.columns(bias.shape, result.shape)
                if columns:
                    finish = row_blocks.Tiled(xp, blocks, (bias,), zero)
                    row_blocks.in_blocks(xp, result.reshape(-1, columns), finish)
                    return result
            return chain(result, bias, out=result)

        return run


MATMUL_BIAS = MatmulBias()


class ProductEpilogue:
    """A product with an `epilogue` (a convolution's windows times its kernel), then in its result, block by
    block while each is in the cache: the bias added, a `channel_affine` op's scale and shift (inference batch
    normalization) and the activation. inputs: x, kernel, `biases` bias vectors, the affine op's other inputs;
    attrs: `product` and `affine` (Primitives, or None), their `attributes`, `activation` (a primitive name
    or None). The scale multiplies the kernel instead of the result where the kernel is the smaller (a
    stride-1 convolution over a large image): folded into the convolution, computed on every call from the
    current values, so nothing can go stale."""

    name = "product_epilogue"
    writes_out = False
    fresh = True
    vjp = None

    def forward(self, xp, *inputs, **attrs):
        return self.kernel(xp, len(inputs), **attrs)(*inputs)

    @staticmethod
    def kernel(xp, count, product, product_attributes, biases, affine, affine_attributes, activation):
        multiply = functools.partial(product.forward, xp, **dict(product_attributes))
        coefficients = functools.partial(affine.channel_affine, xp, **dict(affine_attributes)) if affine else None
        follow = ((activation, (-1,)),) if activation is not None else ()
        scaled = _tiled_chain(xp, ((ops.multiply.name, (0, 1)), (ops.add.name, (-1, 2))) + follow, 2)
        shifted = _tiled_chain(xp, ((ops.add.name, (0, 1)),) + follow, 1)
        alone = _tiled_chain(xp, ((activation, (0,)),), 0) if follow else None

        def run(x, kernel, *rest):
            scale = shift = None
            if coefficients is not None:
                scale, shift = coefficients(*rest[biases:])
            if biases:
                offset = sum(bias.reshape(-1) for bias in rest[:biases])
                shift = offset if scale is None else offset * scale + shift
            if scale is not None and kernel.size < x.size:
                kernel, scale = kernel * scale, None
            if scale is not None:
                (finish, zero), vectors = scaled, (scale, shift)
            elif shift is not None:
                (finish, zero), vectors = shifted, (shift,)
            else:
                (finish, zero), vectors = alone, ()
            return multiply(x, kernel, finish=row_blocks.Tiled(xp, finish, vectors, zero))

        return run


def _tiled_chain(xp, program, vectors):
    """(finish(block, *vectors[, zero tile]), whether it takes a zero tile) for `row_blocks.Tiled`: the program
    over the block (operand 0) and `vectors` vectors, written into the block. An activation that is a binary
    ufunc against the number 0 (relu: maximum(x, 0)) becomes that ufunc's two-operand link against a zero tile:
    numpy's loop over two contiguous arrays is ~2.5x faster than against a scalar."""
    *links, (name, operands) = program
    binary = _against_zero(name) if operands == (-1,) or (not links and operands == (0,)) else None
    if binary is not None:
        program = (*links, (binary, (operands[0], vectors + 1)))
    chain = FusedElementwise.kernel(xp, program, True, vectors + 1 + (binary is not None))
    return functools.partial(_in_block, chain), binary is not None


@functools.lru_cache(maxsize=None)
def _against_zero(name):
    """The primitive with the two-operand link `ufunc({0}, {1})` of an activation whose link is `ufunc({0}, 0)`,
    else None."""
    ufunc, arguments, _ = link(name)
    if arguments != "{0}, 0":
        return None
    return next((other for other, p in PRIMITIVES.items() if p.fusion and p.fusion[:2] == (ufunc, "{0}, {1}")), None)


def _in_block(chain, block, *vectors):
    chain(block, *vectors, out=block)


PRODUCT_EPILOGUE = ProductEpilogue()


class ProductUpdate:
    """`c - (a @ b) * learning_rate`, or with momentum `c * beta - (a @ b) * learning_rate`: inputs c, a, b,
    learning_rate[, beta], a and b 2-D, the scalars numbers or 0-d arrays. Written into c's own storage (`out`
    is c, from inplace_updates) it is one gemm, c ← beta · c − learning_rate · a @ b, so the product is never
    written out and read back (gemm rounds once where the separate ops round three times). Elsewhere, or where
    gemm cannot take the arrays (cupy, float16, a strided c, an operand sharing c's memory), it computes the
    separate ops' numbers: the product, then the chain elementwise_fusion would make of the rest."""

    name = "product_update"
    writes_out = True
    fresh = True
    vjp = None

    def forward(self, xp, *inputs, out=None):
        return self.kernel(xp, len(inputs))(*inputs, out=out)

    @staticmethod
    def kernel(xp, count):
        multiply = functools.partial(ops.matmul.forward, xp)
        scaled = (ops.multiply.name, (0, 1))
        in_blas = xp is numpy  # a scalar is read on the host only from numpy's arrays
        if count == 4:
            update = FusedElementwise.kernel(xp, (scaled, (ops.subtract.name, (2, -1))), True, 3)

            def plain(c, a, b, learning_rate, out=None):
                if in_blas and out is c and accumulate_product(out, a, b, -float(learning_rate)):
                    return out
                product = multiply(a, b)
                return update(product, learning_rate, c, out=product if out is None else out)

            return plain

        scale = FusedElementwise.kernel(xp, (scaled,), True, 2)
        update = FusedElementwise.kernel(xp, (scaled, (ops.subtract.name, (-1, 2))), True, 3)

        def momentum(c, a, b, learning_rate, beta, out=None):
            if in_blas and out is c and accumulate_product(out, a, b, -float(learning_rate), float(beta)):
                return out
            product = multiply(a, b)
            scale(product, learning_rate, out=product)
            return update(c, beta, product, out=out)

        return momentum


PRODUCT_UPDATE = ProductUpdate()


def _kind(x):
    return "scalar" if isinstance(x, (int, float, bool)) else str(x.dtype)


def cuda_expression(program, names):
    """The chain as one CUDA expression over the kernel's input names. Each link's result is cast to T, as the
    numpy chain writes it into a T buffer: float16 arithmetic gives float, and max(float, float16) is ambiguous."""
    expression = None
    for name, operands in program:
        expression = link(name)[2].format(*[f"(T){expression}" if k < 0 else names[k] for k in operands])
    return expression


@functools.lru_cache(maxsize=None)
def _cupy_chain(cupy, program, kinds):
    """One cupy ElementwiseKernel for the chain (python scalars become kernel arguments of type T)."""
    names = [f"in{i}" for i in range(len(kinds))]
    parameters = ", ".join(f"T {n}" for n in names)
    kernel = cupy.ElementwiseKernel(
        parameters,
        "T out",
        f"out = {cuda_expression(program, names)}",
        "kerasish_fused_" + "_".join(name for name, _ in program),
    )

    def run(inputs, out):
        dtype = next(x.dtype for x in inputs if hasattr(x, "dtype"))
        args = [x if hasattr(x, "dtype") else dtype.type(x) for x in inputs]
        if out is not None:
            return kernel(*args, out)
        return kernel(*args)

    return run
