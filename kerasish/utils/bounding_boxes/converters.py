"""Bounding-box formats and transforms, as Keras's `keras.utils.bounding_boxes` computes them.

Formats (the last axis of 4): "xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", and the relative
ones "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh" (fractions of `width`/`height`).
"""

import math

from kerasish import ops
from kerasish.backend import epsilon

SUPPORTED_FORMATS = (
    "xyxy",
    "yxyx",
    "xywh",
    "center_xywh",
    "center_yxhw",
    "rel_xyxy",
    "rel_yxyx",
    "rel_xywh",
    "rel_center_xywh",
)
ENCODING_FORMATS = ("center_xywh", "center_yxhw")


def _split(boxes):
    return ops.split(boxes, 4, axis=-1)


def _join(*parts):
    return ops.concatenate(list(parts), axis=-1)


def _to_xyxy(boxes, source, height, width):
    a, b, c, d = _split(boxes)
    if source == "xyxy":
        return boxes
    if source == "yxyx":
        return _join(b, a, d, c)
    if source == "xywh":
        return _join(a, b, a + c, b + d)
    if source == "center_xywh":
        return _join(a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0)
    if source == "center_yxhw":
        return _join(b - d / 2.0, a - c / 2.0, b + d / 2.0, a + c / 2.0)
    if source == "rel_xyxy":
        return _join(a * width, b * height, c * width, d * height)
    if source == "rel_yxyx":
        return _join(b * width, a * height, d * width, c * height)
    if source == "rel_xywh":
        return _join(a * width, b * height, (a + c) * width, (b + d) * height)
    return _join((a - c / 2.0) * width, (b - d / 2.0) * height, (a + c / 2.0) * width, (b + d / 2.0) * height)


def _from_xyxy(boxes, target, height, width):
    x1, y1, x2, y2 = _split(boxes)
    if target == "xyxy":
        return boxes
    if target == "yxyx":
        return _join(y1, x1, y2, x2)
    if target == "xywh":
        return _join(x1, y1, x2 - x1, y2 - y1)
    if target == "center_xywh":
        return _join(x1 + (x2 - x1) / 2.0, y1 + (y2 - y1) / 2.0, x2 - x1, y2 - y1)
    if target == "center_yxhw":
        return _join(y1 + (y2 - y1) / 2.0, x1 + (x2 - x1) / 2.0, y2 - y1, x2 - x1)
    if target == "rel_xyxy":
        return _join(x1 / width, y1 / height, x2 / width, y2 / height)
    if target == "rel_yxyx":
        return _join(y1 / height, x1 / width, y2 / height, x2 / width)
    if target == "rel_xywh":
        return _join(x1 / width, y1 / height, (x2 - x1) / width, (y2 - y1) / height)
    return _join((x1 + (x2 - x1) / 2.0) / width, (y1 + (y2 - y1) / 2.0) / height, (x2 - x1) / width, (y2 - y1) / height)


def convert_format(boxes, source, target, height=None, width=None, dtype="float32"):
    """`boxes` (`(..., 4)`, or a dict holding them under "boxes") from the `source` format to `target`;
    relative formats need the image's `height` and `width`."""
    if isinstance(boxes, dict):
        boxes["boxes"] = convert_format(boxes["boxes"], source, target, height=height, width=width, dtype=dtype)
        return boxes
    boxes = ops.convert_to_tensor(boxes)
    if boxes.shape[-1] != 4:
        raise ValueError(
            f"`boxes` must be a tensor with the last dimension of 4. Received: boxes.shape={tuple(boxes.shape)}"
        )
    source, target = source.lower(), target.lower()
    if source not in SUPPORTED_FORMATS or target not in SUPPORTED_FORMATS:
        raise ValueError(
            f"Invalid source or target format. Supported formats: {SUPPORTED_FORMATS}. "
            f"Received: source={source!r}, target={target!r}"
        )
    if (source.startswith("rel_") or target.startswith("rel_")) and (width is None or height is None):
        raise ValueError(
            "convert_format() must receive `height` and `width` transforming between relative and absolute formats. "
            f"convert_format() received source=`{source}`, target=`{target}, but height={height} and width={width}."
        )
    boxes = ops.cast(boxes, dtype)
    if source == target:
        return boxes
    width = None if width is None else ops.cast(width, dtype)
    height = None if height is None else ops.cast(height, dtype)
    if source.startswith("rel_") and target.startswith("rel_"):
        source, target = source[4:], target[4:]
    return _from_xyxy(_to_xyxy(boxes, source, height, width), target, height, width)


def _area(boxes):
    x1, y1, x2, y2 = _split(boxes)
    return (x2 - x1) * (y2 - y1)


def clip_to_image_size(bounding_boxes, height=None, width=None, bounding_box_format="xyxy"):
    """`{"boxes": ..., "labels": ...}` with the boxes clipped to the image (to [0, 1] for "rel_xyxy"); a box
    left with no area gets the label -1."""
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError(
            "clip_to_image_size() supports 'xyxy' and 'rel_xyxy'. "
            f"Received: bounding_box_format={bounding_box_format!r}"
        )
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError("`height` and `width` must be set if `format='xyxy'`.")
    boxes = ops.convert_to_tensor(bounding_boxes["boxes"])
    labels = bounding_boxes.get("labels", None)
    if bounding_box_format == "xyxy":
        width, height = ops.cast(width, boxes.dtype), ops.cast(height, boxes.dtype)
    else:
        width = height = 1.0
    x1, y1, x2, y2 = _split(boxes)
    boxes = _join(ops.clip(x1, 0, width), ops.clip(y1, 0, height), ops.clip(x2, 0, width), ops.clip(y2, 0, height))
    result = dict(bounding_boxes)
    result["boxes"] = boxes
    if labels is not None:
        result["labels"] = ops.where(ops.squeeze(_area(boxes), axis=-1) > 0, labels, -1)
    return result


def _inverse_affine_matrix(center_x, center_y, angle, translate_x, translate_y, scale, shear_x, shear_y, height, width):
    batch_size = angle.shape[0]
    dtype = angle.dtype
    angle, shear_x, shear_y = -angle, -shear_x, -shear_y
    cx = ops.multiply(center_x, width - 1)
    cy = ops.multiply(center_y, height - 1)
    rotation = ops.multiply(angle, 1.0 / 180.0 * math.pi)
    tx = ops.multiply(-translate_x, width - 1)
    ty = ops.multiply(-translate_y, height - 1)
    sx = ops.multiply(shear_x, 1.0 / 180.0 * math.pi)
    sy = ops.multiply(shear_y, 1.0 / 180.0 * math.pi)
    cos_sy, tan_sx = ops.cos(sy), ops.tan(sx)
    rotation_minus_sy = rotation - sy
    cx_plus_tx, cy_plus_ty = cx + tx, cy + ty
    a = ops.cos(rotation_minus_sy) / cos_sy
    b = a * tan_sx + ops.sin(rotation)
    c = -ops.sin(rotation_minus_sy) / cos_sy
    d = ops.cos(rotation) - c * tan_sx
    a0, a1 = ops.multiply(d, scale), ops.multiply(-b, scale)
    b0, b1 = ops.multiply(-c, scale), ops.multiply(a, scale)
    a2 = cx - a0 * cx_plus_tx - a1 * cy_plus_ty
    b2 = cy - b0 * cx_plus_tx - b1 * cy_plus_ty
    zeros, ones = ops.zeros([batch_size], dtype), ops.ones([batch_size], dtype)
    matrix = ops.stack([a0, a1, a2, b0, b1, b2, zeros, zeros, ones], axis=-1)
    return ops.reshape(matrix, [batch_size, 3, 3])


def affine_transform(
    boxes,
    angle,
    translate_x,
    translate_y,
    scale,
    shear_x,
    shear_y,
    height,
    width,
    center_x=None,
    center_y=None,
    bounding_box_format="xyxy",
):
    """Boxes `(batch, n, 4)` ("xyxy") moved by the affine transform of each image (per-image `angle` in
    degrees, translations as fractions of the size, `scale`, shears in degrees, about the centre
    `center_x`/`center_y`, 0.5 by default), then made axis-aligned around the four moved corners."""
    _check_xyxy("affine_transform", bounding_box_format)
    angle = ops.convert_to_tensor(angle)
    matrix = _inverse_affine_matrix(
        0.5 if center_x is None else center_x,
        0.5 if center_y is None else center_y,
        angle,
        translate_x,
        translate_y,
        scale,
        shear_x,
        shear_y,
        height,
        width,
    )
    boxes = ops.cast(boxes, matrix.dtype)
    batch_size, count = boxes.shape[0], boxes.shape[1]
    transposed = ops.transpose(matrix[:, :2, :], [0, 2, 1])
    x1, y1, x2, y2 = (boxes[..., i] for i in range(4))
    points = ops.reshape(ops.stack([x1, y1, x2, y1, x2, y2, x1, y2], axis=-1), [batch_size, count, 4, 2])
    points = ops.concatenate([points, ops.ones([batch_size, count, 4, 1], points.dtype)], axis=-1)
    moved = ops.einsum("bnxy,byz->bnxz", points, transposed)
    return ops.concatenate([ops.min(moved, axis=2), ops.max(moved, axis=2)], axis=-1)


def _check_xyxy(function, bounding_box_format):
    if bounding_box_format != "xyxy":
        raise NotImplementedError(
            f"{function}() supports 'xyxy' only. Received: bounding_box_format={bounding_box_format!r}"
        )


def crop(boxes, top, left, height, width, bounding_box_format="xyxy"):
    """Boxes in the frame of the crop `[top, top + height) x [left, left + width)`, clipped to it."""
    _check_xyxy("crop", bounding_box_format)
    x1, y1, x2, y2 = _split(ops.convert_to_tensor(boxes))
    return _join(
        ops.clip(x1 - left, 0, width),
        ops.clip(y1 - top, 0, height),
        ops.clip(x2 - left, 0, width),
        ops.clip(y2 - top, 0, height),
    )


def pad(boxes, top, left, height=None, width=None, bounding_box_format="xyxy"):
    """Boxes shifted by the padding added above (`top`) and to the left (`left`) of the image."""
    _check_xyxy("pad", bounding_box_format)
    x1, y1, x2, y2 = _split(ops.convert_to_tensor(boxes))
    return _join(x1 + left, y1 + top, x2 + left, y2 + top)


def _check_variance(variance):
    if variance is None:
        return None
    variance = ops.convert_to_tensor(variance, "float32")
    if variance.shape[-1] != 4:
        raise ValueError(f"`variance` must be length 4, got {variance}")
    return variance


def _image_size(image_shape):
    if image_shape is None:
        return None, None
    height, width, _ = image_shape
    return height, width


def encode_box_to_deltas(
    anchors, boxes, anchor_format, box_format, encoding_format="center_yxhw", variance=None, image_shape=None
):
    """The offsets of `boxes` from `anchors`: centre shifts in anchor sizes and log size ratios, in
    `encoding_format`, divided by `variance` when given."""
    variance = _check_variance(variance)
    if encoding_format not in ENCODING_FORMATS:
        raise ValueError(f"`encoding_format` should be one of 'center_xywh' or 'center_yxhw', got {encoding_format}")
    height, width = _image_size(image_shape)
    anchors = convert_format(anchors, source=anchor_format, target=encoding_format, height=height, width=width)
    boxes = convert_format(boxes, source=box_format, target=encoding_format, height=height, width=width)
    anchor_sizes = ops.maximum(anchors[..., 2:], epsilon())
    box_sizes = ops.maximum(boxes[..., 2:], epsilon())
    deltas = ops.concatenate(
        [(boxes[..., :2] - anchors[..., :2]) / anchor_sizes, ops.log(box_sizes / anchor_sizes)], axis=-1
    )
    return deltas / variance if variance is not None else deltas


def decode_deltas_to_boxes(
    anchors, boxes_delta, anchor_format, box_format, encoded_format="center_yxhw", variance=None, image_shape=None
):
    """The boxes (in `box_format`) that `encode_box_to_deltas` encoded as `boxes_delta`; `anchors` and
    `boxes_delta` may be dicts of levels."""
    variance = _check_variance(variance)
    if encoded_format not in ENCODING_FORMATS:
        raise ValueError(f"`encoded_format` should be 'center_xywh' or 'center_yxhw', but got '{encoded_format}'.")
    height, width = _image_size(image_shape)

    def decode(anchor, delta):
        anchor = convert_format(anchor, source=anchor_format, target=encoded_format, height=height, width=width)
        delta = ops.convert_to_tensor(delta)
        if variance is not None:
            delta = delta * variance
        box = ops.concatenate(
            [delta[..., :2] * anchor[..., 2:] + anchor[..., :2], ops.exp(delta[..., 2:]) * anchor[..., 2:]], axis=-1
        )
        return convert_format(box, source=encoded_format, target=box_format, height=height, width=width)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode(anchor, boxes_delta[level]) for level, anchor in anchors.items()}
    return decode(anchors, boxes_delta)
