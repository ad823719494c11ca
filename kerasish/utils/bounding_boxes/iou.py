"""Intersection over union (pairwise) and complete IoU (elementwise) of bounding boxes, as Keras computes
them."""

import math

from kerasish import ops
from kerasish.backend import epsilon
from kerasish.utils.bounding_boxes.converters import convert_format


def _area(boxes):
    y_min, x_min, y_max, x_max = ops.split(boxes[..., :4], 4, axis=-1)
    return ops.squeeze((y_max - y_min) * (x_max - x_min), axis=-1)


def _intersection(boxes1, boxes2):
    y_min1, x_min1, y_max1, x_max1 = ops.split(boxes1[..., :4], 4, axis=-1)
    y_min2, x_min2, y_max2, x_max2 = ops.split(boxes2[..., :4], 4, axis=-1)
    perm = [1, 0] if len(boxes2.shape) == 2 else [0, 2, 1]
    height = ops.minimum(y_max1, ops.transpose(y_max2, perm)) - ops.maximum(y_min1, ops.transpose(y_min2, perm))
    width = ops.minimum(x_max1, ops.transpose(x_max2, perm)) - ops.maximum(x_min1, ops.transpose(x_min2, perm))
    zero = ops.cast(0, height.dtype)
    return ops.maximum(zero, height) * ops.maximum(zero, width)


def compute_iou(boxes1, boxes2, bounding_box_format, use_masking=False, mask_val=-1, image_shape=None):
    """The IoU of every box of `boxes1` (`(m, 4)` or `(batch, m, 4)`) with every box of `boxes2`: `(m, n)`
    or `(batch, m, n)`. With `use_masking`, pairs where a box is all negative (padding) get `mask_val`."""
    boxes1, boxes2 = ops.convert_to_tensor(boxes1), ops.convert_to_tensor(boxes2)
    ranks = len(boxes1.shape), len(boxes2.shape)
    for name, rank in zip(("boxes1", "boxes2"), ranks):
        if rank not in (2, 3):
            raise ValueError(
                f"compute_iou() expects {name} to be batched, or to be unbatched. Received len(boxes1.shape)="
                f"{ranks[0]}, len(boxes2.shape)={ranks[1]}. Expected either len({name}.shape)=2 AND or "
                f"len({name}.shape)=3."
            )
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError(
            "When using relative bounding box formats (e.g. `rel_yxyx`) the `image_shape` argument must be provided."
            f"Received `image_shape`: {image_shape}"
        )
    height, width = (None, None) if image_shape is None else tuple(image_shape[:2])
    boxes1 = convert_format(boxes1, source=bounding_box_format, target="yxyx", height=height, width=width)
    boxes2 = convert_format(boxes2, source=bounding_box_format, target="yxyx", height=height, width=width)
    intersection = _intersection(boxes1, boxes2)
    area1, area2 = _area(boxes1), _area(boxes2)
    area1 = ops.expand_dims(area1, axis=-1)
    area2 = ops.expand_dims(area2, axis=1 if len(area2.shape) == 2 else 0)
    iou = ops.divide(intersection, area1 + area2 - intersection + epsilon())
    if not use_masking:
        return iou
    perm = [1, 0] if ranks[1] == 2 else [0, 2, 1]  # Keras takes boxes1's rank here and fails on mixed ranks
    masked = ops.cast(mask_val, iou.dtype) * ops.ones_like(iou)
    background1 = ops.less(ops.max(boxes1, axis=-1, keepdims=True), 0.0)
    background2 = ops.less(ops.max(boxes2, axis=-1, keepdims=True), 0.0)
    return ops.where(ops.logical_or(background1, ops.transpose(background2, perm)), masked, iou)


def compute_ciou(boxes1, boxes2, bounding_box_format, image_shape=None):
    """The complete IoU of `boxes1[i]` with `boxes2[i]` (shapes `(..., 4)`): IoU less the normalised
    distance of the centres and an aspect-ratio term."""
    if "rel" in bounding_box_format:
        raise ValueError(
            "When using relative bounding box formats (e.g. `rel_yxyx`) the `image_shape` argument must be provided."
            f"Received `image_shape`: {image_shape}"
        )
    height, width = (None, None) if image_shape is None else tuple(image_shape[:2])
    boxes1 = convert_format(boxes1, source=bounding_box_format, target="xyxy", height=height, width=width)
    boxes2 = convert_format(boxes2, source=bounding_box_format, target="xyxy", height=height, width=width)
    x_min1, y_min1, x_max1, y_max1 = ops.split(boxes1[..., :4], 4, axis=-1)
    x_min2, y_min2, x_max2, y_max2 = ops.split(boxes2[..., :4], 4, axis=-1)
    width1, height1 = x_max1 - x_min1, y_max1 - y_min1 + epsilon()
    width2, height2 = x_max2 - x_min2, y_max2 - y_min2 + epsilon()
    intersection = ops.maximum(ops.minimum(x_max1, x_max2) - ops.maximum(x_min1, x_min2), 0) * ops.maximum(
        ops.minimum(y_max1, y_max2) - ops.maximum(y_min1, y_min2), 0
    )
    union = width1 * height1 + width2 * height2 - intersection + epsilon()
    iou = ops.squeeze(ops.divide(intersection, union + epsilon()), axis=-1)
    convex_width = ops.maximum(x_max1, x_max2) - ops.minimum(x_min1, x_min2)
    convex_height = ops.maximum(y_max1, y_max2) - ops.minimum(y_min1, y_min2)
    diagonal_squared = ops.squeeze(convex_width**2 + convex_height**2 + epsilon(), axis=-1)
    centres_squared = ops.squeeze(
        ((x_min1 + x_max1) / 2 - (x_min2 + x_max2) / 2) ** 2 + ((y_min1 + y_max1) / 2 - (y_min2 + y_max2) / 2) ** 2,
        axis=-1,
    )
    v = ops.squeeze(
        (4 / math.pi**2) * ops.power(ops.arctan(width2 / height2) - ops.arctan(width1 / height1), 2), axis=-1
    )
    alpha = v / (v - iou + (1 + epsilon()))
    return iou - (centres_squared / diagonal_squared + v * alpha)
