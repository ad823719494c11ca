"""Seeded mutations of valid `.keras`, `.weights.h5`, legacy `.h5` and static-function files, and
the contract every mutated file is held to (issue 11): each load either succeeds with the values
the file means, or raises a kerasish error (a ValueError naming the file) within a time and memory
bound, leaving the model it was loading into as it was. Files that reach outside themselves
(external storage or links, virtual datasets) may load only if the loader never read what they
point to (a group the load does not use): the loaded values never hold the secret's bytes.

`mutations(seed, format, material)` yields Cases forever; `outcome(case, material, folder)` runs one
and returns "loaded" or "refused", or raises Finding. The material (a small trained model saved in
the four formats) is made once per folder by `material(folder)`. Used by
tests/security/test_fuzz_keras_files.py and `tools/fuzz_loaders.py`.
"""

import dataclasses
import io
import json
import os
import random
import tracemalloc
import warnings
import zipfile

import h5py
import numpy

from kerasish import ops
from kerasish.backends import static
from kerasish.saving import load_model
from kerasish.saving.legacy_h5_model import legacy_weights
from kerasish.saving.object_paths import own_variables, saveables
from tests.saving.models_for_tests import CUSTOM_OBJECTS, perturb, trained_model, values
from tests.security import crafted_hdf5
from tests.security.time_limit import Expired, within

FORMATS = ("keras", "weights", "legacy", "static")
SUFFIXES = {"keras": ".keras", "weights": ".weights.h5", "legacy": ".h5", "static": ".h5"}
WEIGHTS_MEMBER = "model.weights.h5"


class Finding(AssertionError):
    """A mutated file broke the contract."""


@dataclasses.dataclass
class Case:
    format: str
    how: str
    data: bytes
    hostile: bool = False  # the file reaches outside itself: what loads must not hold the secret


@dataclasses.dataclass
class Material:
    folder: str
    model: object
    saved: list  # the model's weights as saved
    files: dict  # format -> bytes of the valid file
    dataset_paths: dict  # format -> the dataset path of each of the model's weights (static: its variables)
    function_feed: numpy.ndarray = None


_MATERIALS = {}


def material(folder):
    """The valid files (made once per folder) and what they hold."""
    folder = os.fspath(folder)
    if folder not in _MATERIALS:
        _MATERIALS[folder] = _make_material(folder)
    return _MATERIALS[folder]


def _make_material(folder):
    os.makedirs(folder, exist_ok=True)
    model = trained_model()
    files = {}
    for fmt in ("keras", "weights", "legacy"):
        path = os.path.join(folder, "valid" + SUFFIXES[fmt])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.save_weights(path) if fmt == "weights" else model.save(path)
        files[fmt] = open(path, "rb").read()
    by_variable = {
        id(v): f"{path}/vars/{i}".lstrip("/")
        for path, saveable in saveables(model)
        for i, v in enumerate(own_variables(saveable))
    }
    paths = {"keras": [by_variable[id(v)] for v in model.weights]}
    paths["weights"] = paths["keras"]
    legacy = {}
    with h5py.File(io.BytesIO(files["legacy"]), "r") as file:
        for layer in model.layers:
            names = file["model_weights"][layer.name].attrs["weight_names"]
            names = [n.decode() if isinstance(n, bytes) else n for n in names]
            legacy.update(
                {id(v): f"model_weights/{layer.name}/{name}" for v, name in zip(legacy_weights(layer), names)}
            )
    paths["legacy"] = [legacy[id(v)] for v in model.weights]
    w = static.variable(numpy.linspace(-1, 1, 12).astype("float32").reshape(3, 4), name="w")
    x = static.placeholder((4,), name="x")
    path = os.path.join(folder, "valid_function.h5")
    static.save(static.function([x], [ops.sum(ops.matmul(w, x))]), path)
    files["static"] = open(path, "rb").read()
    paths["static"] = ["variables/0"]
    return Material(folder, model, values(model.weights), files, paths, numpy.arange(4, dtype="float32"))


# ----- mutations -------------------------------------------------------------------------------


def _bit_flips(rng, data):
    data = bytearray(data)
    count = rng.randint(1, 16)
    for _ in range(count):
        position = rng.randrange(len(data))
        data[position] ^= 1 << rng.randrange(8)
    return f"{count} bit flip(s)", bytes(data)


def _overwrite(rng, data):
    data = bytearray(data)
    start, length = rng.randrange(len(data)), rng.randint(1, 64)
    fill = rng.choice(["zeros", "ones", "random"])
    piece = {
        "zeros": bytes(length),
        "ones": b"\xff" * length,
        "random": bytes(rng.randrange(256) for _ in range(length)),
    }[fill]
    data[start : start + length] = piece[: len(data) - start]
    return f"{length} bytes at {start} set to {fill}", bytes(data)


def _truncate(rng, data):
    cut = rng.randrange(len(data))
    return f"truncated to {cut} bytes", data[:cut]


def _append(rng, data):
    return "garbage appended", data + bytes(rng.randrange(256) for _ in range(rng.randint(1, 4096)))


def _datasets(file):
    found = []
    file.visititems(lambda name, item: found.append(name) if isinstance(item, h5py.Dataset) else None)
    return found


def _hdf5_edit(data, edit):
    """Apply `edit(file)` to a copy of the HDF5 bytes through h5py; the new bytes."""
    buffer = io.BytesIO(data)
    with h5py.File(buffer, "r+") as file:
        edit(file)
    return buffer.getvalue()


def _shape_mutation(rng, data, folder):
    def edit(file):
        name = rng.choice([n for n in _datasets(file) if n != "graph.json"])
        old = file[name]
        shape = rng.choice(
            [
                (),
                (0,),
                (1,),
                (rng.randint(1, 9),),
                old.shape + (2,),
                (10**8,),
                (2**31, 2**31),
                tuple(reversed(old.shape + (1,))),
            ]
        )
        dtype = old.dtype
        del file[name]
        kind = rng.choice(["unwritten", "written", "chunked gzip"])
        if kind == "unwritten" or numpy.prod(shape) > 10**6:
            file.create_dataset(name, shape=shape, dtype=dtype)
        elif kind == "written":
            file.create_dataset(name, data=numpy.ones(shape, dtype))
        else:
            file.create_dataset(
                name,
                data=numpy.zeros(shape, dtype),
                compression="gzip",
                chunks=True if shape and numpy.prod(shape) else None,
            )
        edit.description = f"{name} reshaped to {shape} ({kind})"

    edited = _hdf5_edit(data, edit)
    return edit.description, edited


def _dtype_mutation(rng, data, folder):
    def edit(file):
        name = rng.choice([n for n in _datasets(file) if n != "graph.json"])
        shape = file[name].shape
        del file[name]
        kind = rng.choice(["int64", "float64", "bool", "float16", "bytes", "vlen str", "compound", "object ref"])
        if kind == "bytes":
            file.create_dataset(name, data=numpy.full(shape, b"ab", dtype="S2"))
        elif kind == "vlen str":
            file.create_dataset(name, data=numpy.full(shape, "ab", dtype=object), dtype=h5py.string_dtype())
        elif kind == "compound":
            file.create_dataset(name, shape=shape, dtype=numpy.dtype([("a", "f4"), ("b", "i4")]))
        elif kind == "object ref":
            file.create_dataset(name, shape=shape, dtype=h5py.ref_dtype)
        else:
            file.create_dataset(name, data=numpy.ones(shape, kind))
        edit.description = f"{name} stored as {kind}"

    edited = _hdf5_edit(data, edit)
    return edit.description, edited


LINKS = ("external_storage", "external_link", "soft_link", "virtual_dataset", "hard link elsewhere", "hard link loop")


def _link_mutation(rng, data, folder):
    """(description, bytes, hostile): a dataset or group replaced by a link, a loop added, or an attack."""
    how = rng.choice(LINKS)
    path = os.path.join(folder, "link_mutation.h5")
    with open(path, "wb") as output:
        output.write(data)
    with h5py.File(path, "r+") as file:
        names = [n for n in _datasets(file) if n != "graph.json"]
        name = rng.choice(names)
        if how == "hard link elsewhere":
            other = rng.choice(names)
            if other != name:
                del file[name]
                file[name] = file[other]
        elif how == "hard link loop":
            parent = name.rsplit("/", 1)[0] if "/" in name else "/"
            file[f"{parent}/loop" if parent != "/" else "/loop"] = file["/"]
    if how in crafted_hdf5.ATTACKS:
        crafted_hdf5.attack(path, name, how, folder)
    with open(path, "rb") as file:
        return f"{name}: {how}", file.read(), how in crafted_hdf5.ATTACKS


def _attribute_mutation(rng, data, folder):
    def edit(file):
        groups = [file]
        file.visititems(lambda name, item: groups.append(item) if isinstance(item, h5py.Group) else None)
        holders = [(g, key) for g in groups for key in g.attrs]
        group, key = rng.choice(holders)
        value = rng.choice(
            [
                numpy.array([b"nope"]),
                numpy.int64(7),
                b"{not json",
                numpy.array([], dtype="S1"),
                numpy.array([b"x"] * 3),
                None,
            ]
        )
        if value is None:
            del group.attrs[key]
        else:
            group.attrs[key] = value
        edit.description = f"attribute {key!r} of {group.name} set to {value!r}"

    edited = _hdf5_edit(data, edit)
    return edit.description, edited


def _zip_field(rng, data):
    """A random field of a local header or the central directory set to an extreme or random value."""
    data = bytearray(data)
    headers = [(i, "local", 30) for i in _find_all(data, b"PK\x03\x04")]
    headers += [(i, "central", 46) for i in _find_all(data, b"PK\x01\x02")]
    headers += [(i, "end", 22) for i in _find_all(data, b"PK\x05\x06")]
    start, kind, size = rng.choice(headers)
    offset = rng.randrange(4, size - 1)
    width = rng.choice([2, 4]) if offset + 4 <= size else 2
    value = rng.choice([0, 1, 0xFFFF if width == 2 else 0xFFFFFFFF, rng.randrange(256**width)])
    data[start + offset : start + offset + width] = value.to_bytes(width, "little")
    return f"{kind} header +{offset} ({width} bytes) = {value}", bytes(data)


def _find_all(data, needle):
    found, start = [], data.find(needle)
    while start != -1:
        found.append(start)
        start = data.find(needle, start + 1)
    return found


def _members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


def _zipped(members, compression):
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are a mutation
        with zipfile.ZipFile(buffer, "w", compression) as archive:
            for name, content in members:
                archive.writestr(name, content)
    return buffer.getvalue()


def _member_mutation(rng, data):
    members = _members(data)
    how = rng.choice(["dropped", "duplicated", "renamed", "config edited", "deflated", "bzip2"])
    compression = {"deflated": zipfile.ZIP_DEFLATED, "bzip2": zipfile.ZIP_BZIP2}.get(how, zipfile.ZIP_STORED)
    index = rng.randrange(len(members))
    name, content = members[index]
    if how == "dropped":
        del members[index]
    elif how == "duplicated":
        members.append((name, content[: rng.randrange(len(content) + 1)]))
    elif how == "renamed":
        members[index] = (rng.choice(["../" + name, "/" + name, name.upper(), name + "\\x"]), content)
    elif how == "config edited":
        index = [n for n, _ in members].index("config.json")
        name = "config.json"
        members[index] = (name, _edit_json(rng, members[index][1]))
    return f"member {name!r} {how}", _zipped(members, compression)


def _edit_json(rng, content):
    """The JSON with one value replaced (a number, string, list, dict, null) somewhere inside."""
    document = json.loads(content)
    places = []

    def visit(value):
        if isinstance(value, dict):
            places.extend((value, key) for key in value)
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            places.extend((value, i) for i in range(len(value)))
            for item in value:
                visit(item)

    visit(document)
    holder, key = rng.choice(places)
    holder[key] = rng.choice([None, -1, 0, 10**9, 1.5, "x", [], {}, [1, 2], {"class_name": "Nope"}, True])
    return json.dumps(document).encode()


def _inner_mutation(rng, data, folder):
    """One HDF5 mutation of the `model.weights.h5` inside the archive."""
    members = _members(data)
    index = [n for n, _ in members].index(WEIGHTS_MEMBER)
    how, inner, hostile = _hdf5_mutation(rng, members[index][1], folder, allow_attributes=False)
    members[index] = (WEIGHTS_MEMBER, inner)
    return f"{WEIGHTS_MEMBER}: {how}", _zipped(members, rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])), hostile


def _hdf5_mutation(rng, data, folder, allow_attributes=True):
    choices = [_bit_flips, _overwrite, _truncate, _append, _shape_mutation, _dtype_mutation, _link_mutation]
    if allow_attributes:
        choices.append(_attribute_mutation)
    mutate = rng.choice(choices)
    if mutate is _link_mutation:
        return mutate(rng, data, folder)
    if mutate in (_shape_mutation, _dtype_mutation, _attribute_mutation):
        return (*mutate(rng, data, folder), False)
    return (*mutate(rng, data), False)


def mutations(seed, fmt, material):
    """Cases of the format `fmt`, forever, the same for the same seed."""
    rng = random.Random(f"{seed}-{fmt}")
    data = material.files[fmt]
    while True:
        try:
            how, mutated, hostile = _mutation(rng, fmt, data, material.folder)
        except (ValueError, KeyError, TypeError, OSError) as error:  # h5py refused to make this mutation
            how, mutated, hostile = f"unmade mutation ({error})", data, False
        yield Case(fmt, how, mutated, hostile)


def _mutation(rng, fmt, data, folder):
    if fmt != "keras":
        return _hdf5_mutation(rng, data, folder, allow_attributes=fmt == "legacy")
    kind = rng.choice(["bytes", "zip field", "member", "inner", "inner"])
    if kind == "bytes":
        return (*rng.choice([_bit_flips, _overwrite, _truncate, _append])(rng, data), False)
    if kind == "zip field":
        return (*_zip_field(rng, data), False)
    if kind == "member":
        return (*_member_mutation(rng, data), False)
    return _inner_mutation(rng, data, folder)


# ----- the contract ----------------------------------------------------------------------------


def _raw_values(data, fmt, paths):
    """What plain h5py reads at each path of the mutated file, None where it cannot."""
    if fmt == "keras":
        try:
            data = dict(_members(data))[WEIGHTS_MEMBER]
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, RuntimeError):
            return [None] * len(paths)
    found = []
    try:
        with h5py.File(io.BytesIO(data), "r") as file:
            for path in paths:
                try:
                    found.append(numpy.asarray(file[path][()]))
                except (KeyError, OSError, ValueError, TypeError, RuntimeError):
                    found.append(None)
    except (OSError, ValueError, RuntimeError):
        return [None] * len(paths)
    return found


def _check_values(case, loaded, material, paths, saved):
    raw = _raw_values(case.data, case.format, paths)
    for index, (got, original, stored) in enumerate(zip(loaded, saved, raw)):
        if numpy.array_equal(got, original, equal_nan=True):
            continue
        if (
            stored is not None
            and stored.shape == got.shape
            and numpy.array_equal(got, stored.astype(got.dtype), equal_nan=True)
        ):
            continue
        raise Finding(
            f"{case.format}: {case.how}: weight {index} ({paths[index]}) loaded as {got!r:.200}, "
            f"which the file does not hold"
        )


def _load_function(case, material, path):
    function = static.load(path)
    loaded = [v.numpy() for v in function.variables]
    _check_values(
        case,
        loaded,
        material,
        material.dataset_paths["static"],
        [numpy.linspace(-1, 1, 12).astype("float32").reshape(3, 4)],
    )
    return loaded


def _load_weights(case, material, path):
    model = material.model
    perturb(model, seed=len(case.data))
    before = values(model.weights)
    try:
        model.load_weights(path)
    except ValueError as error:
        if any(not numpy.array_equal(a, b, equal_nan=True) for a, b in zip(values(model.weights), before)):
            raise Finding(f"{case.format}: {case.how}: a refused load_weights changed the model ({error})") from error
        raise
    _check_values(case, values(model.weights), material, material.dataset_paths[case.format], material.saved)
    return values(model.weights) + values(model.optimizer.variables)


def _load_model(case, material, path):
    loaded = load_model(path, custom_objects=CUSTOM_OBJECTS)
    _check_values(case, values(loaded.weights), material, material.dataset_paths[case.format], material.saved)
    return values(loaded.weights) + (values(loaded.optimizer.variables) if loaded.optimizer else [])


LOADS = {
    "static": (_load_function,),
    "weights": (_load_weights,),
    "keras": (_load_weights, _load_model),
    "legacy": (_load_weights, _load_model),
}


def outcome(case, material, folder, seconds=5.0, memory=64 << 20):
    """Write the case and run every load of its format: ('loaded' or 'refused', ...) one per load,
    or raise Finding."""
    path = os.path.join(os.fspath(folder), "mutated" + SUFFIXES[case.format])
    with open(path, "wb") as file:
        file.write(case.data)
    return tuple(_outcome(case, material, path, load, seconds, memory) for load in LOADS[case.format])


def _outcome(case, material, path, load, seconds, memory):
    where = f"{case.format} {load.__name__.strip('_')}: {case.how}"
    tracemalloc.start()
    try:
        with within(seconds), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loaded = load(case, material, path)
        result = "loaded"
    except Finding:
        raise
    except ValueError as error:
        if path not in str(error) and type(error).__name__ == "UnreadableFileError":
            raise Finding(f"{where}: the error does not name the file: {error}") from error
        result = "refused"
    except (Exception, Expired) as error:
        raise Finding(f"{where}: {type(error).__name__}: {error}") from error
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    if peak > memory:
        raise Finding(f"{where}: the load allocated {peak} bytes")
    if (
        case.hostile
        and result == "loaded"
        and crafted_hdf5.SECRET in b"".join(numpy.ascontiguousarray(array).tobytes() for array in loaded)
    ):
        raise Finding(f"{where}: the loaded values hold the bytes of a file outside the one loaded")
    return result
