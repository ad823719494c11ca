"""A product's epilogue (a bias, a scale and shift, an activation) run in place on its result, block by block of
rows while each block is in the cache, written once over `xp` (numpy or cupy); and relu's maximum against the
same zero tiles (`against_zero`).

`in_blocks` cuts a (rows, columns) result into blocks of about BLOCK values; `Tiled` gives an epilogue the
vectors it combines with a block (one value per column, or one value) repeated over the block's rows. numpy
runs a ufunc over two contiguous operands much faster than over a broadcast row or a scalar: a bias added to a
(4096, 256) float32 result, then max(·, 0), takes 250–290 µs on tiles against 575–600 µs on the row and the
scalar 0 (4096 × 1024: 2.35–2.5 ms against 2.9–3.9). Where no tile pays, relu's 0 is still a row of zeros
rather than the number (`zero_for`): numpy's maximum against a broadcast row is 1.5–2.6x faster than against a
scalar from ROW columns up.
"""

import functools
import math

import numpy

BLOCK = 1 << 18  # result values `finish` takes at a time (1 MiB of float32, as batch normalization's blocks)
TILED = 1 << 14  # blocks under this many values take the vectors as they are: making the tiles costs more
ROW = 32  # columns from which relu's 0 as a broadcast row of zeros beats the number 0 (`zero_for`)
ROWS_VALUES = 1 << 12  # ... and values: below, the two take the same time


def in_blocks(xp, rows, finish):
    """`finish(block)` in place on each block of `rows` (a (rows, columns) result); on cupy once, on the whole."""
    if xp is not numpy:
        finish(rows)
        return
    step = max(1, BLOCK // rows.shape[1])
    for start in range(0, len(rows), step):
        finish(rows[start : start + step])


def pays(xp, size):
    """Whether an epilogue over a result of `size` values is faster through `in_blocks` and `Tiled` than in one
    pass over the vectors as they are: on the CPU, from two blocks. (A smaller one, such as an MLP's (128, 512)
    layer, was faster alone over tiles but slower inside a training step, the tiles taking the cache's room: the
    dynamic MLP step 5.77 → 5.92 ms.)"""
    return xp is numpy and size > BLOCK


def columns(bias, result):
    """The width of the (rows, columns) view of a result of shape `result` onto which a bias of shape `bias` adds
    one value per column (the result's trailing axes the bias spans, its leading 1s aside; the last axis for one
    value); None when it adds otherwise."""
    spanned = bias[next((k for k, size in enumerate(bias) if size != 1), len(bias)) :]
    if not spanned:
        return result[-1]
    return math.prod(spanned) if tuple(result[len(result) - len(spanned) :]) == tuple(spanned) else None


class Tiled:
    """`finish(block, *tiles)` as a one-argument epilogue for `in_blocks`: each vector (one value per column:
    `columns`) repeated over the block's rows, in its own dtype, so the ufuncs' types and rounding are the
    vectors' own; with `zero`, last, zeros of the block's dtype (an activation against 0: relu's max(·, 0)).
    A vector's tile is made at the second block and reused for the rest (a convolution's later chunks too): on
    one block it costs about what it saves. The zeros are made once per dtype and width. On cupy, and for a
    small block, `finish(block, *vectors)` (and the number 0)."""

    def __init__(self, xp, finish, vectors, zero=False):
        self.xp, self.finish, self.zero = xp, finish, zero
        self.vectors = tuple(vector.reshape(-1) for vector in vectors)
        self.tiles, self.height, self.seen = (), 0, False

    def __call__(self, block):
        if self.xp is not numpy or block.size < TILED:
            self.finish(block, *self.vectors, *((zero_for(self.xp, block),) if self.zero else ()))
            return
        height, columns = block.shape
        if self.seen and height > self.height:
            self.tiles = [numpy.ascontiguousarray(numpy.broadcast_to(v, (height, columns))) for v in self.vectors]
            self.height = height
        self.seen = True
        vectors = [tile[:height] for tile in self.tiles] if self.height else list(self.vectors)
        if self.zero:
            vectors.append(_zeros(block.dtype, columns, max(height, BLOCK // columns))[:height])
        self.finish(block, *vectors)


def add(xp, block, bias):
    """A bias's epilogue for `Tiled`."""
    xp.add(block, bias, out=block)


def add_relu(xp, block, bias, zero):
    """A bias's then relu's epilogue for `Tiled(..., zero=True)`."""
    xp.add(block, bias, out=block)
    xp.maximum(block, zero, out=block)


def zero_for(xp, x):
    """The zero to take `ufunc(x, zero)` (relu's maximum(x, 0)) against where no tile is made: on the CPU, for a
    float array of ROWS_VALUES values or more and ROW or more along its last axis, a row of zeros broadcast over
    the rest ((128, 512) float32: 9.7 µs against the number's 25; below 32 columns the row is slower); else the
    number 0. The same values, signed zeros and NaN included."""
    if xp is not numpy or x.dtype.kind != "f" or x.size < ROWS_VALUES or x.shape[-1] < ROW:
        return 0
    return _zeros(x.dtype, x.shape[-1], 1)[0]


def against_zero(xp, ufunc, x):
    """`ufunc(x, 0)` (relu's maximum(x, 0)) in a fresh array; on the CPU, for a large contiguous float array, a
    block at a time against a zero tile: numpy's maximum against the number 0 takes 2–3x as long (a
    (64, 26, 26, 32) float32 relu: 580 against 277 µs). The same values: the tile holds the number's zero."""
    if not pays(xp, x.size) or x.dtype.kind != "f" or not x.flags.c_contiguous:
        return ufunc(x, zero_for(xp, x))
    result = numpy.empty_like(x)
    values, into = x.reshape(-1), result.reshape(-1)
    zero = _zeros(x.dtype, BLOCK, 1)[0]
    for start in range(0, values.size, BLOCK):
        stop = min(start + BLOCK, values.size)
        ufunc(values[start:stop], zero[: stop - start], out=into[start:stop])
    return result


@functools.lru_cache(maxsize=32)  # a few MiB: one (BLOCK values) array per dtype and width, and rows
def _zeros(dtype, columns, rows):
    zeros = numpy.zeros((rows, columns), dtype)
    zeros.flags.writeable = False
    return zeros
