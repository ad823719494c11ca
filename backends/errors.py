"""Turn a kernel's failure into an error that names the op, its input shapes and its attributes."""
from .primitives.registry import describe, dtype_of, shape_of


def op_error(prim, inputs, attrs, error):
    shapes = [shape_of(x) for x in inputs]
    dtypes = [dtype_of(x) for x in inputs]
    try:
        prim.infer(shapes, dtypes, **attrs)
    except (ValueError, TypeError) as explained:
        return type(explained)(str(explained))
    settings = f", attributes {attrs}" if attrs else ""
    kind = type(error) if isinstance(error, (ValueError, TypeError, IndexError)) else ValueError
    return kind(f"{prim.name}: {error} (input shapes {describe(shapes)}{settings})")
