"""Keras 3's `keras.ops.image`: resizing, geometric transforms, colour spaces, filters and patches.

Every op here is a composite of other ops (no primitive of its own), so each differentiates wherever its
parts do, on both engines and both devices:
- resize and scale_and_translate are separable: one matmul per resized axis with a weight matrix made on
  the host (`kernels/resampling.py`); nearest resizing gathers rows with `take`.
- map_coordinates, affine_transform, perspective_transform and elastic_transform sample with
  `_interpolate`: JAX's `map_coordinates` rule (order 0 rounds half away from zero, order 1 is linear;
  indices folded back by the fill mode; a corner outside the image reads `fill_value` in "constant"
  mode), gathering rows of a (pixels, channels) table. Gradients reach the image (through `take`) and
  the coordinates (through the linear weights).
- gaussian_blur, sobel_edges and ssim are convolutions with Gaussian (sigma may be a tensor) or fixed
  kernels; extract_patches gathers windows with the window primitive; perspective_transform solves its
  homographies with `ops.solve`.
- rgb_to_grayscale, rgb_to_hsv and hsv_to_rgb are elementwise (dm_pix's formulas, as Keras).
Gradients reach every float argument (images, transforms, coordinates, points, sigma); none flows to integer
arguments (sizes, paddings), through nearest sampling's positions (piecewise constant) or into
elastic_transform's random displacement.
"""

import itertools

import numpy

from .. import config
from ..kernels import resampling
from .random import random_draw
from .registry import ops, shape_of
from .windows import extract_patches as extract_windows
from .windows import window_geometry

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")
TRANSFORM_INTERPOLATIONS = {"nearest": 0, "bilinear": 1}
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
SCALE_AND_TRANSLATE_METHODS = {
    "linear": "linear",
    "bilinear": "linear",
    "trilinear": "linear",
    "cubic": "cubic",
    "bicubic": "cubic",
    "tricubic": "cubic",
    "lanczos3": "lanczos3",
    "lanczos5": "lanczos5",
}
_GRAYSCALE_WEIGHTS = (0.2989, 0.5870, 0.1140)


# ----- argument checks and layout ---------------------------------------------------------


def _check_images(op, images, name="images", ranks=(3, 4)):
    shape = shape_of(images)
    if len(shape) not in ranks:
        single, batch = ranks
        raise ValueError(
            f"{op}: Invalid {name} rank: expected rank {single} (single image) or rank {batch} (batch of "
            f"images). Received input with shape: {name}.shape={shape}"
        )
    return shape


def _choice(op, argument, value, valid):
    if value not in valid:
        raise ValueError(
            f"{op}: Invalid value for argument `{argument}`. Expected one of {tuple(valid)}. "
            f"Received: {argument}={value!r}"
        )
    return value


def _float_images(images):
    dtype = numpy.dtype(getattr(images, "dtype", None) or config.floatx())
    return images if dtype.kind == "f" else ops.cast(images, config.floatx())


def _to_batch_channels_last(images, data_format):
    """(batch, height, width, channels) from an image or a batch in `data_format`."""
    if len(shape_of(images)) == 3:
        images = ops.expand_dims(images, 0)
    if data_format == "channels_first":
        images = ops.moveaxis(images, 1, -1)
    return images


def _from_batch_channels_last(result, data_format, unbatched):
    if data_format == "channels_first":
        result = ops.moveaxis(result, -1, 1)
    return ops.squeeze(result, 0) if unbatched else result


def _spatial_axes(shape, data_format):
    """The (height, width) axes of an image or batch."""
    return (len(shape) - 3, len(shape) - 2) if data_format == "channels_last" else (len(shape) - 2, len(shape) - 1)


def _known(op, shape, axes, positive=False):
    """The sizes of `axes`, which must be known (and, when resampling, non-zero)."""
    sizes = tuple(shape[a] for a in axes)
    if None in sizes:
        raise ValueError(f"{op}: the height and width of the images must be known, got shape {shape}")
    if positive and 0 in sizes:
        raise ValueError(f"{op}: the images must have a positive height and width to resample, got shape {shape}")
    return sizes


def _round_and_cast(result, dtype):
    """Float results back to an integer image dtype: rounded, clipped to the dtype's range."""
    if numpy.dtype(dtype).kind not in "iu":
        return result
    info = numpy.iinfo(dtype)
    return ops.cast(ops.clip(ops.round(result), float(info.min), float(info.max)), dtype)


# ----- colour spaces ----------------------------------------------------------------------


def _channel_axis(op, images, data_format):
    _check_images(op, images)
    return -1 if config.standardize_data_format(data_format) == "channels_last" else -3


def rgb_to_grayscale(images, data_format=None):
    axis = _channel_axis("rgb_to_grayscale", images, data_format)
    channels = shape_of(images)[axis]
    if channels not in (1, 3):
        raise ValueError(
            "rgb_to_grayscale: Invalid channel size: expected 3 (RGB) or 1 (Grayscale). "
            f"Received input with shape: images.shape={shape_of(images)}"
        )
    if channels == 1:
        return ops.identity(images)
    dtype = getattr(images, "dtype", None)
    values = _float_images(images)
    weights = numpy.asarray(_GRAYSCALE_WEIGHTS, dtype=numpy.dtype(values.dtype))
    gray = ops.expand_dims(ops.tensordot(values, weights, axes=([axis % len(shape_of(images))], [0])), axis)
    # Integer images are cast back by truncation, as every Keras backend does (the weights sum below 1).
    return ops.cast(gray, dtype) if dtype is not None and numpy.dtype(dtype).kind in "iu" else gray


def _float_colour_images(op, images, data_format):
    axis = _channel_axis(op, images, data_format)
    if shape_of(images)[axis] != 3:
        raise ValueError(
            f"{op}: Invalid channel size: expected 3 (RGB or HSV). Received input with shape: "
            f"images.shape={shape_of(images)}"
        )
    dtype = numpy.dtype(images.dtype)
    if dtype.kind != "f":
        raise ValueError(f"{op}: Invalid images dtype: expected float dtype. Received: images.dtype={dtype.name}")
    return [ops.squeeze(plane, axis) for plane in ops.split(images, 3, axis=axis)], axis, dtype


def rgb_to_hsv(images, data_format=None):
    (red, green, blue), axis, dtype = _float_colour_images("rgb_to_hsv", images, data_format)
    eps = float(numpy.finfo(dtype).eps)
    red, green, blue = (ops.where(ops.less(ops.abs(p), eps), 0.0, p) for p in (red, green, blue))
    value = ops.maximum(ops.maximum(red, green), blue)
    spread = value - ops.minimum(ops.minimum(red, green), blue)
    safe_value = ops.where(ops.greater(value, 0), value, 1.0)
    safe_spread = ops.where(ops.greater(spread, 0), spread, 1.0)
    saturation = ops.where(ops.greater(value, 0), spread / safe_value, 0.0)
    norm = 1.0 / (6.0 * safe_spread)
    hue = ops.where(ops.equal(value, green), norm * (blue - red) + 2.0 / 6.0, norm * (red - green) + 4.0 / 6.0)
    hue = ops.where(ops.equal(value, red), norm * (green - blue), hue)
    hue = ops.where(ops.greater(spread, 0), hue, 0.0) + ops.cast(ops.less(hue, 0.0), dtype)
    return ops.cast(ops.stack([hue, saturation, value], axis=axis), dtype)


def hsv_to_rgb(images, data_format=None):
    (hue, saturation, value), axis, dtype = _float_colour_images("hsv_to_rgb", images, data_format)
    sixths = ops.mod(hue, 1.0) * 6.0
    red = ops.clip(ops.abs(sixths - 3.0) - 1.0, 0.0, 1.0)
    green = ops.clip(2.0 - ops.abs(sixths - 2.0), 0.0, 1.0)
    blue = ops.clip(2.0 - ops.abs(sixths - 4.0), 0.0, 1.0)
    grey = 1.0 - saturation
    planes = [value * (grey + saturation * plane) for plane in (red, green, blue)]
    return ops.cast(ops.stack(planes, axis=axis), dtype)


# ----- resizing ---------------------------------------------------------------------------


def _resample_axis(x, axis, input_size, output_size, scale, translation, method, antialias):
    """x resampled along `axis` with the separable filter's weight matrix (one tensordot)."""
    if method == "nearest":
        return ops.take(x, resampling.nearest_indices(input_size, output_size), axis=axis)
    weights = resampling.weight_matrix(input_size, output_size, scale, translation, method, antialias)
    result = ops.tensordot(x, weights.astype(numpy.dtype(x.dtype)), axes=([axis], [0]))
    return ops.moveaxis(result, -1, axis)


def _resample(images, sizes, axes, scales, translations, method, antialias):
    dtype = numpy.dtype(images.dtype)
    x = _float_images(images)
    shape = shape_of(images)
    for axis, size, scale, translation in zip(axes, sizes, scales, translations):
        x = _resample_axis(x, axis, shape[axis], size, scale, translation, method, antialias)
    return _round_and_cast(x, dtype)


def _aspect_ratio_crop(images, size, axes, height, width):
    target_height, target_width = size
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    top, left = int(float(height - crop_height) / 2), int(float(width - crop_width) / 2)
    index = [slice(None)] * len(shape_of(images))
    index[axes[0]], index[axes[1]] = slice(top, top + crop_height), slice(left, left + crop_width)
    return images[tuple(index)]


def _aspect_ratio_pad(images, size, axes, height, width, fill_value):
    target_height, target_width = size
    pad_height = max(height, int(float(width * target_height) / target_width))
    pad_width = max(width, int(float(height * target_width) / target_height))
    top, left = int(float(pad_height - height) / 2), int(float(pad_width - width) / 2)
    widths = [(0, 0)] * len(shape_of(images))
    if top > 0:
        widths[axes[0]] = (top, top)
    elif left > 0:
        widths[axes[1]] = (left, left)
    else:
        return images
    return ops.pad(images, widths, constant_values=fill_value)


def resize(
    images,
    size,
    interpolation="bilinear",
    antialias=False,
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    fill_mode="constant",
    fill_value=0.0,
    data_format=None,
):
    op = "resize"
    if len(size) != 2:
        raise ValueError(f"{op}: Expected `size` to be a tuple of 2 integers. Received: size={size}")
    if size[0] <= 0 or size[1] <= 0:
        raise ValueError(f"{op}: `size` must have positive height and width. Received: size={size}")
    shape = _check_images(op, images)
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError(f"{op}: Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
    _choice(op, "interpolation", interpolation, RESIZE_INTERPOLATIONS)
    if fill_mode != "constant":
        raise ValueError(
            f"{op}: Invalid value for argument `fill_mode`. Only `'constant'` is supported. "
            f"Received: fill_mode={fill_mode!r}"
        )
    data_format = config.standardize_data_format(data_format)
    axes = _spatial_axes(shape, data_format)
    height, width = _known(op, shape, axes, positive=True)
    size = (int(size[0]), int(size[1]))
    if crop_to_aspect_ratio:
        images = _aspect_ratio_crop(images, size, axes, height, width)
    elif pad_to_aspect_ratio:
        images = _aspect_ratio_pad(images, size, axes, height, width, fill_value)
    shape = shape_of(images)
    changed = [(axis, target) for axis, target in zip(axes, size) if shape[axis] != target]
    if not changed:
        return images
    method = SCALE_AND_TRANSLATE_METHODS.get(interpolation, interpolation)
    return _resample(
        images,
        [target for _, target in changed],
        [axis for axis, _ in changed],
        [target / shape[axis] for axis, target in changed],
        [0.0] * len(changed),
        method,
        antialias,
    )


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method, antialias=True):
    op = "scale_and_translate"
    _choice(op, "method", method, SCALE_AND_TRANSLATE_METHODS)
    shape = shape_of(images)
    if not all(isinstance(d, (int, numpy.integer)) for d in spatial_dims):
        raise ValueError(f"{op}: `spatial_dims` must be integer axes, got {spatial_dims!r}")
    spatial_dims = [int(d) % len(shape) for d in spatial_dims]
    scale = numpy.broadcast_to(numpy.asarray(scale, dtype=numpy.float64), (len(spatial_dims),))
    translation = numpy.broadcast_to(numpy.asarray(translation, dtype=numpy.float64), (len(spatial_dims),))
    if len(output_shape) != len(shape):
        raise ValueError(f"{op}: output_shape {tuple(output_shape)} must have the rank of the images {shape}")
    _known(op, shape, spatial_dims, positive=True)
    return _resample(
        images,
        [int(output_shape[d]) for d in spatial_dims],
        spatial_dims,
        [float(s) for s in scale],
        [float(t) for t in translation],
        SCALE_AND_TRANSLATE_METHODS[method],
        antialias,
    )


# ----- sampling at coordinates ------------------------------------------------------------


def _fold_index(index, size, fill_mode):
    """JAX's index fixers: integer indices folded back into [0, size) by the fill mode."""
    if fill_mode in ("constant", "nearest"):  # constant: out-of-range corners are masked by the caller
        return ops.clip(index, 0, size - 1)
    if fill_mode == "wrap":
        return ops.mod(index, size)
    if fill_mode == "mirror":
        if size == 1:
            return ops.zeros_like(index)
        period = size - 1
        return ops.abs(ops.mod(index + period, 2 * period) - period)
    period = 2 * size  # reflect: mirror over the half-pixel edges, each edge pixel repeated
    return ops.floor_divide(ops.abs(ops.mod(2 * index + 1 + period, 2 * period) - period) - 1, 2)


def _nodes(coordinate, order):
    """(integer index, weight) for each interpolation node of a float coordinate."""
    if order == 0:
        rounded = ops.sign(coordinate) * ops.floor(ops.abs(coordinate) + 0.5)
        return [(ops.cast(rounded, "int32"), None)]
    lower = ops.floor(coordinate)
    upper_weight = coordinate - lower
    index = ops.cast(lower, "int32")
    return [(index, 1.0 - upper_weight), (index + 1, upper_weight)]


def _interpolate(table, coordinates, sizes, order, fill_mode, fill_value, base=None):
    """Rows of `table` (pixels, channels) sampled at `coordinates` (one float tensor per spatial axis of
    `sizes`, all of one shape), the rows of pixel (i, j, ...) at base + i * stride_i + j * stride_j + ...;
    the result has the coordinates' shape plus (channels,)."""
    strides = [int(numpy.prod(sizes[axis + 1 :])) for axis in range(len(sizes))]
    per_axis = []
    for coordinate, size in zip(coordinates, sizes):
        nodes = []
        for index, weight in _nodes(coordinate, order):
            valid = None
            if fill_mode == "constant":
                valid = ops.logical_and(ops.greater_equal(index, 0), ops.less(index, size))
            nodes.append((_fold_index(index, size, fill_mode), valid, weight))
        per_axis.append(nodes)
    result = None
    for corner in itertools.product(*per_axis):
        flat = base
        valid = weight = None
        for (index, index_valid, index_weight), stride in zip(corner, strides):
            term = index * stride if stride != 1 else index
            flat = term if flat is None else flat + term
            valid = index_valid if valid is None else ops.logical_and(valid, index_valid)
            weight = index_weight if weight is None else (weight if index_weight is None else weight * index_weight)
        values = ops.take(table, flat, axis=0)
        if valid is not None:
            values = ops.where(ops.expand_dims(valid, -1), values, ops.cast(fill_value, values.dtype))
        if weight is not None:
            values = values * ops.expand_dims(weight, -1)
        result = values if result is None else result + values
    return result


def _check_transform_arguments(op, interpolation, fill_mode):
    _choice(op, "interpolation", interpolation, TRANSFORM_INTERPOLATIONS)
    _choice(op, "fill_mode", fill_mode, FILL_MODES)


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    op = "map_coordinates"
    shape = shape_of(inputs)
    if isinstance(coordinates, (list, tuple)):
        coordinates = [ops.convert_to_tensor(c) if isinstance(c, (list, tuple)) else c for c in coordinates]
        leading = len(coordinates)
        coordinate_rank = len(shape_of(coordinates[0])) + 1 if coordinates else 1
    else:
        leading = shape_of(coordinates)[0] if shape_of(coordinates) else None
        coordinate_rank = len(shape_of(coordinates))
    if coordinate_rank < 2:
        raise ValueError(
            f"{op}: Invalid coordinates rank: expected at least rank 2. Received input with shape: "
            f"{shape_of(coordinates)}"
        )
    if leading != len(shape):
        raise ValueError(
            f"{op}: First dim of `coordinates` must be the same as the rank of `inputs`. Received inputs with "
            f"shape: {shape} and coordinate leading dim of {leading}"
        )
    _choice(op, "fill_mode", fill_mode, FILL_MODES)
    if order not in (0, 1):
        raise ValueError(f"{op}: Invalid value for argument `order`. Expected one of [0, 1]. Received: order={order}")
    if None in shape:
        raise ValueError(f"{op}: the shape of `inputs` must be known, got {shape}")
    dtype = numpy.dtype(inputs.dtype)
    values = _float_images(inputs)
    planes = [ops.cast(coordinates[axis], values.dtype) for axis in range(len(shape))]
    table = ops.reshape(values, (-1, 1))
    result = ops.squeeze(_interpolate(table, planes, shape, order, fill_mode, fill_value), -1)
    return _round_and_cast(result, dtype)


def _sample_batch(images, rows, columns, order, fill_mode, fill_value):
    """images (batch, height, width, channels) sampled at float rows/columns (batch, out_h, out_w)."""
    batch, height, width, channels = shape_of(images)
    table = ops.reshape(images, (-1, channels))
    base = ops.reshape(ops.arange(0, batch * height * width, height * width, dtype="int32"), (-1, 1, 1))
    return _interpolate(table, [rows, columns], (height, width), order, fill_mode, fill_value, base=base)


def _grid(height, width, dtype):
    rows = numpy.arange(height, dtype=dtype)[:, None] * numpy.ones((1, width), dtype=dtype)
    columns = numpy.ones((height, 1), dtype=dtype) * numpy.arange(width, dtype=dtype)[None, :]
    return rows, columns


def _prepare_batch(op, images, data_format):
    shape = _check_images(op, images)
    data_format = config.standardize_data_format(data_format)
    unbatched = len(shape) == 3
    x = _to_batch_channels_last(images, data_format)
    if None in shape_of(x):
        raise ValueError(f"{op}: the shape of the images must be known, got {shape}")
    return x, data_format, unbatched


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0, data_format=None):
    """Each output pixel (y, x) reads the input at x_in = a0 x + a1 y + a2, y_in = b0 x + b1 y + b2. The
    projective terms c0 and c1 must be 0: Keras's backends add them times the channel index, which no layer
    uses; a host transform with either non-zero is refused."""
    op = "affine_transform"
    _check_transform_arguments(op, interpolation, fill_mode)
    if isinstance(transform, (list, tuple, numpy.ndarray)):
        transform = numpy.asarray(transform, dtype=numpy.float32)
    transform_shape = shape_of(transform)
    images_shape = _check_images(op, images)
    batch = images_shape[0] if len(images_shape) == 4 else 1
    if (
        len(transform_shape) not in (1, 2)
        or transform_shape[-1] != 8
        or (len(transform_shape) == 2 and None not in (batch, transform_shape[0]) and transform_shape[0] != batch)
    ):
        raise ValueError(
            f"{op}: `transform` must have shape (8,) or (batch, 8) for images of shape {images_shape}. "
            f"Received: transform.shape={transform_shape}"
        )
    if isinstance(transform, numpy.ndarray):
        host = transform.reshape(-1, 8)
        if numpy.any(host[:, 6:] != 0):
            raise ValueError(
                f"{op}: the projective terms c0, c1 (entries 6 and 7) of `transform` must be 0, got "
                f"{host[:, 6:].tolist()}"
            )
    dtype = numpy.dtype(images.dtype)
    x, data_format, unbatched = _prepare_batch(op, _float_images(images), data_format)
    batch, height, width, channels = shape_of(x)
    transform = ops.cast(transform, x.dtype)
    if len(shape_of(transform)) == 1:
        transform = ops.expand_dims(transform, 0)
    rows, columns = _grid(height, width, numpy.dtype(x.dtype))
    a0, a1, a2, b0, b1, b2 = (ops.reshape(transform[:, i], (-1, 1, 1)) for i in range(6))
    source_rows = b0 * columns + b1 * rows + b2
    source_columns = a0 * columns + a1 * rows + a2
    result = _sample_batch(
        x, source_rows, source_columns, TRANSFORM_INTERPOLATIONS[interpolation], fill_mode, fill_value
    )
    return _round_and_cast(_from_batch_channels_last(result, data_format, unbatched), dtype)


def perspective_transform(images, start_points, end_points, interpolation="bilinear", fill_value=0, data_format=None):
    """Each output pixel reads the input where the homography taking end_points to start_points sends it
    (points (4, 2) or (batch, 4, 2) of (x, y)); outside the image reads fill_value."""
    op = "perspective_transform"
    _choice(op, "interpolation", interpolation, TRANSFORM_INTERPOLATIONS)
    _check_images(op, images)
    start_points, end_points = (
        numpy.asarray(p, dtype=numpy.float32) if isinstance(p, (list, tuple)) else p for p in (start_points, end_points)
    )
    for name, points in (("start_points", start_points), ("end_points", end_points)):
        shape = shape_of(points)
        if len(shape) not in (2, 3) or tuple(shape[-2:]) != (4, 2):
            raise ValueError(
                f"{op}: Invalid {name} shape: expected (4,2) for a single image or (N,4,2) for a batch. "
                f"Received shape: {shape}"
            )
    if shape_of(start_points) != shape_of(end_points):
        raise ValueError(
            f"{op}: start_points and end_points must have the same shape. Received start_points.shape="
            f"{shape_of(start_points)}, end_points.shape={shape_of(end_points)}"
        )
    dtype = numpy.dtype(images.dtype)
    x, data_format, unbatched = _prepare_batch(op, _float_images(images), data_format)
    batch, height, width, _ = shape_of(x)
    start, end = (ops.reshape(ops.cast(p, x.dtype), (-1, 4, 2)) for p in (start_points, end_points))
    homography = homography_matrix(start, end)
    a0, a1, a2, a3, a4, a5, a6, a7 = (ops.reshape(homography[:, i], (-1, 1, 1)) for i in range(8))
    rows, columns = _grid(height, width, numpy.dtype(x.dtype))
    denominator = a6 * columns + a7 * rows + 1.0
    source_columns = (a0 * columns + a1 * rows + a2) / denominator
    source_rows = (a3 * columns + a4 * rows + a5) / denominator
    if shape_of(homography)[0] == 1 and batch != 1:
        source_rows, source_columns = (
            ops.broadcast_to(v, (batch, height, width)) for v in (source_rows, source_columns)
        )
    result = _sample_batch(
        x, source_rows, source_columns, TRANSFORM_INTERPOLATIONS[interpolation], "constant", fill_value
    )
    return _round_and_cast(_from_batch_channels_last(result, data_format, unbatched), dtype)


def homography_matrix(start_points, end_points):
    """The 8 coefficients of the homography taking end points to start points, per batch entry
    (start_points and end_points are (batch, 4, 2) tensors of (x, y)): an 8x8 linear system each."""
    rows = []
    for corner in range(4):
        sx, sy = start_points[:, corner, 0], start_points[:, corner, 1]
        ex, ey = end_points[:, corner, 0], end_points[:, corner, 1]
        zero, one = ops.zeros_like(ex), ops.ones_like(ex)
        rows.append(ops.stack([ex, ey, one, zero, zero, zero, -sx * ex, -sx * ey], axis=-1))
        rows.append(ops.stack([zero, zero, zero, ex, ey, one, -sy * ex, -sy * ey], axis=-1))
    target = ops.reshape(start_points, (-1, 8, 1))
    return ops.reshape(ops.solve(ops.stack(rows, axis=1), target), (-1, 8))


def elastic_transform(
    images,
    alpha=20.0,
    sigma=5.0,
    interpolation="bilinear",
    fill_mode="reflect",
    fill_value=0.0,
    seed=None,
    data_format=None,
    window=None,
):
    """Each pixel displaced by alpha times Gaussian-blurred normal noise (of scale sigma, a window of
    int(6 sigma) | 1 taps unless `window` is given: then alpha and sigma may be scalar tensors), then sampled.
    `seed` is the seed state of the draw (kerasish.ops.image turns Keras's int or SeedGenerator into one);
    the horizontal and vertical noise are independent draws."""
    op = "elastic_transform"
    _check_transform_arguments(op, interpolation, fill_mode)
    dtype = numpy.dtype(images.dtype)
    x, data_format, unbatched = _prepare_batch(op, _float_images(images), data_format)
    batch, height, width, _ = shape_of(x)
    if window is None:
        sigma, alpha = float(sigma), float(alpha)
        window = int(6 * sigma) | 1
    noise = sigma * random_draw(
        seed,
        shape=(2, batch, height, width),
        dtype=numpy.dtype(x.dtype).name,
        distribution="normal",
        parameters=(0.0, 1.0),
    )
    window_1d = _gaussian_1d(window, sigma, numpy.dtype(x.dtype))
    kernel = ops.outer(window_1d, window_1d)
    displacement = ops.squeeze(_depthwise_same(ops.reshape(noise, (2 * batch, height, width, 1)), kernel), -1)
    rows, columns = _grid(height, width, numpy.dtype(x.dtype))
    source_rows = rows + alpha * displacement[batch:]
    source_columns = columns + alpha * displacement[:batch]
    result = _sample_batch(
        x, source_rows, source_columns, TRANSFORM_INTERPOLATIONS[interpolation], fill_mode, fill_value
    )
    return _round_and_cast(_from_batch_channels_last(result, data_format, unbatched), dtype)


# ----- filters ----------------------------------------------------------------------------


def _gaussian_1d(size, sigma, dtype):
    """The normalised Gaussian window of `size` taps; sigma a number or a scalar tensor (drawn by a layer)."""
    x = numpy.arange(size, dtype=dtype) - numpy.asarray((size - 1) / 2, dtype=dtype)
    kernel = ops.exp(-0.5 * ops.square(x / sigma))
    return kernel / ops.sum(kernel)


def _depthwise_same(x, kernel_2d):
    """Each channel of x (batch, height, width, channels) correlated with one 2-D kernel, 'same' padding."""
    rows, columns = shape_of(kernel_2d)
    kernel = ops.reshape(ops.cast(kernel_2d, x.dtype), (rows, columns, 1, 1))
    kernel = ops.tile(kernel, (1, 1, shape_of(x)[-1], 1))
    return ops.depthwise_conv(x, kernel, padding="same", data_format="channels_last")


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """As Keras: kernel_size and sigma are (x, y) pairs: the kernel is kernel_size[1] rows by kernel_size[0]
    columns."""
    op = "gaussian_blur"
    _check_images(op, images)
    kernel_size = _pair(op, "kernel_size", kernel_size)
    if not all(isinstance(k, (int, numpy.integer)) and k >= 1 for k in kernel_size):
        raise ValueError(f"{op}: `kernel_size` must be positive integers, got {kernel_size}")
    sigma = _pair(op, "sigma", sigma)
    if any(isinstance(v, (int, float)) and v <= 0 for v in sigma):
        raise ValueError(f"{op}: `sigma` must be > 0, got {sigma}")
    dtype = numpy.dtype(images.dtype)
    x, data_format, unbatched = _prepare_batch(op, _float_images(images), data_format)
    compute = numpy.dtype(x.dtype)
    kernel = ops.outer(_gaussian_1d(kernel_size[1], sigma[1], compute), _gaussian_1d(kernel_size[0], sigma[0], compute))
    result = _depthwise_same(x, kernel)
    return _round_and_cast(_from_batch_channels_last(result, data_format, unbatched), dtype)


def _pair(op, name, value):
    """A number, or two numbers or a tensor of two, as a pair (tensor entries stay tensors)."""
    if isinstance(value, (int, float, numpy.integer, numpy.floating)):
        return (value, value)
    if isinstance(value, (list, tuple, numpy.ndarray)):
        values = tuple(v.item() if isinstance(v, numpy.generic) else v for v in numpy.asarray(value).reshape(-1))
    else:
        values = (value[0], value[1]) if shape_of(value) == (2,) else ()
    if len(values) != 2:
        raise ValueError(f"{op}: `{name}` must be a number or a pair, got {value!r}")
    return values


_SOBEL_X = numpy.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=numpy.float64)


def sobel_edges(images, data_format=None):
    """(batch, height, width, channels, 2): the vertical (dy) then horizontal (dx) Sobel responses."""
    op = "sobel_edges"
    if len(shape_of(images)) != 4:
        raise ValueError(
            f"{op}: Invalid images rank: expected rank 4 (batch of images). Received input with shape: "
            f"images.shape={shape_of(images)}"
        )
    data_format = config.standardize_data_format(data_format)
    x = _float_images(images)
    x = ops.moveaxis(x, 1, -1) if data_format == "channels_first" else x
    edges = ops.stack([_depthwise_same(x, _SOBEL_X.T), _depthwise_same(x, _SOBEL_X)], axis=-1)
    return ops.moveaxis(edges, 3, 1) if data_format == "channels_first" else edges


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, data_format=None):
    """Mean structural similarity per image (a scalar for one image), a Gaussian window of `filter_size`."""
    op = "ssim"
    _check_images(op, image1, "image1")
    _check_images(op, image2, "image2")
    if shape_of(image1) != shape_of(image2):
        raise ValueError(
            f"{op}: image1 and image2 must have the same shape, got {shape_of(image1)} and {shape_of(image2)}"
        )
    dtype = numpy.dtype(image1.dtype)
    data_format = config.standardize_data_format(data_format)
    unbatched = len(shape_of(image1)) == 3
    first = _to_batch_channels_last(_float_images(image1), data_format)
    second = ops.cast(_to_batch_channels_last(_float_images(image2), data_format), first.dtype)
    batch, height, width, channels = shape_of(first)
    window = _gaussian_1d(filter_size, filter_sigma, numpy.dtype(first.dtype))
    kernel = ops.reshape(ops.outer(window, window), (filter_size, filter_size, 1, 1))

    def planes(x):  # (batch, height, width, channels) -> (batch * channels, height, width, 1)
        return ops.reshape(ops.transpose(x, (0, 3, 1, 2)), (-1, height, width, 1))

    def blur(x):
        return ops.conv(x, kernel, padding="valid", data_format="channels_last")

    first, second = planes(first), planes(second)
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mean1, mean2 = blur(first), blur(second)
    variance1 = blur(first * first) - mean1 * mean1
    variance2 = blur(second * second) - mean2 * mean2
    covariance = blur(first * second) - mean1 * mean2
    numerator = (2.0 * mean1 * mean2 + c1) * (2.0 * covariance + c2)
    denominator = (mean1 * mean1 + mean2 * mean2 + c1) * (variance1 + variance2 + c2)
    per_plane = ops.mean(numerator / denominator, axis=[1, 2, 3])
    result = ops.mean(ops.reshape(per_plane, (-1, channels)), axis=-1)
    result = ops.squeeze(result, 0) if unbatched else result
    return ops.cast(result, dtype) if dtype.kind == "f" else result


# ----- patches, crops and pads ------------------------------------------------------------


def _patches(op, images, size, strides, dilation_rate, padding, data_format, rank):
    if isinstance(size, int):
        size = (size,) * rank
    elif len(size) != rank:
        raise TypeError(
            f"{op}: Invalid `size` argument. Expected an int or a tuple of length {rank}. Received: size={size}"
        )
    size = tuple(int(s) for s in size)
    shape = _check_images(op, images, "images" if rank == 2 else "volumes", ranks=(rank + 1, rank + 2))
    data_format = config.standardize_data_format(data_format)
    unbatched = len(shape) == rank + 1
    x = ops.expand_dims(images, 0) if unbatched else images
    geometry = window_geometry(op, shape_of(x), size, strides or size, padding, data_format, dilation_rate)
    windows = extract_windows(x, pad_value=0.0, **geometry)  # (batch, *out, *size, channels)
    window_shape = shape_of(windows)
    patches = ops.reshape(windows, (-1, *window_shape[1 : rank + 1], int(numpy.prod(window_shape[rank + 1 :]))))
    if data_format == "channels_first":
        patches = ops.moveaxis(patches, -1, 1)
    return ops.squeeze(patches, 0) if unbatched else patches


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    if not isinstance(size, int) and len(size) == 3:
        return extract_patches_3d(images, size, strides, dilation_rate, padding, data_format)
    return _patches("extract_patches", images, size, strides, dilation_rate, padding, data_format, 2)


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    return _patches("extract_patches_3d", volumes, size, strides, dilation_rate, padding, data_format, 3)


def _check_sides(op, names, values):
    """Keras's check: exactly two of (before, after, target) per axis, none negative."""
    for axis in (slice(0, 3), slice(3, 6)):
        if list(values[axis]).count(None) != 1:
            given = ", ".join(f"{n}={v}" for n, v in zip(names[axis], values[axis]))
            raise ValueError(f"{op}: Must specify exactly two of {', '.join(names[axis])}. Received: {given}")
    _check_non_negative(op, zip(names, values))


def _check_non_negative(op, named_values):
    for name, value in named_values:
        if value is not None and value < 0:
            raise ValueError(f"{op}: {name} must be >= 0. Received: {name}={value}")


def pad_images(
    images,
    top_padding=None,
    left_padding=None,
    bottom_padding=None,
    right_padding=None,
    target_height=None,
    target_width=None,
    data_format=None,
):
    op = "pad_images"
    shape = _check_images(op, images)
    data_format = config.standardize_data_format(data_format)
    axes = _spatial_axes(shape, data_format)
    height, width = _known(op, shape, axes)
    _check_sides(
        op,
        ("top_padding", "bottom_padding", "target_height", "left_padding", "right_padding", "target_width"),
        (top_padding, bottom_padding, target_height, left_padding, right_padding, target_width),
    )
    top = target_height - bottom_padding - height if top_padding is None else top_padding
    bottom = target_height - top - height if bottom_padding is None else bottom_padding
    left = target_width - right_padding - width if left_padding is None else left_padding
    right = target_width - left - width if right_padding is None else right_padding
    _check_non_negative(
        op, (("top_padding", top), ("bottom_padding", bottom), ("left_padding", left), ("right_padding", right))
    )
    widths = [(0, 0)] * len(shape)
    widths[axes[0]], widths[axes[1]] = (top, bottom), (left, right)
    return ops.pad(images, widths)


def crop_images(
    images,
    top_cropping=None,
    left_cropping=None,
    bottom_cropping=None,
    right_cropping=None,
    target_height=None,
    target_width=None,
    data_format=None,
):
    op = "crop_images"
    shape = _check_images(op, images)
    data_format = config.standardize_data_format(data_format)
    axes = _spatial_axes(shape, data_format)
    height, width = _known(op, shape, axes)
    _check_sides(
        op,
        ("top_cropping", "bottom_cropping", "target_height", "left_cropping", "right_cropping", "target_width"),
        (top_cropping, bottom_cropping, target_height, left_cropping, right_cropping, target_width),
    )
    top = height - target_height - bottom_cropping if top_cropping is None else top_cropping
    target_height = height - bottom_cropping - top if target_height is None else target_height
    left = width - target_width - right_cropping if left_cropping is None else left_cropping
    target_width = width - right_cropping - left if target_width is None else target_width
    _check_non_negative(
        op,
        (
            ("top_cropping", top),
            ("left_cropping", left),
            ("target_height", target_height),
            ("target_width", target_width),
        ),
    )
    if top + target_height > height or left + target_width > width:
        raise ValueError(
            f"{op}: the crop (top {top}, left {left}, height {target_height}, width {target_width}) does not fit "
            f"in images of shape {shape}"
        )
    index = [slice(None)] * len(shape)
    index[axes[0]], index[axes[1]] = slice(top, top + target_height), slice(left, left + target_width)
    return images[tuple(index)]
