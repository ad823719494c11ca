"""Build hostile `.pth` files at test time: no torch, no committed binaries.

The pickle opcodes are written here directly, so every field a hostile file controls can be set: a
tensor's size, stride and offsets, a storage's declared element count, sharing and nesting of
containers, the zip members and their compression, the legacy container's storage headers.
`mutations(seed)` yields mutated versions of a valid file (bit flips, truncation, tensor and storage
fields, zip header fields) for the fuzz test and `tools/fuzz_loaders.py`.

    python -m tests.security.crafted_pth OUT_FOLDER     # writes one file per hostile case
"""

import dataclasses
import io
import math
import os
import pickle
import struct
import sys
import tracemalloc
import zipfile

import numpy

from kerasish.backends.io.torch_pth import PthError, load_pth

from .time_limit import Expired, within

PROTOCOL_2 = b"\x80\x02"
STOP, MARK, TUPLE, EMPTY_LIST, EMPTY_DICT, APPENDS, SETITEMS, REDUCE, POP, BUILD, BINPERSID = (
    b".",
    b"(",
    b"t",
    b"]",
    b"}",
    b"e",
    b"u",
    b"R",
    b"0",
    b"b",
    b"Q",
)
LEGACY_MAGIC, LEGACY_PROTOCOL = 0x1950A86A20F9469CFC6C, 1001
DTYPES = {"FloatStorage": "<f4", "DoubleStorage": "<f8", "LongStorage": "<i8", "ByteStorage": "u1"}


def text(value):
    data = value.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def integer(value):
    """BININT for what fits in 32 bits, else LONG1 (any size, negative included); BINFLOAT for a float."""
    if isinstance(value, float):
        return b"G" + struct.pack(">d", value)
    if -(2**31) <= value < 2**31:
        return b"J" + struct.pack("<i", value)
    data = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
    return b"\x8a" + bytes([len(data)]) + data


def tuple_of(parts):
    return MARK + b"".join(parts) + TUPLE


def global_(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def put(index):
    return b"q" + bytes([index])


def get(index):
    return b"h" + bytes([index])


@dataclasses.dataclass
class Tensor:
    """One `_rebuild_tensor_v2(storage, offset, size, stride)` entry and the storage it declares."""

    storage: str
    size: tuple
    stride: tuple
    offset: int = 0
    numel: int = None  # the element count the persistent id declares (default: the real one)
    storage_type: str = "FloatStorage"

    def pickled(self, numel):
        persistent = tuple_of(
            [
                text("storage"),
                global_("torch", self.storage_type),
                text(self.storage),
                text("cpu"),
                integer(numel if self.numel is None else self.numel),
            ]
        )
        return (
            global_("torch._utils", "_rebuild_tensor_v2")
            + tuple_of(
                [
                    persistent + BINPERSID,
                    integer(self.offset),
                    tuple_of([integer(n) for n in self.size]),
                    tuple_of([integer(s) for s in self.stride]),
                    b"\x89",
                    global_("collections", "OrderedDict") + b")" + REDUCE,
                ]
            )
            + REDUCE
        )


def plain(value):
    """A plain Python value (a list of floats, a string) as pickle opcodes."""
    return pickle.dumps(value, protocol=2)[2:-1]


def state_pickle(tensors, storages):
    """An OrderedDict {name: Tensor or plain value} pickle; `storages` gives each storage's real element count."""
    parts = [PROTOCOL_2, global_("collections", "OrderedDict"), b")", REDUCE, MARK]
    for name, tensor in tensors.items():
        if isinstance(tensor, Tensor):
            value = tensor.pickled(storages[tensor.storage].size if tensor.storage in storages else 1)
        else:
            value = plain(tensor)
        parts += [text(name), value]
    return b"".join(parts + [SETITEMS, STOP])


def write_zip(path, data_pkl, storages, compression=zipfile.ZIP_STORED, extra_members=()):
    """torch's zip container: archive/data.pkl, archive/byteorder, archive/data/<key> per storage."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("archive/data.pkl", data_pkl)
        archive.writestr("archive/byteorder", "little")
        for key, array in storages.items():
            archive.writestr(f"archive/data/{key}", numpy.ascontiguousarray(array).tobytes())
        for name, data in extra_members:
            archive.writestr(name, data)
        archive.writestr("archive/version", "3\n")
    return path


def legacy_bytes(main_pickle, storages, counts=None):
    """The legacy container: magic, protocol, sys_info, the state pickle, the keys, then each storage
    as an 8-byte element count (`counts` may lie) and its raw bytes."""
    keys = PROTOCOL_2 + EMPTY_LIST + MARK + b"".join(text(k) for k in storages) + APPENDS + STOP
    parts = [
        PROTOCOL_2 + integer(LEGACY_MAGIC) + STOP,
        PROTOCOL_2 + integer(LEGACY_PROTOCOL) + STOP,
        PROTOCOL_2 + EMPTY_DICT + STOP,
        main_pickle,
        keys,
    ]
    for key, array in storages.items():
        count = array.size if counts is None else counts.get(key, array.size)
        parts += [struct.pack("<q", count), numpy.ascontiguousarray(array).tobytes()]
    return b"".join(parts)


def write(path, tensors, storages, container="zip"):
    data_pkl = state_pickle(tensors, storages)
    if container == "zip":
        return write_zip(path, data_pkl, storages)
    with open(path, "wb") as file:
        file.write(legacy_bytes(data_pkl, storages))
    return path


def base_case():
    """A valid state dict ({name: Tensor}, {key: storage}) with views, a transpose and a scalar."""
    storages = {
        "0": numpy.arange(24, dtype="<f4") / 8,
        "1": numpy.arange(10, dtype="<f4") - 3,
        "2": numpy.array([5, 6, 7], "<i8"),
    }
    tensors = {
        "conv.weight": Tensor("0", (2, 3, 2, 2), (12, 4, 2, 1)),
        "fc.weight": Tensor("1", (2, 3), (1, 2), offset=1),
        "fc.bias": Tensor("1", (3,), (3,), offset=0),
        "step": Tensor("2", (), (), offset=2, storage_type="LongStorage"),
    }
    return tensors, storages


def reference(tensor, storages):
    """What a tensor entry means, by plain index arithmetic; None when it does not fit its storage."""
    flat = storages.get(tensor.storage)
    if (
        flat is None
        or not all(type(n) is int and n >= 0 for n in tensor.size + tensor.stride)
        or len(tensor.size) != len(tensor.stride)
        or tensor.offset < 0
    ):
        return None
    if tensor.numel not in (None, flat.size) or numpy.dtype(DTYPES[tensor.storage_type]) != flat.dtype:
        return None
    elements = math.prod(tensor.size)
    if elements == 0:
        return numpy.zeros(tensor.size, flat.dtype) if max(tensor.size) <= 1 << 20 else None
    if elements > 10_000 or tensor.offset + sum((n - 1) * s for n, s in zip(tensor.size, tensor.stride)) >= flat.size:
        return None  # past the storage, or so large that a refusal by the views cap is fair
    index = numpy.indices(tensor.size).reshape(len(tensor.size), -1) if tensor.size else numpy.zeros((0, 1), int)
    positions = (
        tensor.offset + sum(i * s for i, s in zip(index, tensor.stride))
        if tensor.size
        else numpy.array([tensor.offset])
    )
    return flat[positions].reshape(tensor.size)


# ---- the hostile cases of issue 11 ----------------------------------------------------------------


def nested_shared_lists(path, levels=40):
    """levels[i] = [levels[i-1], levels[i-1]]: a few hundred bytes that a walk without a memo of visited
    objects follows 2**levels times."""
    storages = {"0": numpy.ones(2, "<f4")}
    parts = [PROTOCOL_2, EMPTY_LIST, put(0), MARK, Tensor("0", (2,), (1,)).pickled(2), APPENDS, POP]
    for level in range(1, levels + 1):
        parts += [EMPTY_LIST, put(level), MARK, get(level - 1), get(level - 1), APPENDS, POP]
    parts += [EMPTY_DICT, text("lists"), get(levels), b"s", STOP]
    return write_zip(path, b"".join(parts), storages)


def self_containing_list(path):
    return write_zip(
        path, PROTOCOL_2 + EMPTY_DICT + text("cycle") + EMPTY_LIST + put(0) + get(0) + b"a" + b"s" + STOP, {}
    )


def deep_nesting(path, depth=100_000):
    """`depth` lists, each the only item of the one around it: a recursive walk overflows the stack."""
    return write_zip(
        path, PROTOCOL_2 + EMPTY_DICT + text("deep") + MARK * depth + EMPTY_LIST + b"l" * depth + b"s" + STOP, {}
    )


def far_memo_index(path, index):
    """A valid state dict that stores the dict in the pickle memo at `index` (LONG_BINPUT): the C
    unpickler allocates and zeroes a memo array of twice that many pointers."""
    tensors, storages = base_case()
    data_pkl = state_pickle(tensors, storages)
    head = PROTOCOL_2 + global_("collections", "OrderedDict") + b")" + REDUCE
    assert data_pkl.startswith(head)
    return write_zip(path, head + b"r" + struct.pack("<I", index) + data_pkl[len(head) :], storages)


def declared_bytearray(path, length):
    """A pickle whose first opcode is BYTEARRAY8 declaring `length` bytes (and holding none)."""
    return write_zip(path, PROTOCOL_2 + b"\x96" + struct.pack("<Q", length) + STOP, {})


def rebuilt_stride(path, stride):
    """A valid tensor whose stride a BUILD rewrites after construction, bypassing any check made then."""
    storages = {"0": numpy.arange(4, dtype="<f4")}
    tensor = Tensor("0", (4,), (1,)).pickled(4)
    state = EMPTY_DICT + text("stride") + tuple_of([integer(stride)]) + b"s"
    data_pkl = (
        PROTOCOL_2
        + global_("collections", "OrderedDict")
        + b")"
        + REDUCE
        + MARK
        + text("w")
        + tensor
        + state
        + BUILD
        + SETITEMS
        + STOP
    )
    return write_zip(path, data_pkl, storages)


def many_views(path, count=1000, elements=65536):
    """`count` tensors that each view the whole of one storage: copies add up to count x the file."""
    storages = {"0": numpy.zeros(elements, "<f4")}
    tensors = {f"w{i}": Tensor("0", (elements,), (1,)) for i in range(count)}
    return write_zip(path, state_pickle(tensors, storages), storages)


def deflated_storage(path, elements):
    """One storage of `elements` small whole numbers, deflated: a file that inflates to elements x 4 bytes,
    some 20 times its size (below the zip reader's bomb ratio, so only the storage cap stops it)."""
    storages = {"0": numpy.random.default_rng(0).integers(0, 4, elements).astype("<f4")}
    return write_zip(
        path, state_pickle({"w": Tensor("0", (elements,), (1,))}, storages), storages, zipfile.ZIP_DEFLATED
    )


def padded_pickle(path, padding):
    """A valid data.pkl followed by `padding` zero bytes, deflated: a member bomb."""
    tensors, storages = base_case()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("archive/data.pkl", "w", force_zip64=True) as member:
            member.write(state_pickle(tensors, storages))
            zeros = bytes(1 << 20)
            for _ in range(padding >> 20):
                member.write(zeros)
        for key, array in storages.items():
            archive.writestr(f"archive/data/{key}", array.tobytes())
    with open(path, "wb") as file:
        file.write(buffer.getvalue())
    return path


# ---- mutations for the fuzzers --------------------------------------------------------------------

INTERESTING = (-(2**63), -(2**31), -1, 0, 1, 2, 3, 7, 2**31 - 1, 2**31, 2**32 + 1, 2**62, 2**63, 2**64)


@dataclasses.dataclass
class Case:
    """One mutated file: its bytes, what it means where that is known (`expected`: {name: array}, or
    None when only a refusal or an unchecked success is possible), and how it was made."""

    data: bytes
    expected: dict
    how: str
    valid: bool = False  # the file is well-formed: it must load, as `expected`


def _field_mutation(rng, tensors, storages):
    tensors = {name: dataclasses.replace(t) for name, t in tensors.items()}
    name = list(tensors)[rng.integers(len(tensors))]
    tensor = tensors[name]
    field = ["size", "stride", "offset", "numel", "storage"][rng.integers(5)]
    value = int(INTERESTING[rng.integers(len(INTERESTING))]) if rng.random() < 0.6 else int(rng.integers(-4, 40))
    if field in ("size", "stride") and getattr(tensor, field):
        items = list(getattr(tensor, field))
        items[rng.integers(len(items))] = value
        setattr(tensor, field, tuple(items))
    elif field in ("size", "stride"):
        setattr(tensor, field, (value,))
    elif field == "storage":
        tensor.storage = str(rng.integers(5))
    else:
        setattr(tensor, field, value)
    return tensors, f"{name}.{field} -> {getattr(tensor, field)}"


def _expected(tensors, storages):
    meanings = {name: reference(tensor, storages) for name, tensor in tensors.items()}
    return None if any(value is None for value in meanings.values()) else meanings


def _zip_header_mutation(rng, data):
    """Overwrite one 2- or 4-byte field of a local or central zip header (sizes, offsets, name lengths)."""
    data = bytearray(data)
    headers = [
        i
        for signature in (b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06")
        for i in range(len(data))
        if data.startswith(signature, i)
    ]
    start = headers[rng.integers(len(headers))]
    position = start + 4 + 2 * int(rng.integers(0, 20))
    width = 4 if rng.random() < 0.5 else 2
    value = int(rng.integers(0, 2 ** (8 * width)))
    data[position : position + width] = value.to_bytes(width, "little")[: len(data[position : position + width])]
    return bytes(data), f"zip header field at byte {position} -> {value}"


def mutations(seed, container="zip", case=None):
    """An endless seeded stream of Cases mutated from `case` ((tensors, storages), by default
    `base_case()`) in `container`.

    A zip's members are CRC-checked, so a zip that still loads after a byte-level mutation must give
    the original values; a legacy file has no checksum, so a bit flip there may change values unseen,
    as may a replaced pickle byte in a zip whose CRCs are made to match.
    """
    rng = numpy.random.default_rng(seed)
    tensors, storages = case or base_case()
    valid = _bytes(tensors, storages, container)
    original = _expected(tensors, storages)
    while True:
        kind = rng.integers(5 if container == "zip" else 3)
        if kind == 0:
            data = bytearray(valid)
            flips = rng.integers(0, len(data) * 8, size=rng.integers(1, 9))
            for bit in flips:
                data[bit // 8] ^= 1 << (bit % 8)
            yield Case(
                bytes(data), original if container == "zip" else None, f"bit flips at {sorted(int(b) for b in flips)}"
            )
        elif kind == 1:
            cut = int(rng.integers(0, len(valid)))
            yield Case(valid[:cut], original, f"truncated to {cut} bytes")
        elif kind == 2:
            mutated, how = _field_mutation(rng, tensors, storages)
            expected = _expected(mutated, storages)
            yield Case(_bytes(mutated, storages, container), expected, how, valid=expected is not None)
        elif kind == 3:
            data, how = _zip_header_mutation(rng, valid)
            yield Case(data, original, how)
        else:  # the pickle's own bytes, in a zip with right CRCs (a legacy file's bit flips reach them anyway)
            data_pkl = bytearray(state_pickle(tensors, storages))
            where = rng.integers(0, len(data_pkl), size=rng.integers(1, 5))
            for position in where:
                data_pkl[position] = int(rng.integers(0, 256))
            buffer = io.BytesIO()
            write_zip(buffer, bytes(data_pkl), storages)
            yield Case(buffer.getvalue(), None, f"pickle bytes at {sorted(int(p) for p in where)} replaced")


class Finding(AssertionError):
    """A mutated file that broke the reader's contract."""


def outcome(case, path, seconds=2.0, memory=64 << 20):
    """ "loaded" or "refused" for one Case written at `path`; a Finding when the load raised anything but a
    PthError naming the file, ran longer than `seconds` or allocated more than `memory` bytes, or loaded
    values other than the file means."""
    with open(path, "wb") as file:
        file.write(case.data)
    tracemalloc.start()
    try:
        with within(seconds):
            state = load_pth(path)
    except PthError as error:
        if str(path) not in str(error):
            raise Finding(f"{case.how}: the error does not name the file: {error}") from error
        if case.valid:
            raise Finding(f"{case.how}: a valid file is refused: {error}") from error
        return "refused"
    except (Exception, Expired) as error:
        raise Finding(f"{case.how}: {type(error).__name__}: {error}") from error
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    if peak > memory:
        raise Finding(f"{case.how}: the load allocated {peak} bytes")
    if case.expected is not None:
        if list(state) != list(case.expected):
            raise Finding(f"{case.how}: loaded keys {list(state)}, expected {list(case.expected)}")
        for name, value in case.expected.items():
            got = state[name]
            if got.dtype != value.dtype or got.shape != value.shape or not numpy.array_equal(got, value):
                raise Finding(f"{case.how}: {name} loaded as {got!r:.200}, expected {value!r:.200}")
    elif not isinstance(state, dict) or _holds_reader_objects(state):
        raise Finding(f"{case.how}: loaded {type(state).__name__} or one holding the reader's own objects")
    return "loaded"


def _holds_reader_objects(state):
    """Whether the reader's lazy tensors or storages leaked into what it returned."""
    seen, pending = set(), [state]
    while pending:
        obj = pending.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if type(obj).__module__ == load_pth.__module__:
            return True
        if isinstance(obj, dict):
            pending += list(obj.keys()) + list(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            pending += list(obj)
    return False


def _bytes(tensors, storages, container):
    data_pkl = state_pickle(tensors, storages)
    if container == "legacy":
        return legacy_bytes(data_pkl, storages)
    buffer = io.BytesIO()
    write_zip(buffer, data_pkl, storages)
    return buffer.getvalue()


def main(folder):
    os.makedirs(folder, exist_ok=True)
    nested_shared_lists(os.path.join(folder, "nested_shared_lists.pth"))
    self_containing_list(os.path.join(folder, "self_containing_list.pth"))
    deep_nesting(os.path.join(folder, "deep_nesting.pth"))
    many_views(os.path.join(folder, "many_views.pth"))
    deflated_storage(os.path.join(folder, "deflated_storage.pth"), 4 << 20)
    far_memo_index(os.path.join(folder, "far_memo_index.pth"), 2**31)
    declared_bytearray(os.path.join(folder, "declared_bytearray.pth"), 2**40)
    rebuilt_stride(os.path.join(folder, "rebuilt_stride.pth"), -1)
    storages = {"0": numpy.arange(8, dtype="<f4")}
    write(os.path.join(folder, "negative_stride.pth"), {"w": Tensor("0", (1024,), (-1,), offset=7)}, storages)
    print(f"wrote the hostile cases into {folder}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "hostile_pth")
