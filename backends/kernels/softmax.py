"""Numerically stable softmax and log-softmax over `xp`: the maximum is subtracted before exp."""


def softmax(xp, x, axis, overwrite=False):
    """`overwrite`: compute in x's own memory (x is a fresh array that nothing else reads)."""
    if overwrite:
        result = x
        result -= x.max(axis=axis, keepdims=True)
    else:
        result = x - x.max(axis=axis, keepdims=True)
    xp.exp(result, out=result)
    result /= result.sum(axis=axis, keepdims=True)
    return result


def log_softmax(xp, x, axis):
    result = x - x.max(axis=axis, keepdims=True)
    result -= xp.log(xp.exp(result).sum(axis=axis, keepdims=True))
    return result
