"""Read and write torchvision `.pth` state dicts without torch.

The reader takes both containers torch has used: the zip archive (`<prefix>/data.pkl` plus one raw
buffer per storage, torch >= 1.6) and the legacy sequence of pickles followed by raw storages
(2017-era files such as the official VGG weights). Unpickling goes through an allow-list: only the
globals a state dict needs are resolved, anything else (os.system, eval, ...) raises.
Tensors are first recorded lazily, then materialised once every storage has been read.
"""
import collections
import io
import os
import pickle
import struct
import tempfile
import zipfile

import numpy

_STORAGE_DTYPES = {"FloatStorage": "<f4", "DoubleStorage": "<f8", "HalfStorage": "<f2",
                   "BFloat16Storage": "bfloat16", "LongStorage": "<i8", "IntStorage": "<i4",
                   "ShortStorage": "<i2", "CharStorage": "i1", "ByteStorage": "u1", "BoolStorage": "?"}
_TENSOR_TYPES = {"FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
                 "CharTensor", "ByteTensor"}
_LEGACY_MAGIC, _LEGACY_PROTOCOL = 0x1950A86A20F9469CFC6C, 1001
ZIP_MAGIC = b"PK\x03\x04"
LEGACY_PREFIX = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19."


class PthError(ValueError):
    """A .pth file that is not a state dict this reader accepts."""


class _StorageType:
    def __init__(self, name):
        self.dtype = _STORAGE_DTYPES[name]


class _Storage:
    def __init__(self, key, dtype, offset=0):
        self.key, self.dtype, self.offset = key, dtype, offset


class _LazyTensor:
    """`_rebuild_tensor(_v2)(storage, offset, size, stride, ...)`, materialised after all storages are read."""

    def __init__(self, storage, offset, size, stride, *unused):
        if not isinstance(storage, _Storage):
            raise pickle.UnpicklingError("tensor rebuilt from something that is not a storage")
        self.storage, self.offset, self.size, self.stride = storage, int(offset), tuple(size), tuple(stride)


class _OldTensor(_LazyTensor):
    """2017 files: `torch.FloatTensor()` then BUILD with (storage, offset, size, stride)."""

    def __init__(self, *unused):
        pass

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) != 4:
            raise pickle.UnpicklingError("unsupported legacy tensor state")
        _LazyTensor.__init__(self, *state)


def _rebuild_parameter(data, *unused):
    return data


_GLOBALS = {("collections", "OrderedDict"): collections.OrderedDict,
            ("torch._utils", "_rebuild_tensor"): _LazyTensor,
            ("torch._utils", "_rebuild_tensor_v2"): _LazyTensor,
            ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
            ("torch", "Size"): tuple}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file):
        super().__init__(file, encoding="latin1")
        self.storage_dtypes = {}

    def find_class(self, module, name):
        if module in ("torch", "torch.cuda") and name in _STORAGE_DTYPES:
            return _StorageType(name)
        if module in ("torch", "torch.cuda") and name in _TENSOR_TYPES:
            return _OldTensor
        if (module, name) in _GLOBALS:
            return _GLOBALS[(module, name)]
        raise pickle.UnpicklingError(f"global '{module}.{name}' is not allowed in a weights file")

    def persistent_load(self, pid):
        """('storage', type, key, location, numel[, view_metadata]); the location is ignored."""
        if not isinstance(pid, tuple) or len(pid) < 5 or pid[0] not in ("storage", b"storage"):
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r:.80}")
        if not isinstance(pid[1], _StorageType):
            raise pickle.UnpicklingError("persistent id without a storage type")
        storage = _Storage(str(pid[2]), pid[1].dtype)
        if len(pid) > 5 and pid[5] is not None:
            storage.offset = int(pid[5][1])
        self.storage_dtypes[storage.key] = storage.dtype
        return storage


def _itemsize(dtype):
    return 2 if dtype == "bfloat16" else numpy.dtype(dtype).itemsize


def _to_array(raw, dtype):
    if dtype == "bfloat16":
        return (numpy.frombuffer(raw, "<u2").astype("<u4") << 16).view("<f4")
    return numpy.frombuffer(raw, dtype)


def _materialise(obj, storages):
    if isinstance(obj, _LazyTensor):
        flat = storages[obj.storage.key]
        start = obj.storage.offset + obj.offset
        if not obj.size:
            return flat[start:start + 1].reshape(()).copy()
        extent = 1 + sum((n - 1) * s for n, s in zip(obj.size, obj.stride)) if all(obj.size) else 0
        if start < 0 or start + extent > flat.size:
            raise PthError(f"tensor of size {obj.size} at offset {start} runs past its storage of {flat.size} elements")
        strides = [s * flat.itemsize for s in obj.stride]
        return numpy.array(numpy.lib.stride_tricks.as_strided(flat[start:], obj.size, strides))
    if isinstance(obj, dict):
        for key in obj:
            obj[key] = _materialise(obj[key], storages)
    elif isinstance(obj, list):
        obj[:] = [_materialise(v, storages) for v in obj]
    elif isinstance(obj, tuple):
        obj = tuple(_materialise(v, storages) for v in obj)
    return obj


def _load_zip(file):
    with zipfile.ZipFile(file) as archive:
        pickles = [n for n in archive.namelist() if n.endswith("data.pkl")]
        if not pickles:
            raise PthError("zip archive without a data.pkl: not a torch.save file")
        prefix = pickles[0][:-len("data.pkl")]
        byteorder = prefix + "byteorder"
        if byteorder in archive.namelist() and archive.read(byteorder).strip() != b"little":
            raise PthError("big-endian .pth files are not supported")
        unpickler = _RestrictedUnpickler(io.BytesIO(archive.read(pickles[0])))
        obj = unpickler.load()
        storages = {}
        for key, dtype in unpickler.storage_dtypes.items():
            name = f"{prefix}data/{key}"
            if name not in archive.namelist():
                raise PthError(f"storage {key!r} is missing from the archive")
            storages[key] = _to_array(archive.read(name), dtype)
    return _materialise(obj, storages)


def _load_legacy(file):
    def plain():
        return _RestrictedUnpickler(file).load()

    if plain() != _LEGACY_MAGIC:
        raise PthError("not a torch.save file (the pre-2017 tar format is not supported)")
    if plain() != _LEGACY_PROTOCOL:
        raise PthError("unknown legacy torch.save protocol")
    plain()  # sys_info
    unpickler = _RestrictedUnpickler(file)
    obj = unpickler.load()
    remaining = os.fstat(file.fileno()).st_size if hasattr(file, "fileno") else None
    storages = {}
    for key in plain():
        key = str(key)
        header = file.read(8)
        if len(header) != 8:
            raise PthError(f"file ends before storage {key!r}")
        (count,) = struct.unpack("<q", header)
        size = count * _itemsize(unpickler.storage_dtypes[key])
        if count < 0 or (remaining is not None and size > remaining):
            raise PthError(f"storage {key!r} claims {count} elements, more than the file holds")
        raw = file.read(size)
        if len(raw) != size:
            raise PthError(f"file is truncated inside storage {key!r}")
        storages[key] = _to_array(raw, unpickler.storage_dtypes[key])
    return _materialise(obj, storages)


def load_pth(path):
    """A torchvision state dict as an OrderedDict of numpy arrays (torch not needed)."""
    with open(path, "rb") as file:
        magic = file.read(4)
        file.seek(0)
        try:
            return _load_zip(file) if magic == ZIP_MAGIC else _load_legacy(file)
        except (pickle.UnpicklingError, EOFError, zipfile.BadZipFile, KeyError, struct.error) as error:
            raise PthError(f"{path}: cannot read as a torch state dict: {error}") from error


def is_pth(path):
    with open(path, "rb") as file:
        head = file.read(len(LEGACY_PREFIX))
    return head.startswith(ZIP_MAGIC) or head == LEGACY_PREFIX


_STORAGE_NAMES = {numpy.dtype(d): n for d, n in [
    ("float32", "FloatStorage"), ("float64", "DoubleStorage"), ("float16", "HalfStorage"),
    ("int64", "LongStorage"), ("int32", "IntStorage"), ("int16", "ShortStorage"), ("int8", "CharStorage"),
    ("uint8", "ByteStorage"), ("bool", "BoolStorage")]}


def _unicode(text):
    data = text.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def _int(number):
    return b"J" + struct.pack("<i", number)


def _int_tuple(numbers):
    return b"(" + b"".join(_int(n) for n in numbers) + b"t" if numbers else b")"


def save_pth(state, path, archive="archive"):
    """Write a state dict (name -> array) in torch's zip format, atomically; torch.load accepts it."""
    pickle_parts = [b"\x80\x02", b"ccollections\nOrderedDict\n", b")R("]
    blobs = []
    for key, (name, value) in enumerate(state.items()):
        array = numpy.asarray(value)
        array = numpy.array(array, order="C", dtype=array.dtype.newbyteorder("<"))
        storage = _STORAGE_NAMES[array.dtype.newbyteorder("=")]
        pickle_parts += [
            _unicode(name), b"ctorch._utils\n_rebuild_tensor_v2\n", b"((", _unicode("storage"),
            b"ctorch\n" + storage.encode() + b"\n", _unicode(str(key)), _unicode("cpu"), _int(array.size), b"tQ",
            _int(0), _int_tuple(array.shape), _int_tuple([s // array.itemsize for s in array.strides]), b"\x89",
            b"ccollections\nOrderedDict\n)R", b"tR"]
        blobs.append((str(key), array.tobytes()))
    pickle_parts.append(b"u.")
    folder = os.path.dirname(os.path.abspath(path))
    handle, temp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file, zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as zipped:
            zipped.writestr(f"{archive}/data.pkl", b"".join(pickle_parts))
            zipped.writestr(f"{archive}/byteorder", "little")
            for key, raw in blobs:
                zipped.writestr(f"{archive}/data/{key}", raw)
            zipped.writestr(f"{archive}/version", "3\n")
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise
