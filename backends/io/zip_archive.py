"""The one way kerasish reads zip archives (`.keras` files): members are streamed in pieces and capped.

A member is refused before any of it is inflated when its declared size exceeds the caller's cap,
when it inflates more than MAX_COMPRESSION_RATIO times its stored size (a zip bomb: legitimate
weights and JSON compress far less), or when its compression method is not stored or deflate.
While it is read, the bytes counted may not pass its declared size nor the cap. Names are checked
when the archive is opened: no duplicates (which one a reader takes is a matter of luck), no
absolute paths, no `..`, no backslashes or NUL. Nothing is ever extracted by a member's name: a
member that must be a file (HDF5 inside `.keras`) goes to an anonymous temporary file that the
operating system removes when it is closed.
"""

import collections
import contextlib
import os
import stat
import tempfile
import zipfile

from .read_errors import UnreadableFileError, reading

PIECE = 2**20
MAX_COMPRESSION_RATIO = 200
SMALL_MEMBER = 2**20  # members up to this size may compress better (JSON of a tiny model)
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}


class ZipArchive:
    """`with ZipArchive(path, kind) as archive:` then `archive.names()`, `archive.read(member, limit)`
    or `with archive.temporary_copy(member, limit) as file:` (a binary file object at offset 0)."""

    def __init__(self, path, kind="zip archive"):
        self.path, self.kind = os.fspath(path), kind
        if os.path.exists(self.path) and not stat.S_ISREG(os.stat(self.path).st_mode):
            raise UnreadableFileError(f"{self.path}: not a readable {kind}: not a regular file")
        with reading(self.path, kind):
            self._zip = zipfile.ZipFile(self.path, "r")
        try:
            self._infos = {info.filename: info for info in self._zip.infolist()}
            self._check_names([info.filename for info in self._zip.infolist()])
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        self._zip.close()

    def _check_names(self, names):
        duplicates = sorted(name for name, count in collections.Counter(names).items() if count > 1)
        if duplicates:
            raise UnreadableFileError(f"{self.path}: {self.kind} refused: members {duplicates} appear more than once")
        unsafe = [
            name
            for name in names
            if name.startswith("/")
            or "\\" in name
            or "\0" in name
            or ".." in name.split("/")
            or (len(name) > 1 and name[1] == ":")
        ]
        if unsafe:
            raise UnreadableFileError(f"{self.path}: {self.kind} refused: unsafe member names {unsafe[:10]}")

    def names(self):
        return list(self._infos)

    def _info(self, member, limit):
        info = self._infos.get(member)
        if info is None:
            raise UnreadableFileError(f"{self.path}: {self.kind} has no member {member!r} (it holds {self.names()})")
        where = f"{self.path}: member {member!r}"
        if info.compress_type not in _METHODS:
            raise UnreadableFileError(
                f"{where} is refused: compression method {info.compress_type} is not one of {sorted(_METHODS.values())}"
            )
        if info.file_size > limit:
            raise UnreadableFileError(
                f"{where} is refused: it declares {info.file_size} bytes, more than the "
                f"{limit} bytes a {self.kind} may hold there"
            )
        if info.file_size > SMALL_MEMBER and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise UnreadableFileError(
                f"{where} is refused: it inflates {info.compress_size} bytes to "
                f"{info.file_size} (more than {MAX_COMPRESSION_RATIO}:1, a zip bomb)"
            )
        return info

    def _pieces(self, member, limit):
        info = self._info(member, limit)
        total = 0
        with reading(f"{self.path}: member {member!r}", self.kind), self._zip.open(info) as stream:
            while True:
                piece = stream.read(PIECE)
                if not piece:
                    return
                total += len(piece)
                if total > min(info.file_size, limit):
                    raise UnreadableFileError(
                        f"{self.path}: member {member!r} is refused: it inflates past its "
                        f"declared {info.file_size} bytes or the {limit}-byte cap"
                    )
                yield piece

    def read(self, member, limit):
        """The member's bytes, at most `limit` of them (more is refused)."""
        return b"".join(self._pieces(member, limit))

    @contextlib.contextmanager
    def temporary_copy(self, member, limit):
        """The member copied, piece by piece, into an anonymous temporary file (removed on close)."""
        with tempfile.TemporaryFile() as file:
            for piece in self._pieces(member, limit):
                file.write(piece)
            file.seek(0)
            yield file
