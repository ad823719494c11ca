"""The one way kerasish reads HDF5 files: weights, models, static-engine functions, users' data.

HDF5 can make a reader hold bytes that are not in the file it opened: external storage (a
dataset's data in other files), virtual datasets (data mapped from other datasets, other files
included), external links (a member that is an object of another file) and soft links (a path
that may lead to one). It can also declare far more data than it stores (an unwritten dataset
reads as its fill value, a compressed one inflates). So every object is reached through hard links
only, checked one link at a time; a dataset is accepted only as plain numeric data stored inside
the file (contiguous, chunked or compact, built-in filters only); and its declared shape is checked
against what the caller expects, and its size against what the file stores, before any data is
read. Files are opened read-only with HDF5's default driver, so a file cannot choose one that reads
other files (split, family, multi). Attributes holding variable-length data (strings, as Keras
writes its names and configs) are read only after the file's global heaps were checked: HDF5 loops
forever on a heap object of size 0 (`H5HG__cache_heap_deserialize`, still in HDF5 2.0). Every
refusal or failure is an UnreadableFileError naming the file, the object's path and the reason.
"""

import collections.abc
import contextlib
import math
import mmap
import os
import stat

import h5py
import numpy

from .read_errors import UnreadableFileError, reading

NUMERIC_KINDS = "biuf"
# HDF5's built-in filters and LZF (h5py's own). Any other filter id would make HDF5 look for a plugin.
_FILTERS = {
    h5py.h5z.FILTER_DEFLATE: "deflate",
    h5py.h5z.FILTER_SHUFFLE: "shuffle",
    h5py.h5z.FILTER_FLETCHER32: "fletcher32",
    h5py.h5z.FILTER_SZIP: "szip",
    h5py.h5z.FILTER_NBIT: "nbit",
    h5py.h5z.FILTER_SCALEOFFSET: "scaleoffset",
    32000: "lzf",
}
_LAYOUTS = {h5py.h5d.CONTIGUOUS, h5py.h5d.CHUNKED, h5py.h5d.COMPACT}
# Deflate cannot inflate more than about 1032:1; data that claims more is not stored in the file.
MAX_COMPRESSION_RATIO = 1100
# A chunk larger than its dataset is possible only with unlimited dimensions; HDF5 inflates a whole
# chunk to read any part of it.
CHUNK_LIMIT = 16 * 2**20


@contextlib.contextmanager
def open_file(source, name=None, kind="HDF5 file"):
    """The root Group of the HDF5 file at `source` (a path, or a binary file object with a file
    descriptor, as `tempfile.TemporaryFile()`), closed when the block ends. `name` (default: the path)
    and `kind` ("Keras weights file") go in errors."""
    file = HDF5File(source, name, kind)
    try:
        yield file.root
    finally:
        file.close()


def is_hdf5(path):
    """Whether the regular file at `path` starts like an HDF5 file (its signature)."""
    return os.path.isfile(path) and h5py.is_hdf5(path)


class HDF5File:
    """An HDF5 file opened for safe reading; `root` is its root Group. Close it with `close()`."""

    def __init__(self, source, name=None, kind="HDF5 file"):
        is_path = isinstance(source, (str, bytes, os.PathLike))
        self.name = str(name if name is not None else os.fspath(source) if is_path else source)
        self.kind = kind
        if is_path and os.path.exists(source) and not stat.S_ISREG(os.stat(source).st_mode):
            raise UnreadableFileError(f"{self.name}: not a readable {kind}: not a regular file")
        self._source, self._heaps_checked = source, False
        with self.reading():
            self._file = h5py.File(source, "r", driver=None, locking=False)
        self.root = Group(self, self._file, "/")

    def check_global_heaps(self):
        """Refuse the file if a global heap collection would make HDF5 loop forever (once per file)."""
        if self._heaps_checked:
            return
        with self.reading(), contextlib.ExitStack() as stack:
            file = self._source
            if isinstance(file, (str, bytes, os.PathLike)):
                file = stack.enter_context(open(file, "rb"))
            if os.fstat(file.fileno()).st_size:
                content = stack.enter_context(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ))
                problem = global_heap_problem(content, self._file.id.get_create_plist().get_sizes()[1])
                if problem:
                    raise UnreadableFileError(f"{self.name}: not a readable {self.kind}: {problem}")
        self._heaps_checked = True

    def reading(self):
        return reading(self.name, self.kind)

    def refuse(self, path, reason):
        return UnreadableFileError(f"{self.name}: {path!r} is refused: {reason}")

    def close(self):
        self._file.close()


class _Attributes(collections.abc.Mapping):
    """An object's attributes, read-only; attributes live in the object's header inside the file."""

    def __init__(self, file, h5object):
        self._file, self._h5object = file, h5object

    def __getitem__(self, name):
        if name not in self:  # a Mapping: a missing attribute is a KeyError (so .get gives its default)
            raise KeyError(name)
        with self._file.reading():
            if self._h5object.attrs.get_id(name).dtype.hasobject:
                self._file.check_global_heaps()
            return self._h5object.attrs[name]

    def __contains__(self, name):
        with self._file.reading():
            return name in self._h5object.attrs

    def __iter__(self):
        with self._file.reading():
            return iter(list(self._h5object.attrs))

    def __len__(self):
        with self._file.reading():
            return len(self._h5object.attrs)


class Group:
    """A group reached through hard links only. `group(path)`/`dataset(path)`/`has(path)` walk a
    relative path (`a/b/c`) one checked link at a time; `walk()` gives every group below, once each."""

    def __init__(self, file, h5group, path):
        self.file, self._h5group, self.path = file, h5group, path
        self.attrs = _Attributes(file, h5group)

    def names(self):
        with self.file.reading():
            return list(self._h5group.keys())

    def _member(self, name):
        """The object the link `name` (one path component) points to, None if there is no such link."""
        with self.file.reading():
            link = self._h5group.get(name, getlink=True)
            if link is None:
                return None
            if not isinstance(link, h5py.HardLink):
                target = (
                    f" to {link.filename!r}:{link.path!r}"
                    if isinstance(link, h5py.ExternalLink)
                    else (f" to {link.path!r}" if isinstance(link, h5py.SoftLink) else "")
                )
                raise self.file.refuse(
                    _join(self.path, name),
                    f"it is a link ({type(link).__name__}{target}); "
                    "only objects stored in the file itself (hard links) are read",
                )
            return self._h5group[name]

    def _resolve(self, path):
        current = self.file.root._h5group if path.startswith("/") else self._h5group
        where = "/" if path.startswith("/") else self.path
        for part in (p for p in path.split("/") if p not in ("", ".")):
            if not isinstance(current, h5py.Group):
                return None, where
            current = Group(self.file, current, where)._member(part)
            where = _join(where, part)
            if current is None:
                return None, where
        return current, where

    def has(self, path):
        return self._resolve(path)[0] is not None

    def is_group(self, path):
        return isinstance(self._resolve(path)[0], h5py.Group)

    def is_dataset(self, path):
        return isinstance(self._resolve(path)[0], h5py.Dataset)

    def group(self, path):
        found, where = self._resolve(path)
        if not isinstance(found, h5py.Group):
            raise UnreadableFileError(
                f"{self.file.name}: no group {where!r} "
                f"({'it is a dataset' if found is not None else 'it does not exist'})"
            )
        return Group(self.file, found, where)

    def dataset(self, path):
        found, where = self._resolve(path)
        if not isinstance(found, h5py.Dataset):
            raise UnreadableFileError(
                f"{self.file.name}: no dataset {where!r} "
                f"({'it is a group' if found is not None else 'it does not exist'})"
            )
        return Dataset(self.file, found, where)

    def walk(self):
        """This group and every group below it, each once (hard links may share or loop)."""
        with self.file.reading():
            seen, stack = {self._h5group.id}, [self]
        while stack:
            group = stack.pop()
            yield group
            children = []
            for name in group.names():
                member = group._member(name)
                with self.file.reading():
                    if isinstance(member, h5py.Group) and member.id not in seen:
                        seen.add(member.id)
                        children.append(Group(self.file, member, _join(group.path, name)))
            stack.extend(reversed(children))


class Dataset:
    """A numeric dataset whose data is stored in the file. Its storage is checked when the handle
    is made; `shape`, `dtype` and `nbytes` come from its header; `read` and `read_rows` read data."""

    def __init__(self, file, h5dataset, path):
        self.file, self._h5dataset, self.path = file, h5dataset, path
        self.attrs = _Attributes(file, h5dataset)
        with file.reading():
            self.shape, self.dtype = h5dataset.shape, h5dataset.dtype
            plist = h5dataset.id.get_create_plist()
            self._check_storage(plist)
            self._filtered = plist.get_nfilters() > 0
        self.nbytes = math.prod(self.shape) * self.dtype.itemsize

    def _check_storage(self, plist):
        if self._h5dataset.is_virtual:
            raise self.file.refuse(
                self.path, "it is a virtual dataset (its data is mapped from other datasets or files)"
            )
        external = plist.get_external_count()
        if external:
            names = [plist.get_external(i)[0].decode("utf8", "replace") for i in range(external)]
            raise self.file.refuse(self.path, f"it uses external storage (its data is in other files: {names})")
        layout = plist.get_layout()
        if layout not in _LAYOUTS:
            raise self.file.refuse(self.path, f"its storage layout {layout} is not contiguous, chunked or compact")
        filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
        unknown = [f for f in filters if f not in _FILTERS]
        if unknown:
            raise self.file.refuse(
                self.path,
                f"it needs filter(s) {unknown}, which are not HDF5's built-in filters {sorted(_FILTERS.values())}",
            )
        if self.dtype.kind not in NUMERIC_KINDS or self.dtype.fields is not None or self.dtype.subdtype is not None:
            raise self.file.refuse(
                self.path,
                f"its dtype {self.dtype} is not a numeric array (compound, string, "
                "variable-length and reference data are not read as weights)",
            )
        if self.shape is None:
            raise self.file.refuse(self.path, "it has no dataspace (an empty dataset), not an array")
        if layout == h5py.h5d.CHUNKED:
            chunk_bytes = math.prod(self._h5dataset.chunks) * self.dtype.itemsize
            if chunk_bytes > max(math.prod(self.shape) * self.dtype.itemsize, CHUNK_LIMIT):
                raise self.file.refuse(
                    self.path,
                    f"its chunks {self._h5dataset.chunks} ({chunk_bytes} bytes) "
                    f"are larger than the dataset {self.shape}",
                )

    def read(self, shape=None, limit=None):
        """The whole array. `shape`: the shape the caller expects (checked first); `limit`: the most
        bytes the caller will take. The data must be stored in the file (see MAX_COMPRESSION_RATIO)."""
        if shape is not None and tuple(shape) != tuple(self.shape):
            raise self.file.refuse(self.path, f"it holds shape {tuple(self.shape)}, expected {tuple(shape)}")
        if limit is not None and self.nbytes > limit:
            raise self.file.refuse(
                self.path,
                f"it holds {self.nbytes} bytes {self.shape} {self.dtype}, more than the {limit} bytes expected",
            )
        with self.file.reading():
            stored = self._h5dataset.id.get_storage_size()
        if self.nbytes > stored * (MAX_COMPRESSION_RATIO if self._filtered else 1):
            raise self.file.refuse(
                self.path,
                f"it declares {self.shape} {self.dtype} ({self.nbytes} bytes) but "
                f"stores {stored} bytes{' compressed' if self._filtered else ''} in the file",
            )
        with self.file.reading():
            return numpy.asarray(self._h5dataset[()])

    def read_rows(self, start, stop):
        """Rows start:stop of an array of at least one dimension (the caller bounds their number)."""
        if not self.shape:
            raise self.file.refuse(self.path, "it is a scalar, rows were asked for")
        chunks = self._h5dataset.chunks
        if self._filtered and chunks and math.prod(chunks) * self.dtype.itemsize > CHUNK_LIMIT:
            raise self.file.refuse(  # reading a few rows inflates their whole chunk, in HDF5's own memory
                self.path,
                f"its compressed chunks {chunks} hold more than {CHUNK_LIMIT} bytes each; rows are read from "
                "chunks of at most that size",
            )
        with self.file.reading():
            return numpy.asarray(self._h5dataset[start:stop])


def global_heap_problem(content, length_size):
    """Why HDF5 would loop forever (or read past an object) on a global heap collection in
    `content`, or None.

    A collection is "GCOL", version 1, three reserved bytes and its size, then objects: a header
    (index, reference count, reserved, size) and the data padded to 8 bytes, except the free-space
    object (index 0), whose size covers its own header. HDF5 walks them by their sizes (bytes past
    the end of the file read as zeros); a free-space object smaller than its header does not move
    the walk forward."""
    header = 8 + length_size
    position = content.find(b"GCOL")
    while position != -1:
        size = int.from_bytes(content[position + 8 : position + header], "little")
        if content[position + 4 : position + 5] == b"\x01":
            end, cursor = position + size, position + header
            while cursor + header <= end:
                index = int.from_bytes(content[cursor : cursor + 2], "little")
                object_size = int.from_bytes(content[cursor + 8 : cursor + header], "little")
                if not index and object_size < header:
                    return (
                        f"its global heap at byte {position} holds a free-space object of {object_size} bytes, "
                        f"less than its {header}-byte header (HDF5 would loop forever on it)"
                    )
                cursor += header + -(-object_size // 8) * 8 if index else object_size
        position = content.find(b"GCOL", position + 4)
    return None


def _join(path, name):
    return f"{path.rstrip('/')}/{name}"
