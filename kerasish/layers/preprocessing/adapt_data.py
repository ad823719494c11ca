"""The batches `adapt` reads, whatever the user passed: an array or tensor (one batch), a PyDataset (its
batches by index), or any iterable of batches (a list of arrays, a `DataLoader`, a generator). Batches
that are `(x, y)` or `(x, y, sample_weight)` tuples give their `x`. Empty data, or an empty batch, is an
error naming the layer: statistics or a vocabulary learned from nothing would pass silently."""


def _first_part(batch):
    return batch[0] if isinstance(batch, tuple) else batch


def is_single_batch(data):
    return hasattr(data, "shape") and hasattr(data, "dtype")


def adapt_batches(data, layer, steps=None):
    """An iterator over the batches of `data`; empty data is a ValueError naming `layer`."""
    if is_single_batch(data):
        batches = iter([data])
    elif hasattr(data, "__getitem__") and (hasattr(data, "num_batches") or hasattr(data, "on_epoch_end")):
        count = getattr(data, "num_batches", None)
        count = len(data) if count is None else count
        batches = (data[index] for index in range(count))
    elif hasattr(data, "__iter__") and not isinstance(data, (str, bytes)):
        batches = iter(data)
    else:
        raise TypeError(
            f"{layer.describe()}: unsupported data type {type(data).__name__} for adapt(); pass a numpy "
            "array, a tensor, a PyDataset, a DataLoader or an iterable of batches (a list or a generator)"
        )
    found = False
    for index, batch in enumerate(batches):
        if steps is not None and index >= steps:
            break
        found = True
        batch = _first_part(batch)
        if 0 in tuple(getattr(batch, "shape", ())):
            raise ValueError(f"{layer.describe()}: adapt() received an empty batch of shape {tuple(batch.shape)}")
        yield batch
    if not found:
        raise ValueError(
            f"{layer.describe()}: adapt() received an empty iterable (no batches). Expected at least "
            "one batch. Pass a non-empty iterable of arrays or tensors, e.g. layer.adapt([x]) or "
            "layer.adapt(list_of_batches)."
        )
