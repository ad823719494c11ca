"""einops-style rearrange as Keras's: `rearrange(x, "b (h w) c -> b c h w", h=4)` splits grouped input axes,
permutes and merges axes into output groups, as one reshape, one transpose and one reshape."""

import math
import re

from .registry import export, ops, shape_of

_TOKEN = re.compile(r"\(([^()]*)\)|([^\s()]+)")


def _groups(pattern, side):
    if "(" in re.sub(_TOKEN, "", side) or ")" in re.sub(_TOKEN, "", side):
        raise ValueError(f"rearrange: unbalanced parentheses in {side!r} (pattern {pattern!r})")
    groups = []
    for inner, name in _TOKEN.findall(side):
        names = inner.split() if inner or not name else [name]
        for axis in names:
            if not axis.isidentifier():
                raise ValueError(f"rearrange: {axis!r} is not an axis name (pattern {pattern!r})")
        groups.append(names)
    return groups


@export
def rearrange(tensor, pattern, **axes_lengths):
    """Axes of `tensor` reordered, split and merged by an einops pattern; `axes_lengths` give the sizes of axes
    split out of a group (one axis per group may be left to be inferred)."""
    if pattern.count("->") != 1:
        raise ValueError(f"rearrange: the pattern must hold one '->', received {pattern!r}")
    left, right = (_groups(pattern, side) for side in pattern.split("->"))
    shape = shape_of(tensor)
    if len(left) != len(shape):
        raise ValueError(
            f"rearrange: the pattern {pattern!r} names {len(left)} input axes, but the tensor has shape {shape}"
        )
    inputs, outputs = [a for group in left for a in group], [a for group in right for a in group]
    for side, names in (("input", inputs), ("output", outputs)):
        if len(set(names)) != len(names):
            raise ValueError(f"rearrange: an axis is repeated on the {side} side of {pattern!r}")
    if set(inputs) != set(outputs):
        raise ValueError(
            f"rearrange: the axes {sorted(set(inputs) ^ set(outputs))} appear on one side of {pattern!r} only"
        )
    unused = set(axes_lengths) - set(inputs)
    if unused:
        raise ValueError(f"rearrange: axes_lengths names {sorted(unused)}, which {pattern!r} does not use")
    sizes = {}
    for group, size in zip(left, shape):
        unknown = [a for a in group if a not in axes_lengths]
        known = math.prod(int(axes_lengths[a]) for a in group if a in axes_lengths)
        if len(unknown) > 1 and len(group) > 1:
            raise ValueError(f"rearrange: the sizes of {unknown} in group {group} need axes_lengths (shape {shape})")
        if unknown:
            if size is not None and known and size % known:
                raise ValueError(f"rearrange: axis of size {size} cannot be split into {group} (sizes {axes_lengths})")
            sizes[unknown[0]] = None if size is None else size // known
        elif size is not None and known != size:
            raise ValueError(f"rearrange: group {group} has size {known}, but its axis has size {size} (shape {shape})")
        sizes.update({a: int(axes_lengths[a]) for a in group if a in axes_lengths})
    if any(len(group) > 1 for group in left):
        tensor = ops.reshape(tensor, _target(shape, [[a] for a in inputs], sizes))
    tensor = ops.transpose(tensor, [inputs.index(a) for a in outputs])
    if any(len(group) != 1 for group in right):
        tensor = ops.reshape(tensor, _target(shape, right, sizes))
    return tensor


def _target(shape, groups, sizes):
    """The sizes of a reshape into `groups`; one unknown size may be left to the reshape (-1)."""
    target = [-1 if None in [sizes[a] for a in group] else math.prod(sizes[a] for a in group) for group in groups]
    if target.count(-1) > 1:
        raise ValueError(f"rearrange: needs known sizes for the axes it reshapes, received shape {shape}")
    return target
