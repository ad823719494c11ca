"""load_img / img_to_array / save_img (Keras names) without an imaging library.

Pillow is used when it is installed (any format); otherwise kerasish reads and writes 8-bit PNG
(grey, grey+alpha, RGB, RGBA; not interlaced) and binary PPM/PGM itself.
"""

import io
import os
import struct
import warnings
import zlib

import numpy

from kerasish.backends.io.atomic_file import write_bytes_atomically
from kerasish.backends.io.read_errors import UnreadableFileError, reading

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PIXELS = 2 * 89_478_485  # where Pillow refuses an image as a decompression bomb
_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def _paeth(left, up, up_left):
    estimate = left.astype(numpy.int16) + up - up_left
    distances = [numpy.abs(estimate - v) for v in (left, up, up_left)]
    return numpy.where(
        (distances[0] <= distances[1]) & (distances[0] <= distances[2]),
        left,
        numpy.where(distances[1] <= distances[2], up, up_left),
    ).astype(numpy.uint8)


def _unfilter(raw, height, width, channels):
    stride = width * channels
    rows = numpy.frombuffer(raw, numpy.uint8).reshape(height, stride + 1)
    image = numpy.zeros((height, stride), numpy.uint8)
    previous = numpy.zeros(stride, numpy.uint8)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:].copy()
        if kind == 2:
            line += previous
        elif kind in (1, 3, 4):
            for x in range(stride):
                left = line[x - channels] if x >= channels else 0
                up_left = previous[x - channels] if x >= channels else 0
                if kind == 1:
                    line[x] = (int(line[x]) + int(left)) & 255
                elif kind == 3:
                    line[x] = (int(line[x]) + ((int(left) + int(previous[x])) >> 1)) & 255
                else:
                    line[x] = (int(line[x]) + int(_paeth(numpy.uint8(left), previous[x], numpy.uint8(up_left)))) & 255
        elif kind != 0:
            raise ValueError(f"PNG: unknown filter type {kind} in row {y}")
        image[y] = line
        previous = line
    return image.reshape(height, width, channels)


def _check_pixels(path, height, width, channels):
    if height * width > MAX_PIXELS:
        raise UnreadableFileError(
            f"{path}: {width}x{height} pixels, more than the {MAX_PIXELS} an image may hold (a decompression bomb?)"
        )
    return height * width * channels


def read_png(path):
    with open(path, "rb") as f, reading(path, "PNG image"):
        data = f.read()
        if not data.startswith(PNG_SIGNATURE):
            raise ValueError("not a PNG file")
        position, chunks, header = len(PNG_SIGNATURE), [], None
        while position < len(data):
            if position + 8 > len(data):
                raise ValueError(f"cut short at byte {position}")
            length, kind = struct.unpack(">I4s", data[position : position + 8])
            body = data[position + 8 : position + 8 + length]
            if kind == b"IHDR":
                header = struct.unpack(">IIBBBBB", body)
            elif kind == b"IDAT":
                chunks.append(body)
            elif kind == b"IEND":
                break
            position += 12 + length
        if header is None:
            raise ValueError("no IHDR chunk")
        width, height, depth, colour, _, _, interlace = header
        if depth != 8 or colour not in _CHANNELS or interlace:
            raise ValueError(
                f"only 8-bit, non-interlaced grey/RGB(A) PNG is supported without Pillow "
                f"(bit depth {depth}, colour type {colour}, interlace {interlace}); pip install pillow"
            )
        expected = _check_pixels(path, height, width, _CHANNELS[colour]) + height
        raw = zlib.decompressobj().decompress(b"".join(chunks), expected)
        if len(raw) != expected:
            raise ValueError(f"{len(raw)} bytes of pixel data, {expected} expected")
        return _unfilter(raw, height, width, _CHANNELS[colour])


def write_png(path, image):
    write_bytes_atomically(path, png_bytes(image))


def png_bytes(image):
    """An 8-bit image (height, width[, channels]) encoded as PNG."""
    image = numpy.asarray(image, numpy.uint8)
    image = image[..., None] if image.ndim == 2 else image
    height, width, channels = image.shape
    colour = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    raw = b"".join(b"\x00" + image[y].tobytes() for y in range(height))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (
        PNG_SIGNATURE
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def read_pnm(path):
    with open(path, "rb") as f, reading(path, "PGM/PPM image"):
        data = f.read()
        fields, position = [], 0
        while len(fields) < 4:
            while data[position : position + 1].isspace():
                position += 1
            if position >= len(data):
                raise ValueError("the header ends early")
            if data[position : position + 1] == b"#":
                position = data.index(b"\n", position)
                continue
            end = position
            while end < len(data) and not data[end : end + 1].isspace():
                end += 1
            fields.append(data[position:end])
            position = end
        magic, width, height, maximum = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
        if magic not in (b"P5", b"P6") or maximum != 255:
            raise ValueError("only binary 8-bit PGM (P5) and PPM (P6) are supported without Pillow")
        channels = 3 if magic == b"P6" else 1
        size = _check_pixels(path, height, width, channels)
        pixels = numpy.frombuffer(data[position + 1 : position + 1 + size], numpy.uint8)
        if pixels.size != size:
            raise ValueError(f"{pixels.size} bytes of pixel data, {size} expected")
        return pixels.reshape(height, width, channels)


def _read(path):
    try:
        from PIL import Image
    except ImportError:
        with open(path, "rb") as f:
            head = f.read(8)
        return read_png(path) if head.startswith(PNG_SIGNATURE) else read_pnm(path)
    with Image.open(path) as image:
        return numpy.asarray(
            image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB" if image.mode != "L" else "L")
        )


def _convert(image, color_mode):
    image = image[..., None] if image.ndim == 2 else image
    channels = image.shape[-1]
    if color_mode == "grayscale":
        rgb = image[..., :3] if channels >= 3 else numpy.repeat(image[..., :1], 3, axis=-1)
        return (
            (rgb.astype(numpy.float32) @ numpy.array([0.299, 0.587, 0.114], numpy.float32))[..., None]
            .round()
            .astype(numpy.uint8)
        )
    if color_mode == "rgba":
        if channels == 4:
            return image
        rgb = _convert(image, "rgb")
        return numpy.concatenate([rgb, numpy.full(rgb.shape[:2] + (1,), 255, numpy.uint8)], axis=-1)
    if channels in (1, 2):
        return numpy.repeat(image[..., :1], 3, axis=-1)
    return image[..., :3]


def _resize(image, size, interpolation):
    height, width = size
    if interpolation == "nearest":
        rows = (numpy.arange(height) * image.shape[0] / height).astype(int)
        cols = (numpy.arange(width) * image.shape[1] / width).astype(int)
        return image[rows][:, cols]
    if interpolation != "bilinear":
        raise ValueError(f"interpolation must be 'nearest' or 'bilinear' without Pillow; received {interpolation!r}")
    y = numpy.clip((numpy.arange(height) + 0.5) * image.shape[0] / height - 0.5, 0, image.shape[0] - 1)
    x = numpy.clip((numpy.arange(width) + 0.5) * image.shape[1] / width - 0.5, 0, image.shape[1] - 1)
    y0, x0 = numpy.floor(y).astype(int), numpy.floor(x).astype(int)
    y1, x1 = numpy.minimum(y0 + 1, image.shape[0] - 1), numpy.minimum(x0 + 1, image.shape[1] - 1)
    wy, wx = (y - y0)[:, None, None], (x - x0)[None, :, None]
    source = image.astype(numpy.float32)
    top = source[y0][:, x0] * (1 - wx) + source[y0][:, x1] * wx
    bottom = source[y1][:, x0] * (1 - wx) + source[y1][:, x1] * wx
    return (top * (1 - wy) + bottom * wy).round().astype(numpy.uint8)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest", keep_aspect_ratio=False):
    """An image as a uint8 array (height, width, channels), resized to target_size=(height, width)."""
    if color_mode not in ("grayscale", "rgb", "rgba"):
        raise ValueError(f"color_mode must be 'grayscale', 'rgb' or 'rgba'; received color_mode={color_mode!r}")
    image = _convert(_read(path), color_mode)
    if target_size is not None and tuple(image.shape[:2]) != tuple(target_size):
        if keep_aspect_ratio:
            image = _center_crop_to_ratio(image, target_size)
        image = _resize(image, target_size, interpolation)
    return image


def _center_crop_to_ratio(image, target_size):
    height, width = image.shape[:2]
    ratio = target_size[1] / target_size[0]
    crop_height, crop_width = min(height, int(width / ratio)), min(width, int(height * ratio))
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return image[top : top + crop_height, left : left + crop_width]


def img_to_array(img, data_format=None, dtype=None):
    from kerasish.backends.config import floatx, standardize_data_format

    array = numpy.asarray(img, dtype=dtype or floatx())
    array = array[..., None] if array.ndim == 2 else array
    return numpy.moveaxis(array, -1, 0) if standardize_data_format(data_format) == "channels_first" else array


def _pixels(x, data_format, scale, dtype):
    """Keras's array_to_img arithmetic: a rank-3 array, channels last, shifted and scaled to [0, 255]."""
    from kerasish.backends.config import floatx, standardize_data_format

    x = numpy.array(x, dtype=dtype or floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}")
    if standardize_data_format(data_format) == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - numpy.min(x)
        largest = numpy.max(x)
        if largest != 0:
            x /= largest
        x *= 255
    return x


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Keras's save_img: `x` (rank 3) written as an image in `file_format`, else the one the file name's
    extension says, through Pillow with `kwargs` for `PIL.Image.save`. Without Pillow only PNG is written
    (and no `kwargs`): 8-bit, the pixels cast as Keras's array_to_img casts them."""
    if file_format is None and isinstance(path, (str, os.PathLike)):
        file_format = os.path.splitext(os.fspath(path))[1][1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    try:
        from PIL import Image
    except ImportError:
        Image = None
    if Image is None:
        if (file_format or "png").lower() != "png" or kwargs:
            raise ImportError(
                f"save_img: without Pillow only PNG is written; received file_format={file_format!r} and keyword "
                f"arguments {sorted(kwargs)}. pip install pillow"
            )
        image = _pixels(x, data_format, scale, "float32")
        if image.shape[-1] not in _CHANNELS.values():
            raise ValueError(f"Unsupported channel number: {image.shape[-1]}")
        data = png_bytes(image.clip(0, 255).astype(numpy.uint8))
    else:
        picture = array_to_img(x, data_format=data_format, scale=scale)
        if picture.mode == "RGBA" and file_format == "jpeg":
            warnings.warn("The JPEG format does not support RGBA images, converting to RGB.", stacklevel=2)
            picture = picture.convert("RGB")
        buffer = io.BytesIO()
        picture.save(buffer, format=file_format, **kwargs)
        data = buffer.getvalue()
    if hasattr(path, "write"):
        path.write(data)
    else:
        write_bytes_atomically(path, data)


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A rank-3 array as a PIL Image (as Keras's; Pillow is required, since the result is a PIL object)."""
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError("Could not import PIL.Image. The use of `array_to_img` requires PIL.") from error
    x = _pixels(x, data_format, scale, dtype)
    channels = x.shape[2]
    if channels in (3, 4):
        return Image.fromarray(x.astype("uint8"), "RGB" if channels == 3 else "RGBA")
    if channels == 1:
        if numpy.max(x) > 255:  # 32-bit signed integer greyscale: PIL mode "I"
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")
