"""default_collate: stack a list of samples into one batch, position by position (or key by key)."""

import numpy


def default_collate(samples):
    """`[(x0, y0), (x1, y1), ...]` -> `(stack(x), stack(y))`; dicts by key; a lone array is stacked."""
    first = samples[0]
    if isinstance(first, (tuple, list)):
        for index, sample in enumerate(samples):
            if not isinstance(sample, (tuple, list)) or len(sample) != len(first):
                raise ValueError(
                    f"DataLoader: sample {index} of the batch has {_describe(sample)}, but sample 0 "
                    f"has {_describe(first)}; every sample must have the same structure"
                )
        return tuple(default_collate(list(parts)) for parts in zip(*samples))
    if isinstance(first, dict):
        return {key: default_collate([sample[key] for sample in samples]) for key in first}
    arrays = [numpy.asarray(sample) for sample in samples]
    shapes = {array.shape for array in arrays}
    if len(shapes) > 1:
        raise ValueError(
            f"DataLoader: cannot stack samples of different shapes {sorted(shapes)} into one batch; "
            "pad them, or pass a `collate_fn`"
        )
    return numpy.stack(arrays)


def _describe(sample):
    if isinstance(sample, (tuple, list)):
        return f"{len(sample)} parts"
    return f"type {type(sample).__name__}"
