"""kerasish.utils.bounding_boxes: Keras's bounding-box utilities (format conversion, clipping, affine
transforms, crop/pad, box-delta encoding, IoU and CIoU), computed through `kerasish.ops`."""

from kerasish.utils.bounding_boxes.converters import (
    affine_transform,
    clip_to_image_size,
    convert_format,
    crop,
    decode_deltas_to_boxes,
    encode_box_to_deltas,
    pad,
)
from kerasish.utils.bounding_boxes.iou import compute_ciou, compute_iou

__all__ = [
    "affine_transform",
    "clip_to_image_size",
    "compute_ciou",
    "compute_iou",
    "convert_format",
    "crop",
    "decode_deltas_to_boxes",
    "encode_box_to_deltas",
    "pad",
]
