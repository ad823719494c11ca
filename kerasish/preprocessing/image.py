"""kerasish.preprocessing.image: Keras's `keras.preprocessing.image` (array_to_img, img_to_array, load_img,
save_img, smart_resize)."""

from kerasish.ops.image import resize
from kerasish.utils.image_utils import array_to_img, img_to_array, load_img, save_img


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last", **kwargs):
    """Resize an image `(height, width, channels)` or a batch of them to `size` without distorting it: the
    largest centred crop with the target's aspect ratio is resized, as Keras's `smart_resize`."""
    kwargs.pop("backend_module", None)  # Keras's way to pick a backend; kerasish computes through its ops
    if kwargs:
        raise TypeError(f"smart_resize() got unexpected keyword arguments: {list(kwargs.keys())}")
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    rank = len(x.shape)
    if rank < 3 or rank > 4:
        raise ValueError(
            "Expected an image array with shape `(height, width, channels)`, or `(batch_size, height, width, "
            f"channels)`, but got input with incorrect rank, of shape {tuple(x.shape)}."
        )
    return resize(x, size, interpolation=interpolation, crop_to_aspect_ratio=True, data_format=data_format)


__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]
