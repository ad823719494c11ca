"""depth_to_space and space_to_depth as Keras's ops (pixel shuffle and unshuffle, 4-D inputs): reshapes and a
transpose, so their gradients are each other."""

from .registry import export, ops, shape_of


def _checked(name, x, block_size, data_format):
    if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size < 2:
        raise ValueError(f"{name}: `block_size` must be at least 2. Received: block_size={block_size}")
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{name}: `data_format` must be 'channels_last' or 'channels_first'. Received: data_format={data_format!r}"
        )
    shape = shape_of(x)
    if len(shape) != 4:
        raise ValueError(f"{name}: `{name}` requires a 4D input tensor. Received: x.shape={shape}")
    if None in shape[1:]:
        raise ValueError(f"{name}: the input's height, width and channels must be known. Received: x.shape={shape}")
    if data_format == "channels_last":
        return shape[1], shape[2], shape[3]
    return shape[2], shape[3], shape[1]


@export
def depth_to_space(x, block_size, data_format="channels_last"):
    """`(N, H, W, C)` to `(N, H * b, W * b, C / b²)` (channels_first: `(N, C, H, W)` likewise)."""
    height, width, channels = _checked("depth_to_space", x, block_size, data_format)
    if channels % (block_size**2):
        raise ValueError(
            f"depth_to_space: The number of channels ({channels}) must be divisible by block_size**2 ({block_size**2})."
        )
    depth = channels // block_size**2
    if data_format == "channels_last":
        x = ops.reshape(x, (-1, height, width, block_size, block_size, depth))
        x = ops.transpose(x, (0, 1, 3, 2, 4, 5))
        return ops.reshape(x, (-1, height * block_size, width * block_size, depth))
    x = ops.reshape(x, (-1, depth, block_size, block_size, height, width))
    x = ops.transpose(x, (0, 1, 4, 2, 5, 3))
    return ops.reshape(x, (-1, depth, height * block_size, width * block_size))


@export
def space_to_depth(x, block_size, data_format="channels_last"):
    """`(N, H, W, C)` to `(N, H / b, W / b, C * b²)` (channels_first: `(N, C, H, W)` likewise)."""
    height, width, channels = _checked("space_to_depth", x, block_size, data_format)
    if height % block_size:
        raise ValueError(f"space_to_depth: Height ({height}) must be divisible by block_size ({block_size}).")
    if width % block_size:
        raise ValueError(f"space_to_depth: Width ({width}) must be divisible by block_size ({block_size}).")
    rows, columns = height // block_size, width // block_size
    if data_format == "channels_last":
        x = ops.reshape(x, (-1, rows, block_size, columns, block_size, channels))
        x = ops.transpose(x, (0, 1, 3, 2, 4, 5))
        return ops.reshape(x, (-1, rows, columns, channels * block_size**2))
    x = ops.reshape(x, (-1, channels, rows, block_size, columns, block_size))
    x = ops.transpose(x, (0, 1, 3, 5, 2, 4))
    return ops.reshape(x, (-1, channels * block_size**2, rows, columns))
