"""Read and write torchvision `.pth` state dicts without torch, safely for files from anywhere.

The reader takes both containers torch has used: the zip archive (`<prefix>/data.pkl` plus one raw
buffer per storage, torch >= 1.6) and the legacy sequence of pickles followed by raw storages
(2017-era files such as the official VGG weights). Unpickling goes through an allow-list: only the
globals a state dict needs are resolved, anything else (os.system, eval, ...) raises.

Nothing in the file is trusted. Tensors are first recorded lazily; once every storage is read, each
view's size, stride and offset is checked against its storage before an array is made. Storages
hold at most `max(file size, max_bytes)` bytes in total (a stored member can never be larger than
the file; a compressed one inflates only as far as the caller allows), zip members are streamed
under that cap by the one zip reader (zip_archive.py) and must hold exactly what the pickle
declares, and the arrays made from views hold at most VIEW_ALLOWANCE times the cap (views may
overlap: tied weights, expanded buffers). The walk over the unpickled structure remembers what it visited,
so shared objects cost one visit, and refuses cycles and nesting deeper than MAX_DEPTH.
Every failure is a PthError (a ValueError) naming the file.
"""

import collections
import io
import math
import os
import pickle
import struct
import zipfile

import numpy

from .atomic_file import atomic_path
from .read_errors import UnreadableFileError
from .zip_archive import ZipArchive

_STORAGE_DTYPES = {
    "FloatStorage": "<f4",
    "DoubleStorage": "<f8",
    "HalfStorage": "<f2",
    "BFloat16Storage": "bfloat16",
    "LongStorage": "<i8",
    "IntStorage": "<i4",
    "ShortStorage": "<i2",
    "CharStorage": "i1",
    "ByteStorage": "u1",
    "BoolStorage": "?",
}
_TENSOR_TYPES = {
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "LongTensor",
    "IntTensor",
    "ShortTensor",
    "CharTensor",
    "ByteTensor",
}
_LEGACY_MAGIC, _LEGACY_PROTOCOL = 0x1950A86A20F9469CFC6C, 1001
ZIP_MAGIC = b"PK\x03\x04"
LEGACY_PREFIX = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19."

PICKLE_LIMIT = 64 << 20  # bytes of data.pkl; a ResNet152 state dict's is about 100 KB
VIEW_ALLOWANCE = 4  # arrays made from views may hold this many times the storage cap
MAX_DEPTH = 100  # containers nested in the state dict
MAX_DIM = 1 << 62  # any size, stride or offset beyond this is nonsense


class PthError(UnreadableFileError):
    """A .pth file that is not a state dict this reader accepts (a ValueError, as every refused file)."""


class _StorageType:
    def __init__(self, name):
        self.name = name


class _Storage:
    def __init__(self, key, offset=0):
        self.key, self.offset = key, offset


class _LazyTensor:
    """`_rebuild_tensor(_v2)(storage, offset, size, stride, ...)`: checked and made into an array later."""

    def __init__(self, storage=None, offset=None, size=None, stride=None, *unused):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride


class _OldTensor(_LazyTensor):
    """2017 files: `torch.FloatTensor()` then BUILD with (storage, offset, size, stride)."""

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) != 4:
            raise pickle.UnpicklingError("unsupported legacy tensor state")
        _LazyTensor.__init__(self, *state)


def _rebuild_parameter(data, *unused):
    return data


_INTERNAL = (_StorageType, _Storage, _LazyTensor)
_GLOBALS = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor"): _LazyTensor,
    ("torch._utils", "_rebuild_tensor_v2"): _LazyTensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch", "Size"): tuple,
}


def _location(text):
    """A key or path into the state dict, cut short: a hostile file may hold megabyte-long keys."""
    return text if len(text) <= 200 else text[:197] + "..."


def _quoted(name):
    return repr(_location(name or "the top level"))


def _count(value, what):
    """A non-negative Python int no larger than MAX_DIM (bool and float are not counts)."""
    if type(value) is not int or not 0 <= value <= MAX_DIM:
        raise PthError(f"{what} is {value!r:.60}, not a count between 0 and 2**62")
    return value


class _Opcodes(dict):
    def __missing__(self, code):
        raise pickle.UnpicklingError(f"opcode {bytes([code])!r} is not allowed in a weights file")


class _RestrictedUnpickler(pickle._Unpickler):
    """The allow-list unpickler. It is pickle's pure-Python one: its memo is a dict, where the C
    unpickler allocates and zeroes an array up to the largest memo index a file names (a one-byte
    edit of a PUT makes that gigabytes). BYTEARRAY8 (protocol 5, never in a torch file) is taken out:
    it allocates the length it declares before reading a byte."""

    dispatch = _Opcodes(
        (code, load) for code, load in pickle._Unpickler.dispatch.items() if code != pickle.BYTEARRAY8[0]
    )

    def __init__(self, file):
        super().__init__(file, encoding="latin1")
        self.storages = {}  # key -> (dtype, numel), as the persistent ids declare them

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
        if not isinstance(pid[1], _StorageType) or pid[1].name not in _STORAGE_DTYPES:
            raise pickle.UnpicklingError("persistent id without a storage type")
        key, dtype = str(pid[2]), _STORAGE_DTYPES[pid[1].name]
        numel = _count(pid[4], f"the element count of storage {_quoted(key)}")
        if self.storages.setdefault(key, (dtype, numel)) != (dtype, numel):
            raise PthError(f"storage {_quoted(key)} is declared twice with different types or sizes")
        offset = 0
        if len(pid) > 5 and pid[5] is not None:
            if not isinstance(pid[5], tuple) or len(pid[5]) < 2:
                raise pickle.UnpicklingError(f"unsupported storage view metadata {pid[5]!r:.80}")
            offset = _count(pid[5][1], f"the view offset into storage {_quoted(key)}")
        return _Storage(key, offset)


def _itemsize(dtype):
    return 2 if dtype == "bfloat16" else numpy.dtype(dtype).itemsize


def _to_array(raw, dtype):
    if dtype == "bfloat16":
        return (numpy.frombuffer(raw, "<u2").astype("<u4") << 16).view("<f4")
    return numpy.frombuffer(raw, dtype)


def _storage_limit(declared, limit):
    """Refuse, before any storage is read, storages that together declare more bytes than `limit`."""
    total = sum(numel * _itemsize(dtype) for dtype, numel in declared.values())
    if total > limit:
        raise PthError(
            f"its storages declare {total} bytes, more than the {limit} bytes allowed "
            "(the file's size, or the max_bytes the caller gave)"
        )


class _Materialiser:
    """Turns the unpickled structure into numpy arrays, visiting each object once."""

    def __init__(self, storages, limit):
        self.storages = storages
        self.budget = VIEW_ALLOWANCE * limit
        self.done, self.active = {}, set()

    def __call__(self, obj, where="", depth=0):
        if isinstance(obj, (_LazyTensor, dict, list, tuple, set, frozenset)):
            if id(obj) in self.done:
                return self.done[id(obj)][1]
            if id(obj) in self.active:
                raise PthError(f"the state dict contains itself at {_quoted(where)}")
            if depth > MAX_DEPTH:
                raise PthError(f"containers are nested more than {MAX_DEPTH} deep at {_quoted(where)}")
            self.active.add(id(obj))
            result = self._convert(obj, where, depth)
            self.active.discard(id(obj))
            self.done[id(obj)] = (obj, result)  # the original is kept alive so its id stays unique
            return result
        if isinstance(obj, _INTERNAL):
            raise PthError(f"{_quoted(where)} holds a bare {type(obj).__name__.strip('_')}, not a tensor")
        return obj

    def _convert(self, obj, where, depth):
        if isinstance(obj, _LazyTensor):
            return self._array(obj, where)
        if isinstance(obj, dict):
            for key in obj:
                if isinstance(key, _INTERNAL):
                    raise PthError(f"a tensor is used as a dictionary key at {_quoted(where)}")
                obj[key] = self(obj[key], _location(f"{where}.{key}" if where else str(key)), depth + 1)
            return obj
        if isinstance(obj, (set, frozenset)):
            if any(isinstance(item, _INTERNAL) for item in obj):
                raise PthError(f"a set holds tensors at {_quoted(where)}")
            return obj
        items = [self(value, _location(f"{where}[{index}]"), depth + 1) for index, value in enumerate(obj)]
        if isinstance(obj, list):
            obj[:] = items
            return obj
        return tuple(items)

    def _array(self, tensor, key):
        storage = tensor.storage
        if not isinstance(storage, _Storage):
            raise PthError(f"tensor {_quoted(key)} is not rebuilt from a storage")
        if (
            not isinstance(tensor.size, tuple)
            or not isinstance(tensor.stride, tuple)
            or len(tensor.size) != len(tensor.stride)
            or len(tensor.size) > 32
        ):
            raise PthError(
                f"tensor {_quoted(key)} has size {tensor.size!r:.60} and stride {tensor.stride!r:.60}, "
                "not two tuples of the same length (at most 32)"
            )
        size = tuple(_count(n, f"a dimension of tensor {_quoted(key)}") for n in tensor.size)
        # a stride over a dimension of one element or less is never used (torch leaves any value there)
        stride = tuple(
            _count(s, f"a stride of tensor {_quoted(key)}") if n > 1 else 0 for n, s in zip(size, tensor.stride)
        )
        start = storage.offset + _count(tensor.offset, f"the storage offset of tensor {_quoted(key)}")
        flat = self.storages.get(storage.key)
        if flat is None:
            raise PthError(f"tensor {_quoted(key)} uses storage {_quoted(storage.key)}, which the file does not hold")
        elements = math.prod(size)
        if elements:
            extent = 1 + sum((n - 1) * s for n, s in zip(size, stride))
            if start + extent > flat.size:
                raise PthError(
                    f"tensor {_quoted(key)} of size {size}, stride {stride} at offset {start} runs past "
                    f"its storage of {flat.size} elements"
                )
        self.budget -= elements * flat.itemsize
        if self.budget < 0:
            raise PthError(
                f"tensor {_quoted(key)}: the tensors' views add up to more than {VIEW_ALLOWANCE} times the "
                "bytes the storages may hold"
            )
        if not elements:
            return numpy.zeros(size, flat.dtype)
        strides = [s * flat.itemsize for s in stride]
        return numpy.array(numpy.lib.stride_tricks.as_strided(flat[start:], size, strides))


def _load_zip(path, limit):
    with ZipArchive(path, "torch .pth file") as archive:
        names = set(archive.names())
        pickles = [n for n in archive.names() if n == "data.pkl" or n.endswith("/data.pkl")]
        if not pickles:
            raise PthError("zip archive without a data.pkl: not a torch.save file")
        prefix = pickles[0][: -len("data.pkl")]
        byteorder = prefix + "byteorder"
        if byteorder in names and archive.read(byteorder, 16).strip() != b"little":
            raise PthError("big-endian .pth files are not supported")
        unpickler = _RestrictedUnpickler(io.BytesIO(archive.read(pickles[0], PICKLE_LIMIT)))
        obj = unpickler.load()
        _storage_limit(unpickler.storages, limit)
        storages = {}
        for key, (dtype, numel) in unpickler.storages.items():
            name = f"{prefix}data/{key}"
            if name not in names:
                raise PthError(f"storage {_quoted(key)} is missing from the archive")
            size = numel * _itemsize(dtype)
            raw = archive.read(name, size)
            if len(raw) != size:
                raise PthError(f"member {_quoted(name)} holds {len(raw)} bytes where {size} are expected")
            storages[key] = _to_array(raw, dtype)
    return _materialise(obj, storages, limit)


def _materialise(obj, storages, limit):
    if not isinstance(obj, dict):
        raise PthError(f"it holds a {type(obj).__name__}, not a state dict")
    return _Materialiser(storages, limit)(obj)


def _load_legacy(file, limit):
    data = io.BytesIO(file.read())  # the pickles and the raw storages: at most the file's own bytes

    def plain():
        return _RestrictedUnpickler(data).load()

    if plain() != _LEGACY_MAGIC:
        raise PthError("not a torch.save file (the pre-2017 tar format is not supported)")
    if plain() != _LEGACY_PROTOCOL:
        raise PthError("unknown legacy torch.save protocol")
    plain()  # sys_info
    unpickler = _RestrictedUnpickler(data)
    obj = unpickler.load()
    _storage_limit(unpickler.storages, limit)
    keys = plain()
    if not isinstance(keys, (list, tuple)):
        raise PthError("the list of storage keys is missing")
    storages = {}
    for key in keys:
        key = str(key)
        if key not in unpickler.storages or key in storages:
            raise PthError(f"storage {_quoted(key)} is not declared by the state dict, or stored twice")
        dtype, numel = unpickler.storages[key]
        header = data.read(8)
        if len(header) != 8:
            raise PthError(f"file ends before storage {_quoted(key)}")
        (count,) = struct.unpack("<q", header)
        if count != numel:
            raise PthError(f"storage {_quoted(key)} holds {count} elements where the state dict declares {numel}")
        size = count * _itemsize(dtype)
        raw = data.read(size)
        if len(raw) != size:
            raise PthError(f"file is truncated inside storage {_quoted(key)}")
        storages[key] = _to_array(raw, dtype)
    return _materialise(obj, storages, limit)


def load_pth(path, max_bytes=None):
    """A torchvision state dict as an OrderedDict of numpy arrays (torch not needed).

    The storages may hold `max(file size, max_bytes)` bytes in total: give `max_bytes` (what the model
    needs) to read a file whose members are compressed.
    """
    with open(path, "rb") as file:
        limit = max(os.fstat(file.fileno()).st_size, max_bytes or 0)
        magic = file.read(4)
        file.seek(0)
        try:
            return _load_zip(path, limit) if magic == ZIP_MAGIC else _load_legacy(file, limit)
        except Exception as error:  # anything a hostile file provokes in the parsers means: not readable
            named = isinstance(error, UnreadableFileError) and not isinstance(error, PthError)  # the zip reader's
            reason = str(error) if isinstance(error, PthError) else f"{type(error).__name__}: {error}"
            raise PthError(str(error) if named else f"{path}: cannot read as a torch state dict: {reason}") from error


def is_pth(path):
    with open(path, "rb") as file:
        head = file.read(len(LEGACY_PREFIX))
    return head.startswith(ZIP_MAGIC) or head == LEGACY_PREFIX


_STORAGE_NAMES = {
    numpy.dtype(d): n
    for d, n in [
        ("float32", "FloatStorage"),
        ("float64", "DoubleStorage"),
        ("float16", "HalfStorage"),
        ("int64", "LongStorage"),
        ("int32", "IntStorage"),
        ("int16", "ShortStorage"),
        ("int8", "CharStorage"),
        ("uint8", "ByteStorage"),
        ("bool", "BoolStorage"),
    ]
}


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
            _unicode(name),
            b"ctorch._utils\n_rebuild_tensor_v2\n",
            b"((",
            _unicode("storage"),
            b"ctorch\n" + storage.encode() + b"\n",
            _unicode(str(key)),
            _unicode("cpu"),
            _int(array.size),
            b"tQ",
            _int(0),
            _int_tuple(array.shape),
            _int_tuple([s // array.itemsize for s in array.strides]),
            b"\x89",
            b"ccollections\nOrderedDict\n)R",
            b"tR",
        ]
        blobs.append((str(key), array.tobytes()))
    pickle_parts.append(b"u.")
    with atomic_path(path) as temporary, zipfile.ZipFile(temporary, "w", zipfile.ZIP_STORED) as zipped:
        zipped.writestr(f"{archive}/data.pkl", b"".join(pickle_parts))
        zipped.writestr(f"{archive}/byteorder", "little")
        for key, raw in blobs:
            zipped.writestr(f"{archive}/data/{key}", raw)
        zipped.writestr(f"{archive}/version", "3\n")
