"""Fused kernels the optimisation passes put in a plan (never in a user's graph or a saved file).

`FusedElementwise` runs a chain of elementwise primitives: on numpy each link is one ufunc call
writing into the chain's buffer (`out=`), so the chain allocates one array instead of one per link;
on cupy the whole chain is one generated ElementwiseKernel. `MatmulBias` is matmul, then the bias
added and the activation applied in place in the matmul's result.

A kernel with `writes_out = True` accepts `out=`: a buffer to write its result into (a dead
intermediate from buffer_reuse, or a variable's own storage from inplace_updates). It never writes
into `out` before it has read every input that aliases `out`.
"""
import functools

import numpy

# name -> (numpy link: fn(xp, args, out) -> array, CUDA expression over {0}, {1})
LINKS = {
    "add": (lambda xp, a, out: xp.add(a[0], a[1], out=out), "({0} + {1})"),
    "subtract": (lambda xp, a, out: xp.subtract(a[0], a[1], out=out), "({0} - {1})"),
    "multiply": (lambda xp, a, out: xp.multiply(a[0], a[1], out=out), "({0} * {1})"),
    "divide": (lambda xp, a, out: xp.divide(a[0], a[1], out=out), "({0} / {1})"),
    "negative": (lambda xp, a, out: xp.negative(a[0], out=out), "(-{0})"),
    "exp": (lambda xp, a, out: xp.exp(a[0], out=out), "exp({0})"),
    "tanh": (lambda xp, a, out: xp.tanh(a[0], out=out), "tanh({0})"),
    "relu": (lambda xp, a, out: xp.maximum(a[0], 0, out=out), "max({0}, (T)0)"),
    "log": (lambda xp, a, out: xp.log(a[0], out=out), "log({0})"),
    "sqrt": (lambda xp, a, out: xp.sqrt(a[0], out=out), "sqrt({0})"),
    "square": (lambda xp, a, out: xp.square(a[0], out=out), "({0} * {0})"),
    "abs": (lambda xp, a, out: xp.abs(a[0], out=out), "abs({0})"),
    "maximum": (lambda xp, a, out: xp.maximum(a[0], a[1], out=out), "max({0}, {1})"),
    "minimum": (lambda xp, a, out: xp.minimum(a[0], a[1], out=out), "min({0}, {1})"),
}


def _link(name, xp, args, out):
    """One link, in place when the shapes allow (a broadcast that grows the result allocates)."""
    function = LINKS[name][0]
    if out is None:
        return function(xp, args, None)
    try:
        return function(xp, args, out)
    except (ValueError, TypeError):  # out is too small for the broadcast result, or a numpy scalar
        return function(xp, args, None)


class FusedElementwise:
    """program: ((primitive name, operands), ...); an operand is an input index, or -1 for the
    previous link's result."""
    name = "fused_elementwise"
    writes_out = True
    vjp = None

    def forward(self, xp, *inputs, program, out=None):
        if xp is not numpy:
            return _cupy_chain(program, tuple(_kind(x) for x in inputs))(xp, inputs, out)
        later = {k for _, operands in program[1:] for k in operands if k >= 0}
        safe = out is not None and not any(out is inputs[k] for k in later)
        value = out if safe else None
        last = len(program) - 1
        for index, (name, operands) in enumerate(program):
            args = [value if k < 0 else inputs[k] for k in operands]
            target = out if index == last and out is not None else value
            value = _link(name, xp, args, target)
        return value


FUSED_ELEMENTWISE = FusedElementwise()


class MatmulBias:
    """matmul(x, w, **matmul attributes) + bias, then the activation, in the matmul's result."""
    name = "matmul_bias_activation"
    writes_out = False
    vjp = None

    def forward(self, xp, x, w, bias, matmul, activation, attributes):
        result = matmul.forward(xp, x, w, **dict(attributes))
        result = _link("add", xp, [result, bias], result)
        if activation is not None:
            result = _link(activation, xp, [result], result)
        return result


MATMUL_BIAS = MatmulBias()


def _kind(x):
    return "scalar" if isinstance(x, (int, float, bool)) else str(x.dtype)


@functools.lru_cache(maxsize=None)
def _cupy_chain(program, kinds):
    """One cupy ElementwiseKernel for the chain (python scalars become kernel arguments of type T)."""
    import cupy
    names = [f"in{i}" for i in range(len(kinds))]
    expression = None
    for name, operands in program:
        expression = LINKS[name][1].format(*[expression if k < 0 else names[k] for k in operands])
    parameters = ", ".join(f"T {n}" for n in names)
    kernel = cupy.ElementwiseKernel(parameters, "T out", f"out = {expression}",
                                    "kerasish_fused_" + "_".join(name for name, _ in program))

    def run(xp, inputs, out):
        dtype = next(x.dtype for x in inputs if hasattr(x, "dtype"))
        args = [x if hasattr(x, "dtype") else dtype.type(x) for x in inputs]
        if out is not None:
            return kernel(*args, out)
        return kernel(*args)
    return run
