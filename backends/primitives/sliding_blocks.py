"""unfold and fold as Keras's ops (PyTorch's `Unfold`/`Fold`): the sliding blocks of a channels-first image as
columns `(N, C * kH * kW, L)`, and those columns summed back onto the image (col2im). Both are
`extract_patches` / `scatter_patches` (windows.py) with the columns reordered, so each is the other's
gradient."""

from .registry import export, ops, shape_of
from .windows import extract_patches, output_spatial, scatter_patches


def _pair(name, argument, value, minimum):
    values = (value, value) if isinstance(value, int) else tuple(value)
    if len(values) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) and v >= minimum for v in values):
        raise ValueError(f"{name}: `{argument}` must be an int >= {minimum} or a pair of them. Received: {value!r}")
    return values


def _geometry(name, kernel_size, dilation, padding, stride):
    kernel_size = _pair(name, "kernel_size", kernel_size, 1)
    padding = _pair(name, "padding", padding, 0)
    return dict(
        kernel_size=kernel_size,
        strides=_pair(name, "stride", stride, 1),
        dilation=_pair(name, "dilation", dilation, 1),
        pads=tuple((p, p) for p in padding),
        data_format="channels_first",
    )


@export
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """The blocks of an `(N, C, H, W)` image as columns: `(N, C * kH * kW, L)`, channel-major as in PyTorch."""
    shape = shape_of(x)
    if len(shape) != 4:
        raise ValueError(f"unfold: Input must be a 4D tensor (N, C, H, W). Received: input.shape={shape}")
    if None in shape[1:]:
        raise ValueError(f"unfold: the channels, height and width must be known. Received: input.shape={shape}")
    geometry = _geometry("unfold", kernel_size, dilation, padding, stride)
    patches = extract_patches(x, pad_value=0.0, **geometry)
    batch, rows, columns, kernel_rows, kernel_columns, channels = shape_of(patches)
    blocks = ops.transpose(patches, (0, 5, 3, 4, 1, 2))
    return ops.reshape(blocks, (-1, channels * kernel_rows * kernel_columns, rows * columns))


@export
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Columns `(N, C * kH * kW, L)` summed back onto an `(N, C, *output_size)` image: the adjoint of unfold."""
    shape = shape_of(x)
    if len(shape) != 3:
        raise ValueError(f"fold: Input must be a 3D tensor. Received: input.shape={shape}")
    if shape[1] is None:
        raise ValueError(f"fold: the second dimension of the input must be known. Received: input.shape={shape}")
    output_size = _pair("fold", "output_size", output_size, 1)
    geometry = _geometry("fold", kernel_size, dilation, padding, stride)
    kernel_rows, kernel_columns = geometry["kernel_size"]
    blocks = output_spatial(
        output_size, geometry["kernel_size"], geometry["strides"], geometry["dilation"], geometry["pads"]
    )
    depth, count = shape[1:]
    if depth % (kernel_rows * kernel_columns):
        raise ValueError(
            f"fold: The second dimension of the input ({depth}) must be divisible by kernel_size product "
            f"({kernel_rows * kernel_columns})."
        )
    if count is not None and count != blocks[0] * blocks[1]:
        raise ValueError(
            f"fold: the input holds {count} blocks, but an output of size {output_size} with these kernel, "
            f"dilation, padding and stride has {blocks[0]} x {blocks[1]} = {blocks[0] * blocks[1]}"
        )
    channels = depth // (kernel_rows * kernel_columns)
    patches = ops.reshape(x, (-1, channels, kernel_rows, kernel_columns, *blocks))
    patches = ops.transpose(patches, (0, 4, 5, 2, 3, 1))
    return scatter_patches(patches, spatial_shape=output_size, **geometry)
