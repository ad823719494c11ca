"""Resampling weights for image resizing, computed on the host in float64 (they depend on sizes only).

`weight_matrix` is the (input_size, output_size) matrix of a separable resampling filter, as JAX's
`scale_and_translate` builds it: output pixel j samples the input at (j + 0.5 - translation) / scale - 0.5,
weights from the filter (widened by 1 / scale when antialiasing a downscale), normalised to sum to 1, and
zero where the sample falls outside the input. `nearest_indices` is JAX's nearest-neighbour source index.
"""

import numpy


def _triangle(x):
    return numpy.maximum(0.0, 1.0 - numpy.abs(x))


def _keys_cubic(x):
    out = ((1.5 * x - 2.5) * x) * x + 1.0
    out = numpy.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return numpy.where(x >= 2.0, 0.0, out)


def _lanczos(radius):
    def kernel(x):
        y = radius * numpy.sin(numpy.pi * x) * numpy.sin(numpy.pi * x / radius)
        with numpy.errstate(divide="ignore", invalid="ignore"):
            out = numpy.where(x > 1e-3, y / numpy.where(x != 0, numpy.pi**2 * x**2, 1.0), 1.0)
        return numpy.where(x > radius, 0.0, out)

    return kernel


FILTERS = {
    "linear": _triangle,
    "cubic": _keys_cubic,
    "lanczos3": _lanczos(3.0),
    "lanczos5": _lanczos(5.0),
}


def weight_matrix(input_size, output_size, scale, translation, method, antialias):
    inverse_scale = 1.0 / scale
    kernel_scale = max(inverse_scale, 1.0) if antialias else 1.0
    sample = (numpy.arange(output_size) + 0.5) * inverse_scale - translation * inverse_scale - 0.5
    distance = numpy.abs(sample[numpy.newaxis, :] - numpy.arange(input_size)[:, numpy.newaxis]) / kernel_scale
    weights = FILTERS[method](distance)
    total = numpy.sum(weights, axis=0, keepdims=True)
    weights = numpy.where(
        numpy.abs(total) > 1000.0 * numpy.finfo(numpy.float32).eps,
        weights / numpy.where(total != 0, total, 1.0),
        0.0,
    )
    inside = (sample >= -0.5) & (sample <= input_size - 0.5)
    return numpy.where(inside[numpy.newaxis, :], weights, 0.0)


def nearest_indices(input_size, output_size):
    offsets = (numpy.arange(output_size, dtype=numpy.float32) + 0.5) * input_size / output_size
    return numpy.floor(offsets).astype(numpy.int64)
