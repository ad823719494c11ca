"""Comparing an op with real Keras's: the same values, shapes and dtypes for the same arguments."""

import numpy

from kerasish import ops, tree

from .engines import real_keras


def assert_matches_keras(name, *args, rtol=1e-5, atol=1e-6, same_dtype=True, **kwargs):
    """kerasish.ops.<name> and keras.ops.<name> (on JAX) agree on the arguments; skips where Keras is absent.
    `same_dtype=False` where Keras's backends disagree among themselves on the dtype."""
    theirs = getattr(real_keras().ops, name)(*args, **kwargs)
    ours = getattr(ops, name)(*args, **kwargs)
    theirs_leaves, ours_leaves = tree.flatten(theirs), tree.flatten(ours)
    assert len(theirs_leaves) == len(ours_leaves), (name, theirs, ours)
    for expected, got in zip(theirs_leaves, ours_leaves):
        expected, got = numpy.asarray(expected), ops.convert_to_numpy(got)
        assert got.shape == expected.shape, (name, got.shape, expected.shape)
        assert got.dtype == expected.dtype or not same_dtype, (name, got.dtype, expected.dtype)
        numpy.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=name)
