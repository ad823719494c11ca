"""Keras masks of tensors (`tensor._keras_mask`): a side table keyed by tensor identity, since tensors
compare by value. An entry goes when its tensor does; arrays and numbers carry no mask."""

import weakref

_MASKS = {}  # id(tensor) -> (weak reference to the tensor, its Keras mask)


def get_mask(x):
    entry = _MASKS.get(id(x))
    return entry[1] if entry is not None and entry[0]() is x else None


def set_mask(x, mask):
    key = id(x)

    def forget(reference):
        if _MASKS.get(key, (None,))[0] is reference:
            del _MASKS[key]

    try:
        _MASKS[key] = (weakref.ref(x, forget), mask)
    except TypeError:  # not weak-referenceable: arrays and numbers carry no mask
        pass
