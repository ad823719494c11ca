"""kerasish.ops.linalg: Keras 3's `keras.ops.linalg`, the linear-algebra ops under their own namespace. Each
is the same function as at `kerasish.ops` top level, as in Keras; `jvp` is defined here.
"""

from kerasish.backends import tree as _tree
from kerasish.backends.dispatch import is_symbolic as _is_symbolic
from kerasish.backends.gradient_tape import GradientTape as _GradientTape
from kerasish.backends.primitives import ops as _ops


def jvp(fun, primals, tangents, has_aux=False):
    """The Jacobian-vector product of `fun` at `primals` along `tangents` (Keras `ops.jvp`, as `jax.jvp`):
    `(fun(*primals), J @ tangents)`, and `fun`'s auxiliary output last with `has_aux=True`.

    Forward mode from two reverse passes: with a cotangent u, the pullback `u -> Jᵀ u` is linear in u,
    so its own gradient along `tangents` is `J @ tangents`. Both passes are taped ops, so this runs on
    both engines (inside `kerasish.function` on the static one)."""
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(
            f"jvp: `primals` and `tangents` must be tuples or lists, received {type(primals).__name__} and "
            f"{type(tangents).__name__}"
        )
    flat_primals, primal_spec = _tree.flatten_with_spec(list(primals))
    flat_tangents, tangent_spec = _tree.flatten_with_spec(list(tangents))
    if primal_spec != tangent_spec:
        raise ValueError(
            "jvp: `tangents` must have the structure of `primals`; received "
            f"{len(flat_tangents)} tangent leaves for {len(flat_primals)} primal leaves"
        )
    flat_primals = [_ops.convert_to_tensor(p) for p in flat_primals]
    flat_tangents = [_ops.cast(t, p.dtype) for t, p in zip(flat_tangents, flat_primals)]
    for primal, tangent in zip(flat_primals, flat_tangents):
        if tuple(primal.shape) != tuple(tangent.shape):
            raise ValueError(
                f"jvp: a tangent of shape {tuple(tangent.shape)} for a primal of shape {tuple(primal.shape)}"
            )
    with _GradientTape(persistent=True) as outer:
        with _GradientTape(persistent=True) as inner:
            inner.watch(flat_primals)
            result = fun(*_tree.unflatten(primal_spec, flat_primals))
        if has_aux:
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise ValueError("jvp: with has_aux=True, `fun` must return a pair (output, aux)")
            result, aux = result
        flat_outputs, output_spec = _tree.flatten_with_spec(result)
        # Inside a static trace, an output that is no graph tensor (a constant) depends on no primal.
        traced = any(_is_symbolic(y) for y in flat_outputs)
        is_linked = [_is_symbolic(y) or not traced for y in flat_outputs]
        linked = [y for y, link in zip(flat_outputs, is_linked) if link]
        cotangents = [_ops.zeros_like(y) for y in linked]
        outer.watch(cotangents)
        pullback = inner.gradient(linked, flat_primals, output_gradients=cotangents)
    connected = [(g, t) for g, t in zip(pullback, flat_tangents) if g is not None]
    pushed = iter(
        outer.gradient(
            [g for g, _ in connected],
            cotangents,
            output_gradients=[t for _, t in connected],
            unconnected_gradients="zero",
        )
        if connected
        else [_ops.zeros_like(y) for y in linked]
    )
    tangents_out = _tree.unflatten(
        output_spec, [next(pushed) if link else _ops.zeros_like(y) for y, link in zip(flat_outputs, is_linked)]
    )
    return (result, tangents_out, aux) if has_aux else (result, tangents_out)


_NAMES = (
    "cholesky",
    "cholesky_inverse",
    "det",
    "eig",
    "eigh",
    "inv",
    "lstsq",
    "lu_factor",
    "matrix_rank",
    "norm",
    "pinv",
    "qr",
    "solve",
    "solve_triangular",
    "svd",
)

globals().update({name: getattr(_ops, name) for name in _NAMES})
