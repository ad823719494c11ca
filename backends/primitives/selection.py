"""Choosing elements as Keras's: select (the first matching condition's choice, elementwise) and get_item
(Keras's name for indexing, `x[key]`)."""

from .registry import export, ops


@export
def select(condlist, choicelist, default=0):
    """Where condlist[i] is the first true condition, choicelist[i]; where none is true, `default`."""
    if not isinstance(condlist, (list, tuple)) or not isinstance(choicelist, (list, tuple)):
        raise ValueError(
            "select: condlist and choicelist must be lists. Received: "
            f"type(condlist) = {type(condlist)}, type(choicelist) = {type(choicelist)}"
        )
    if not condlist or not choicelist:
        raise ValueError(
            f"select: condlist and choicelist must not be empty. Received: condlist = {condlist}, "
            f"choicelist = {choicelist}"
        )
    if len(condlist) != len(choicelist):
        raise ValueError(
            f"select: condlist and choicelist must have the same length, received {len(condlist)} conditions "
            f"and {len(choicelist)} choices"
        )
    result = default
    for condition, choice in zip(reversed(condlist), reversed(choicelist)):
        result = ops.where(condition, choice, result)
    return result


@export
def get_item(x, key):
    return ops.getitem(x, key)
