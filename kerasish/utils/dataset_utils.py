"""split_dataset: split arrays (or a tuple, list or dict of them) into a left and a right part.

Keras returns tf.data/torch datasets; kerasish returns the same structure of numpy arrays, ready for
`fit`: `(x_train, y_train), (x_val, y_val) = split_dataset((x, y), left_size=0.8)`.
"""

import numpy


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """The first `left_size` samples and the last `right_size` samples (after an optional seeded shuffle);
    a float is a fraction of the samples, an int a count, None the complement of the other."""
    arrays = _arrays(dataset)
    total = _length(arrays)
    left_size, right_size = _split_sizes(left_size, right_size, total)
    order = numpy.random.RandomState(seed).permutation(total) if shuffle else numpy.arange(total)
    left, right = order[:left_size], order[total - right_size :]
    return _rebuild(dataset, [a[left] for a in arrays]), _rebuild(dataset, [a[right] for a in arrays])


def _arrays(dataset):
    if isinstance(dataset, dict):
        parts = list(dataset.values())
    elif isinstance(dataset, (tuple, list)):
        parts = list(dataset)
    else:
        parts = [dataset]
    if not parts or not all(hasattr(part, "shape") or isinstance(part, (list, tuple)) for part in parts):
        raise TypeError(
            "split_dataset: `dataset` must be an array, or a list, tuple or dict of arrays of the same "
            f"length. Received: dataset of type {type(dataset).__name__}"
        )
    return [numpy.asarray(part) for part in parts]


def _length(arrays):
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(
            f"split_dataset: the arrays must have the same length, received lengths {[len(a) for a in arrays]}"
        )
    return lengths.pop()


def _rebuild(dataset, arrays):
    if isinstance(dataset, dict):
        return dict(zip(dataset, arrays))
    if isinstance(dataset, (tuple, list)):
        return type(dataset)(arrays)
    return arrays[0]


def _split_sizes(left_size, right_size, total):
    """Keras's rules: counts in (0, total), fractions in (0, 1), the two summing to at most the whole."""
    if left_size is None and right_size is None:
        raise ValueError(
            "At least one of the `left_size` or `right_size` must be specified. Received: "
            "left_size=None and right_size=None"
        )
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is not None and type(size) not in (int, float):
            raise TypeError(
                f"Invalid `{name}` Type. Expected: int or float or None, Received: type({name})={type(size)}."
            )
        if (type(size) is int and not 0 < size < total) or (type(size) is float and not 0 < size < 1):
            raise ValueError(
                f"`{name}` should be either a positive integer smaller than {total}, or a float within "
                f"the range `[0, 1]`. Received: {name}={size}"
            )
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError(
            "The sum of `left_size` and `right_size` is greater than 1. It must be less than or equal to 1."
        )
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(
            f"The sum of `left_size` and `right_size` should be smaller than the {total}. Received: "
            f"left_size + right_size = {left + right} and total_length = {total}"
        )
    if not left or not right:
        raise ValueError(
            f"With `dataset` of length={total}, `left_size`={left} and `right_size`={right}. Resulting "
            f"{'left' if not left else 'right'} side dataset split will be empty. Adjust any of the "
            "aforementioned parameters"
        )
    return int(left), int(right)
