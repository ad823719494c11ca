"""The mapping of kerasish primitives to ONNX operators, keyed by the Primitive objects themselves:
elementwise ops, reductions, linear algebra and shapes. Convolutions and pools (onnx_convolutions.py)
and control flow (onnx_control_flow.py) have their own tables; onnx_export.py merges the three.

`CONVERTERS[primitive](graph, node)` writes the ONNX nodes of one graph node into an `OnnxGraph` and
records the node's value (an ONNX name and its stored layout).
"""

import math

import numpy

from kerasish.backends.primitives.registry import PRIMITIVES, result_dtype

from .onnx_graph import compose, inverse, onnx

CONVERTERS = {}


def register(table, names, converter):
    """`converter` for the primitives named (looked up once in the registry: the key is the object)."""
    for name in names.split():
        table[PRIMITIVES[name]] = converter


def onnx_dtype(dtype):
    return onnx().helper.np_dtype_to_tensor_dtype(numpy.dtype(dtype))


def axes_of(axis, rank):
    """A reduction's `axis` attribute (None, an int or ints) as sorted non-negative axes."""
    if axis is None:
        return tuple(range(rank))
    axes = axis if isinstance(axis, (list, tuple)) else (axis,)
    return tuple(sorted(int(a) % rank for a in axes))


# ----- elementwise ops: the layout of their first full-rank operand is kept ----------------------


def _shared_perm(graph, node, operands):
    rank = len(node.shape)
    perms = {graph.perm_of(x) for x in operands if graph.array(x) is None and len(x.shape) == rank}
    if len(perms) != 1:
        return None
    perm = perms.pop()
    # a lower-rank operand that is not a constant cannot follow a permuted layout
    if perm is not None and any(graph.array(x) is None and len(x.shape) != rank for x in operands):
        return None
    return perm


def _operand(graph, x, perm, rank, dtype):
    constant = graph.array(x)
    if constant is not None:
        constant = numpy.asarray(constant, dtype=dtype)
        if perm is not None and constant.ndim:
            constant = numpy.transpose(constant.reshape((1,) * (rank - constant.ndim) + constant.shape), perm)
        return graph.constant(constant)
    name = graph.layout(x, perm)
    if numpy.dtype(x.dtype) != numpy.dtype(dtype):
        name = graph.node("Cast", [name], f"{x.name}_cast", to=onnx_dtype(dtype))
    return name


def _operand_dtype(operands):
    """ONNX has no type promotion: every operand takes the dtype kerasish computed in."""
    return numpy.dtype(result_dtype(*[x.dtype if hasattr(x, "dtype") else type(x) for x in operands]))


def elementwise(op_type, after=None, **attributes):
    def convert(graph, node):
        operands = node.inputs
        perm = _shared_perm(graph, node, operands)
        dtype = _operand_dtype(operands)
        names = [_operand(graph, x, perm, len(node.shape), dtype) for x in operands]
        result = graph.node(op_type, names, node.name, **attributes)
        if after is not None:
            result = graph.node(after, [result], node.name)
        graph.set(node, result, perm)

    return convert


def unary_chain(*steps):
    """Unary ops built from several ONNX ops, e.g. rsqrt = Reciprocal(Sqrt(x)). A step is an op type or
    (op type, constant) for a binary op whose second operand is a scalar of x's dtype."""

    def convert(graph, node):
        x = node.inputs[0]
        perm = graph.perm_of(x)
        dtype = numpy.dtype(node.dtype)
        name = _operand(graph, x, perm, len(node.shape), dtype)
        for step in steps:
            if isinstance(step, tuple):
                op_type, scalar = step
                name = graph.node(op_type, [name, graph.constant(numpy.asarray(scalar, dtype))], node.name)
            else:
                name = graph.node(step, [name], node.name)
        graph.set(node, name, perm)

    return convert


def _attribute_unary(op_type, attribute, attr):
    def convert(graph, node):
        x = node.inputs[0]
        name = graph.node(
            op_type, [graph.layout(x, graph.perm_of(x))], node.name, **{attribute: float(node.attrs[attr])}
        )
        graph.set(node, name, graph.perm_of(x))

    return convert


def _silu(graph, node):
    x = node.inputs[0]
    name = graph.layout(x, graph.perm_of(x))
    graph.set(node, graph.node("Mul", [name, graph.node("Sigmoid", [name], node.name)], node.name), graph.perm_of(x))


def _gelu(graph, node):
    x = node.inputs[0]
    perm, dtype = graph.perm_of(x), numpy.dtype(node.dtype)
    name = graph.layout(x, perm)

    def scalar(value):
        return graph.constant(numpy.asarray(value, dtype))

    if node.attrs["approximate"]:
        cube = graph.node("Mul", [graph.node("Mul", [name, name], node.name), name], node.name)
        inner = graph.node("Add", [name, graph.node("Mul", [cube, scalar(0.044715)], node.name)], node.name)
        core = graph.node("Tanh", [graph.node("Mul", [inner, scalar(math.sqrt(2 / math.pi))], node.name)], node.name)
    else:
        core = graph.node("Erf", [graph.node("Mul", [name, scalar(1 / math.sqrt(2))], node.name)], node.name)
    half = graph.node("Mul", [name, scalar(0.5)], node.name)
    graph.set(node, graph.node("Mul", [half, graph.node("Add", [core, scalar(1.0)], node.name)], node.name), perm)


def _square(graph, node):
    x = node.inputs[0]
    name = graph.layout(x, graph.perm_of(x))
    graph.set(node, graph.node("Mul", [name, name], node.name), graph.perm_of(x))


def _identity(graph, node):
    x = node.inputs[0]
    value = graph.value(x)
    graph.set(node, value.name, value.perm)


def _cast(graph, node):
    x = node.inputs[0]
    perm = graph.perm_of(x)
    graph.set(node, graph.node("Cast", [graph.layout(x, perm)], node.name, to=onnx_dtype(node.dtype)), perm)


def _isfinite(graph, node):
    x = node.inputs[0]
    perm = graph.perm_of(x)
    name = graph.layout(x, perm)
    bad = graph.node("Or", [graph.node("IsNaN", [name], node.name), graph.node("IsInf", [name], node.name)], node.name)
    graph.set(node, graph.node("Not", [bad], node.name), perm)


def _where(graph, node):
    operands = node.inputs
    perm = _shared_perm(graph, node, operands)
    dtype = _operand_dtype(operands[1:])
    names = [_operand(graph, operands[0], perm, len(node.shape), numpy.dtype(bool))]
    names += [_operand(graph, x, perm, len(node.shape), dtype) for x in operands[1:]]
    graph.set(node, graph.node("Where", names, node.name), perm)


def formula(build, integers=True):
    """An elementwise op written as several ONNX ops: `build(graph, names, node, scalar)` over the operands
    (cast to the computing dtype, in a shared layout); `scalar(v)` is a constant of that dtype."""

    def convert(graph, node):
        operands = node.inputs
        dtype = _operand_dtype(operands)
        if not integers and dtype.kind != "f":
            raise graph.unmapped(node, f"only float inputs export (got {dtype.name})")
        perm = _shared_perm(graph, node, operands)
        names = [_operand(graph, x, perm, len(node.shape), dtype) for x in operands]
        graph.set(node, build(graph, names, node, lambda value: graph.constant(numpy.asarray(value, dtype))), perm)

    return convert


def _floor_divide(graph, names, node, scalar):
    return graph.node("Floor", [graph.node("Div", names, node.name)], node.name)


def _float_mod(graph, names, node, scalar):
    """a - floor(a / b) * b: the remainder with the divisor's sign, as numpy (ONNX's float Mod is C's fmod)."""
    quotient = _floor_divide(graph, names, node, scalar)
    return graph.node("Sub", [names[0], graph.node("Mul", [quotient, names[1]], node.name)], node.name)


def _mod(graph, node):
    if _operand_dtype(node.inputs).kind == "f":
        formula(_float_mod)(graph, node)
    else:
        elementwise("Mod", fmod=0)(graph, node)


def _logaddexp(graph, names, node, scalar):
    """max(a, b) + log1p(exp(-|a - b|)): stable for large inputs."""
    gap = graph.node("Neg", [graph.node("Abs", [graph.node("Sub", names, node.name)], node.name)], node.name)
    softplus = graph.node(
        "Log", [graph.node("Add", [graph.node("Exp", [gap], node.name), scalar(1.0)], node.name)], node.name
    )
    return graph.node("Add", [graph.node("Max", names, node.name), softplus], node.name)


def _divide_no_nan(graph, names, node, scalar):
    zero = scalar(0)
    quotient = graph.node("Div", names, node.name)
    return graph.node("Where", [graph.node("Equal", [names[1], zero], node.name), zero, quotient], node.name)


def _nan_to_num(graph, names, node, scalar):
    x = names[0]
    attrs = node.attrs
    finite = numpy.finfo(numpy.dtype(node.dtype))
    result = x
    for test, value in (
        (dict(detect_positive=1, detect_negative=0), attrs["posinf"]),
        (dict(detect_positive=0, detect_negative=1), attrs["neginf"]),
    ):
        fill = (finite.max if test["detect_positive"] else finite.min) if value is None else value
        result = graph.node("Where", [graph.node("IsInf", [x], node.name, **test), scalar(fill), result], node.name)
    return graph.node("Where", [graph.node("IsNaN", [x], node.name), scalar(attrs["nan"]), result], node.name)


def _round(graph, node):
    if node.attrs.get("decimals", 0) != 0:
        raise graph.unmapped(node, "only decimals=0 exports")
    unary_chain("Round")(graph, node)


register(CONVERTERS, "add", elementwise("Add"))
register(CONVERTERS, "subtract", elementwise("Sub"))
register(CONVERTERS, "multiply", elementwise("Mul"))
register(CONVERTERS, "divide", elementwise("Div"))
register(CONVERTERS, "power", elementwise("Pow"))
register(CONVERTERS, "maximum", elementwise("Max"))
register(CONVERTERS, "minimum", elementwise("Min"))
register(CONVERTERS, "equal", elementwise("Equal"))
register(CONVERTERS, "not_equal", elementwise("Equal", after="Not"))
register(CONVERTERS, "greater", elementwise("Greater"))
register(CONVERTERS, "greater_equal", elementwise("GreaterOrEqual"))
register(CONVERTERS, "less", elementwise("Less"))
register(CONVERTERS, "less_equal", elementwise("LessOrEqual"))
register(CONVERTERS, "logical_and", elementwise("And"))
register(CONVERTERS, "logical_or", elementwise("Or"))
register(CONVERTERS, "logical_xor", elementwise("Xor"))
for _names, _op in (
    ("negative", "Neg"),
    ("abs", "Abs"),
    ("sign", "Sign"),
    ("floor", "Floor"),
    ("ceil", "Ceil"),
    ("sqrt", "Sqrt"),
    ("exp", "Exp"),
    ("log", "Log"),
    ("sin", "Sin"),
    ("cos", "Cos"),
    ("tanh", "Tanh"),
    ("erf", "Erf"),
    ("relu", "Relu"),
    ("sigmoid", "Sigmoid"),
    ("softplus", "Softplus"),
    ("logical_not", "Not"),
    ("isnan", "IsNaN"),
    ("isinf", "IsInf"),
):
    register(CONVERTERS, _names, unary_chain(_op))
register(CONVERTERS, "rsqrt", unary_chain("Sqrt", "Reciprocal"))
register(CONVERTERS, "expm1", unary_chain("Exp", ("Sub", 1.0)))
register(CONVERTERS, "log1p", unary_chain(("Add", 1.0), "Log"))
register(CONVERTERS, "log2", unary_chain("Log", ("Div", math.log(2))))
register(CONVERTERS, "log10", unary_chain("Log", ("Div", math.log(10))))
register(CONVERTERS, "square", _square)
register(CONVERTERS, "silu", _silu)
register(CONVERTERS, "gelu", _gelu)
register(CONVERTERS, "leaky_relu", _attribute_unary("LeakyRelu", "alpha", "negative_slope"))
register(CONVERTERS, "elu", _attribute_unary("Elu", "alpha", "alpha"))
register(CONVERTERS, "cast", _cast)
register(CONVERTERS, "isfinite", _isfinite)
register(CONVERTERS, "where", _where)
register(CONVERTERS, "floor_divide", formula(_floor_divide, integers=False))
register(CONVERTERS, "mod", _mod)
register(CONVERTERS, "logaddexp", formula(_logaddexp, integers=False))
register(CONVERTERS, "divide_no_nan", formula(_divide_no_nan))
register(CONVERTERS, "nan_to_num", formula(_nan_to_num, integers=False))
register(CONVERTERS, "round", _round)
# a value check cannot raise inside an ONNX runtime: the exported graph passes the value through
register(CONVERTERS, "stop_gradient check_range", _identity)


# ----- reductions and softmax: axes follow the stored layout ------------------------------------


def _stored_axes(perm, axes):
    return sorted(perm.index(a) for a in axes) if perm is not None else sorted(axes)


def _reduced_perm(perm, axes, keepdims):
    if perm is None or keepdims:
        return perm
    kept = [a for a in perm if a not in axes]
    order = sorted(kept)
    return tuple(order.index(a) for a in kept)


def _reduce(graph, node, op_type, name, perm):
    """ONNX `op_type` over the node's axes of the stored tensor `name`; (result, its perm). ReduceSum takes
    its axes as an input since opset 13, the other reductions since opset 18."""
    rank = len(node.inputs[0].shape)
    axes = axes_of(node.attrs.get("axis"), rank)
    keepdims = bool(node.attrs.get("keepdims", False))
    stored = _stored_axes(perm, axes)
    if op_type == "ReduceSum" or graph.opset_version >= 18:
        result = graph.node(op_type, [name, graph.ints(stored)], node.name, keepdims=int(keepdims))
    else:
        result = graph.node(op_type, [name], node.name, axes=stored, keepdims=int(keepdims))
    return result, _reduced_perm(perm, axes, keepdims)


def reduction(op_type):
    def convert(graph, node):
        x = node.inputs[0]
        perm = graph.perm_of(x)
        graph.set(node, *_reduce(graph, node, op_type, graph.layout(x, perm), perm))

    return convert


for _name, _op in (
    ("sum", "ReduceSum"),
    ("mean", "ReduceMean"),
    ("max", "ReduceMax"),
    ("min", "ReduceMin"),
    ("prod", "ReduceProd"),
):
    register(CONVERTERS, _name, reduction(_op))


def _truth(op_type):
    """all/any: ONNX reductions take no bools before opset 20, so over 0/1 integers."""

    def convert(graph, node):
        x = node.inputs[0]
        perm = graph.perm_of(x)
        integers = graph.node("Cast", [graph.layout(x, perm)], node.name, to=onnx_dtype(numpy.int32))
        reduced, perm = _reduce(graph, node, op_type, integers, perm)
        graph.set(node, graph.node("Cast", [reduced], node.name, to=onnx_dtype(bool)), perm)

    return convert


def _arg(op_type):
    def convert(graph, node):
        x = node.inputs[0]
        axis, keepdims = node.attrs.get("axis"), bool(node.attrs.get("keepdims", False))
        name = graph.logical(x)
        if axis is None:
            name = graph.node("Reshape", [name, graph.ints([-1])], node.name)
            axis = 0
        result = graph.node(op_type, [name], node.name, axis=int(axis), keepdims=int(keepdims), select_last_index=0)
        result = graph.node("Cast", [result], node.name, to=onnx_dtype(node.dtype))
        if axis is None and keepdims:
            result = graph.node("Reshape", [result, graph.ints([1] * len(x.shape))], node.name)
        graph.set(node, result)

    return convert


register(CONVERTERS, "all", _truth("ReduceMin"))
register(CONVERTERS, "any", _truth("ReduceMax"))
register(CONVERTERS, "argmax", _arg("ArgMax"))
register(CONVERTERS, "argmin", _arg("ArgMin"))


def _softmax(op_type):
    def convert(graph, node):
        x = node.inputs[0]
        perm = graph.perm_of(x)
        axis = int(node.attrs["axis"]) % len(x.shape)
        stored = perm.index(axis) if perm is not None else axis
        graph.set(node, graph.node(op_type, [graph.layout(x, perm)], node.name, axis=stored), perm)

    return convert


register(CONVERTERS, "softmax", _softmax("Softmax"))
register(CONVERTERS, "log_softmax", _softmax("LogSoftmax"))


# ----- linear algebra ----------------------------------------------------------------------------
def _matmul(graph, node):
    dtype = _operand_dtype(node.inputs)
    names = [_operand(graph, x, None, len(x.shape), dtype) for x in node.inputs]
    graph.set(node, graph.node("MatMul", names, node.name))


def _einsum(graph, node):
    names = [graph.logical(x) for x in node.inputs]
    graph.set(node, graph.node("Einsum", names, node.name, equation=node.attrs["subscripts"].replace(" ", "")))


register(CONVERTERS, "matmul", _matmul)
register(CONVERTERS, "einsum", _einsum)

# ----- shapes ------------------------------------------------------------------------------------


def _reshape(graph, node):
    graph.set(node, graph.node("Reshape", [graph.logical(node.inputs[0]), graph.ints(node.attrs["shape"])], node.name))


def _reshape_like(graph, node):
    x, like = node.inputs
    shape = graph.node("Shape", [graph.logical(like)], node.name)
    graph.set(node, graph.node("Reshape", [graph.logical(x), shape], node.name))


def _transpose(graph, node):
    """No node: the result is the same stored tensor with another layout."""
    x = node.inputs[0]
    axes = node.attrs["axes"]
    rank = len(x.shape)
    axes = tuple(range(rank))[::-1] if axes is None else tuple(int(a) % rank for a in axes)
    value = graph.value(x)
    current = value.perm if value.perm is not None else tuple(range(rank))
    # stored = transpose(old, current) and new = transpose(old, axes), so stored = transpose(new, ...)
    graph.set(node, value.name, compose(inverse(axes), current))


def _expand_dims(graph, node):
    axis = node.attrs["axis"]
    rank = len(node.shape)
    axes = axes_of(axis, rank)
    graph.set(node, graph.node("Unsqueeze", [graph.logical(node.inputs[0]), graph.ints(axes)], node.name))


def _squeeze(graph, node):
    x = node.inputs[0]
    axis = node.attrs["axis"]
    axes = [i for i, d in enumerate(x.shape) if d == 1] if axis is None else list(axes_of(axis, len(x.shape)))
    graph.set(node, graph.node("Squeeze", [graph.logical(x), graph.ints(axes)], node.name))


def _broadcast(graph, node):
    x = node.inputs[0]
    if "shape" in node.attrs:
        shape = graph.ints([1 if d is None else d for d in node.attrs["shape"]])
    else:
        shape = graph.node("Shape", [graph.logical(node.inputs[1])], node.name)
    graph.set(node, graph.node("Expand", [graph.logical(x), shape], node.name))


def _concatenate(graph, node):
    dtype = numpy.dtype(node.dtype)
    names = [_operand(graph, x, None, len(node.shape), dtype) for x in node.inputs]
    graph.set(node, graph.node("Concat", names, node.name, axis=int(node.attrs["axis"]) % len(node.shape)))


def _pad(graph, node):
    x = node.inputs[0]
    perm = graph.perm_of(x)
    widths = node.attrs["pad_width"]
    if perm is not None:
        widths = [widths[axis] for axis in perm]
    pads = [int(before) for before, _ in widths] + [int(after) for _, after in widths]
    value = graph.constant(numpy.asarray(node.attrs["constant_values"] or 0, dtype=x.dtype))
    graph.set(
        node, graph.node("Pad", [graph.layout(x, perm), graph.ints(pads), value], node.name, mode="constant"), perm
    )


def _getitem(graph, node):
    """Basic indexing (ints, slices, None, Ellipsis) as Slice + Squeeze + Unsqueeze; one integer index array
    on one axis (take) as Gather."""
    x = node.inputs[0]
    index = node.attrs["index"]
    rank = len(x.shape)
    arrays = [i for i, item in enumerate(index) if type(item) is tuple and item[0] == "array"]
    used = sum(0 if item is None or item == "..." else 1 for item in index)
    if "..." in index:
        at = index.index("...")
        index = index[:at] + (("slice", None, None, None),) * (rank - used) + index[at + 1 :]
    else:
        index = tuple(index) + (("slice", None, None, None),) * (rank - used)
    name = graph.logical(x)
    if arrays:
        positions = [
            i
            for i, item in enumerate(index)
            if not (type(item) is tuple and item[0] == "slice" and item[1:] == (None, None, None))
        ]
        if len(arrays) != 1 or len(positions) != 1 or len(node.inputs) != 2:
            raise graph.unmapped(node, "only one integer index array on one axis (take) exports")
        indices = node.inputs[1]
        if numpy.dtype(indices.dtype) == bool:
            raise graph.unmapped(node, "boolean masks have no fixed output shape")
        graph.set(
            node,
            graph.node("Gather", [name, _operand(graph, indices, None, 0, numpy.int64)], node.name, axis=positions[0]),
        )
        return
    starts, ends, axes, steps, squeeze, unsqueeze = [], [], [], [], [], []
    axis = 0
    for position, item in enumerate(index):
        if item is None:
            unsqueeze.append(position)
            continue
        if type(item) is tuple:
            start, stop, step = item[1:]
            if (start, stop, step) != (None, None, None):
                step = 1 if step is None else step
                big = numpy.iinfo(numpy.int64).max
                starts.append((0 if step > 0 else -1) if start is None else start)
                ends.append((big if step > 0 else -big) if stop is None else stop)
                axes.append(axis)
                steps.append(step)
        else:
            starts.append(item)
            ends.append(item + 1 if item != -1 else numpy.iinfo(numpy.int64).max)
            axes.append(axis)
            steps.append(1)
            squeeze.append(axis)
        axis += 1
    if axes:
        name = graph.node(
            "Slice", [name, graph.ints(starts), graph.ints(ends), graph.ints(axes), graph.ints(steps)], node.name
        )
    if squeeze:
        name = graph.node("Squeeze", [name, graph.ints(squeeze)], node.name)
    if unsqueeze:
        # positions of new axes in the result: count the items before each that keep an axis
        kept = [sum(1 for item in index[:p] if item is None or type(item) is tuple) for p in unsqueeze]
        name = graph.node("Unsqueeze", [name, graph.ints(kept)], node.name)
    graph.set(node, name if name != graph.logical(x) else graph.node("Identity", [name], node.name))


def _like(fill):
    def convert(graph, node):
        shape = graph.node("Shape", [graph.logical(node.inputs[0])], node.name)
        value = onnx().numpy_helper.from_array(numpy.asarray([fill], dtype=node.dtype))
        graph.set(node, graph.node("ConstantOfShape", [shape], node.name, value=value))

    return convert


def _one_hot(graph, node):
    x = node.inputs[0]
    depth = graph.constant(numpy.asarray(node.attrs["num_classes"], numpy.int64))
    values = graph.constant(numpy.asarray([0, 1], dtype=node.dtype))
    indices = graph.node("Cast", [graph.logical(x)], node.name, to=onnx_dtype(numpy.int64))  # onnxruntime's kernels
    graph.set(node, graph.node("OneHot", [indices, depth, values], node.name, axis=int(node.attrs["axis"])))


def _cumulative(graph, node):
    x = node.inputs[0]
    axis = node.attrs["axis"]
    name = graph.logical(x)
    if axis is None:
        name, axis = graph.node("Reshape", [name, graph.ints([-1])], node.name), 0
    graph.set(node, graph.node("CumSum", [name, graph.constant(numpy.asarray(int(axis), numpy.int64))], node.name))


register(CONVERTERS, "reshape", _reshape)
register(CONVERTERS, "reshape_like", _reshape_like)
register(CONVERTERS, "transpose", _transpose)
register(CONVERTERS, "expand_dims", _expand_dims)
register(CONVERTERS, "squeeze", _squeeze)
register(CONVERTERS, "broadcast_to broadcast_like", _broadcast)
register(CONVERTERS, "concatenate", _concatenate)
register(CONVERTERS, "pad", _pad)
register(CONVERTERS, "getitem", _getitem)
register(CONVERTERS, "zeros_like", _like(0))
register(CONVERTERS, "ones_like", _like(1))
register(CONVERTERS, "one_hot", _one_hot)
register(CONVERTERS, "cumsum", _cumulative)


def _moments(graph, node):
    """mean and variance stacked on a new first axis (layer normalization reads them with getitem)."""
    x = node.inputs[0]
    axes, keepdims = list(axes_of(node.attrs["axes"], len(x.shape))), int(node.attrs["keepdims"])
    name = graph.logical(x)

    def mean(value, keep):
        if graph.opset_version >= 18:
            return graph.node("ReduceMean", [value, graph.ints(axes)], node.name, keepdims=keep)
        return graph.node("ReduceMean", [value], node.name, axes=axes, keepdims=keep)

    average = mean(name, 1)
    centred = graph.node("Sub", [name, average], node.name)
    variance = mean(graph.node("Mul", [centred, centred], node.name), keepdims)
    if not keepdims:
        average = graph.node("Squeeze", [average, graph.ints(axes)], node.name)
    zero = graph.ints([0])
    stacked = graph.node(
        "Concat",
        [graph.node("Unsqueeze", [average, zero], node.name), graph.node("Unsqueeze", [variance, zero], node.name)],
        node.name,
        axis=0,
    )
    graph.set(node, stacked)


def _layer_normalization(graph, node):
    """ONNX's LayerNormalization where the normalised axes run to the last and gamma and beta are constants
    that vary along them only (its `moments` input is then never emitted); else (x - mean) / sqrt(variance +
    epsilon) * gamma + beta from that node."""
    x, statistics, *parameters = node.inputs
    axes, epsilon, rank = node.attrs["axes"], node.attrs["epsilon"], len(x.shape)
    dtype, normalized = numpy.dtype(node.dtype), tuple(x.shape[axes[0] :])
    gamma = graph.array(parameters[0]) if node.attrs["scaled"] else numpy.ones((), dtype)
    beta = graph.array(parameters[-1]) if node.attrs["centered"] else numpy.zeros((), dtype)
    if axes == tuple(range(axes[0], rank)) and None not in normalized and gamma is not None and beta is not None:
        full = [value.reshape((1,) * (rank - value.ndim) + value.shape) for value in (gamma, beta)]
        if all(value.shape[: axes[0]] == (1,) * axes[0] for value in full):
            scale, bias = (
                graph.constant(numpy.broadcast_to(v[(0,) * axes[0]], normalized).astype(dtype)) for v in full
            )
            inputs = [graph.logical(x), scale, bias]
            graph.set(node, graph.node("LayerNormalization", inputs, node.name, axis=axes[0], epsilon=epsilon))
            return
    moments = [graph.node("Gather", [graph.logical(statistics), graph.ints(i)], node.name, axis=0) for i in (0, 1)]
    root = graph.node(
        "Sqrt", [graph.node("Add", [moments[1], graph.constant(numpy.asarray(epsilon, dtype))], node.name)], node.name
    )
    result = graph.node("Div", [graph.node("Sub", [graph.logical(x), moments[0]], node.name), root], node.name)
    if node.attrs["scaled"]:
        result = graph.node("Mul", [result, graph.logical(parameters[0], dtype)], node.name)
    if node.attrs["centered"]:
        result = graph.node("Add", [result, graph.logical(parameters[-1], dtype)], node.name)
    graph.set(node, result)


register(CONVERTERS, "moments", lambda graph, node: graph.defer(node, _moments))  # emitted when read
register(CONVERTERS, "layer_normalization", _layer_normalization)
