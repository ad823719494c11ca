"""Turn a kernel's failure into an error that names the op, its input shapes and its attributes."""

from .primitives.registry import describe, dtype_of, shape_of


def error_kind(error):
    """The builtin class to re-raise `error` as: numpy's own subclasses (`_UFuncNoLoopError`, `AxisError`)
    take other constructor arguments than a message, so they cannot be rebuilt around a new one."""
    for kind in (ValueError, TypeError, IndexError):
        if isinstance(error, kind):
            return kind
    return ValueError


def op_error(prim, inputs, attrs, error):
    if prim.checks and type(error) in (ValueError, IndexError):  # a value check's own error: as it is
        return type(error)(str(error))
    shapes = [shape_of(x) for x in inputs]
    dtypes = [dtype_of(x) for x in inputs]
    try:
        prim.infer(shapes, dtypes, **attrs)
    except (ValueError, TypeError, IndexError) as explained:
        return error_kind(explained)(str(explained))
    except Exception:  # a shape rule that cannot even read these inputs explains nothing: the kernel's error does
        pass
    kind = error_kind(error)
    settings = f", attributes {attrs}" if attrs else ""
    types = (
        f", dtypes {', '.join(getattr(d, 'name', getattr(d, '__name__', str(d))) for d in dtypes)}"
        if kind is TypeError
        else ""
    )
    return kind(f"{prim.name}: {error} (input shapes {describe(shapes)}{types}{settings})")
