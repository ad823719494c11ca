"""get_file: download a file once into the kerasish cache (`$KERASISH_HOME`, else `~/.kerasish`), check its
hash, and extract archives; with Keras's signature.

Downloads stream into a temporary file beside the target, are retried on network failures, truncated
transfers and server errors (5xx), and are moved into the cache only once complete and hash-checked:
a bad or partial file never stays in the cache. A download without a hash is used unchecked, and
says so once per file (a UserWarning).

Nothing from outside reaches beyond the cache: `fname` is a plain file name and `cache_subdir` a
relative folder without `..`; a download stops at `max_bytes` (a larger Content-Length is refused
before anything is read); extraction refuses members that would land outside the target folder,
links and special files, and more than `max(EXTRACT_FLOOR, EXTRACT_RATIO x archive size)` bytes or
EXTRACT_MEMBERS members in total.
"""

import hashlib
import os
import stat
import sys
import time
import urllib.parse
import warnings
import zlib

from kerasish.backends import config
from kerasish.backends.io.atomic_file import atomic_path
from kerasish.utils.io_utils import can_draw_live

PATH_SEPARATORS = {os.sep, "/"} | ({os.altsep} if os.altsep else set())

ATTEMPTS = 3
RETRY_DELAY = 0.5  # seconds before the second attempt, doubled before each later one
TIMEOUT = 60
DOWNLOAD_LIMIT = 8 << 30  # bytes; pass max_bytes to get_file for more
EXTRACT_RATIO = 100  # real archives inflate by ~10x at most; bombs by 1000x and more
EXTRACT_FLOOR = 64 << 20
EXTRACT_MEMBERS = 250_000
_WARNED_UNCHECKED = set()


class _Transient(Exception):
    """A failure worth another attempt: the network, a truncated transfer, a server error."""


def get_file(
    fname=None,
    origin=None,
    untar=False,
    md5_hash=None,
    file_hash=None,
    cache_subdir="datasets",
    hash_algorithm="auto",
    extract=False,
    archive_format="auto",
    cache_dir=None,
    force_download=False,
    max_bytes=DOWNLOAD_LIMIT,
):
    """Download `origin` into `<cache_dir>/<cache_subdir>/<fname>` unless a valid copy is there; returns
    its path, or the directory the archive was extracted into when `extract=True`. A download larger
    than `max_bytes` is refused."""
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    datadir = os.path.join(os.path.expanduser(cache_dir or config.home()), _cache_folder(cache_subdir))
    extract = extract or untar
    download_target, extraction_dir = _targets(datadir, fname, origin, extract)
    os.makedirs(datadir, exist_ok=True)
    downloaded = force_download or not _valid_in_cache(download_target, file_hash, hash_algorithm)
    if downloaded:
        _download(origin, download_target, file_hash, hash_algorithm, max_bytes)
    if not extract:
        return download_target
    if downloaded or not os.path.isdir(extraction_dir):
        extract_archive(download_target, extraction_dir, "tar" if untar else archive_format)
    return extraction_dir


def _targets(datadir, fname, origin, extract):
    """(download path, extraction directory), named as Keras names them."""
    name = os.fspath(fname) if fname else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not name:
        raise ValueError(
            f"Can't parse the file name from the origin provided: '{origin}'. Please specify the `fname` argument."
        )
    if any(separator in name for separator in PATH_SEPARATORS):
        raise ValueError(
            "Paths are no longer accepted as the `fname` argument. To specify the file's parent "
            f"directory, use the `cache_dir` argument. Received: fname={name}"
        )
    if name in (os.curdir, os.pardir):
        raise ValueError(f"`fname` must name a file, not a directory. Received: fname={name}")
    if not extract:
        return os.path.join(datadir, name), None
    if fname and "." in name:
        return os.path.join(datadir, name), os.path.join(datadir, f"{name[: name.find('.')]}_extracted")
    return os.path.join(datadir, f"{name}_archive"), os.path.join(datadir, name)


def _escapes(name):
    """Whether a relative name given from outside could reach beyond its folder: absolute or with '..'."""
    name = os.fspath(name)
    return (
        os.path.isabs(name)
        or bool(os.path.splitdrive(name)[0])
        or name.startswith(("/", "\\"))
        or os.pardir in name.replace("\\", "/").split("/")
    )


def _cache_folder(cache_subdir):
    """`cache_subdir` as given: an absolute folder (as in Keras, the file is saved there: the caller's
    own choice), or a relative one, checked to stay inside the cache folder."""
    folder = os.fspath(cache_subdir)
    if not os.path.isabs(folder) and _escapes(folder):
        raise ValueError(
            "`cache_subdir` must be a folder inside the cache, without '..', or an absolute folder "
            f"(use `cache_dir` to choose the cache). Received: cache_subdir={folder}"
        )
    return folder


def _valid_in_cache(path, file_hash, algorithm):
    if not os.path.exists(path):
        return False
    if file_hash is None or validate_file(path, file_hash, algorithm):
        return True
    print(
        f"A local file was found, but it seems to be incomplete or outdated because the "
        f"{resolve_hasher(algorithm, file_hash)().name} file hash does not match the original value of "
        f"{file_hash} so we will re-download the data."
    )
    os.remove(path)
    return False


def _download(origin, target, file_hash, algorithm, max_bytes):
    print(f"Downloading data from {origin}")
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with atomic_path(target) as temporary:
                _fetch(origin, temporary, max_bytes)
                if file_hash is not None and not validate_file(temporary, file_hash, algorithm):
                    raise ValueError(
                        f"Incomplete or corrupted file detected. The "
                        f"{resolve_hasher(algorithm, file_hash)().name} file hash of {origin} "
                        f"does not match the provided value of {file_hash}."
                    )
            if file_hash is None and target not in _WARNED_UNCHECKED:
                _WARNED_UNCHECKED.add(target)
                warnings.warn(
                    f"{origin} is downloaded without a file_hash: {target} is used unchecked", UserWarning, stacklevel=3
                )
            return
        except _Transient as error:
            if attempt == ATTEMPTS:
                raise OSError(f"URL fetch failure on {origin}: {error} (after {ATTEMPTS} attempts)") from error
            time.sleep(RETRY_DELAY * 2 ** (attempt - 1))


def _fetch(origin, path, max_bytes):
    """Stream `origin` into `path`, with a live progress bar on a terminal; at most `max_bytes` bytes."""
    import http.client  # the network modules load only when something is downloaded
    import urllib.error
    import urllib.request

    from tqdm import tqdm

    try:
        with urllib.request.urlopen(origin, timeout=TIMEOUT) as response, open(path, "wb") as file:
            expected = response.length
            if expected is not None and expected > max_bytes:
                raise ValueError(
                    f"{origin} announces {expected} bytes, more than max_bytes={max_bytes}; "
                    "pass a larger max_bytes to get_file to download it"
                )
            with tqdm(
                total=expected,
                unit="B",
                unit_scale=True,
                file=sys.stdout,
                leave=False,
                disable=not can_draw_live(),
                desc=os.path.basename(origin),
            ) as bar:
                while chunk := response.read(1 << 16):
                    if file.tell() + len(chunk) > max_bytes:
                        raise ValueError(
                            f"{origin} sends more than max_bytes={max_bytes} bytes; pass a larger "
                            "max_bytes to get_file to download it"
                        )
                    file.write(chunk)
                    bar.update(len(chunk))
            received = file.tell()
    except urllib.error.HTTPError as error:
        if error.code >= 500:
            raise _Transient(f"{error.code} -- {error.reason}") from error
        raise OSError(f"URL fetch failure on {origin}: {error.code} -- {error.reason}") from error
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError) as error:
        raise _Transient(f"{type(error).__name__}: {getattr(error, 'reason', error)}") from error
    if expected is not None and received != expected:
        raise _Transient(f"the transfer stopped after {received} of {expected} bytes")


def resolve_hasher(algorithm, file_hash=None):
    """The hashlib constructor: sha256 for "sha256" or a 64-character hash under "auto", else md5."""
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None and len(file_hash) == 64):
        return hashlib.sha256
    if algorithm in ("md5", "auto"):
        return hashlib.md5
    raise ValueError(f"Unknown hash_algorithm {algorithm!r}; expected 'md5', 'sha256' or 'auto'")


def hash_file(fpath, algorithm="sha256", chunk_size=65535):
    hasher = resolve_hasher(algorithm)() if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as file:
        while chunk := file.read(chunk_size):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535):
    """Whether the file's hash (sha256 or md5, told apart by length under "auto") is `file_hash`.

    A hash shorter than the full digest (at least 8 hex characters) matches as a prefix, as torch.hub
    checks the SHA-256 prefix that torchvision puts in its file names.
    """
    hasher = resolve_hasher(algorithm, file_hash)()
    file_hash = str(file_hash)
    if len(file_hash) < 8:
        raise ValueError(
            f"file_hash {file_hash!r} is too short: give the full digest or a prefix of at least 8 hex characters"
        )
    digest = hash_file(fpath, hasher, chunk_size)
    return digest == file_hash if len(file_hash) >= len(digest) else digest.startswith(file_hash)


def extract_archive(file_path, path=".", archive_format="auto", max_bytes=None):
    """Extract a tar (also .tar.gz/.tar.bz2) or zip archive into `path`, replacing it in one step.

    Members that would land outside `path` (absolute paths, `..`), links and special files are refused,
    and so is an archive whose members add up to more than `max_bytes` (default: EXTRACT_RATIO times the
    archive's size, at least EXTRACT_FLOOR) or more than EXTRACT_MEMBERS members."""
    import tarfile
    import zipfile

    formats = {"auto": ["tar", "zip"], "tar": ["tar"], "zip": ["zip"]}.get(archive_format, archive_format or [])
    if isinstance(formats, str):
        formats = [formats]
    if max_bytes is None:
        max_bytes = max(EXTRACT_FLOOR, EXTRACT_RATIO * os.path.getsize(file_path))
    for kind in formats:
        extract = {"tar": (tarfile.is_tarfile, _extract_tar), "zip": (zipfile.is_zipfile, _extract_zip)}.get(kind)
        if extract is None or not extract[0](file_path):
            continue
        try:
            _extract_atomically(path, lambda target: extract[1](file_path, target, max_bytes))
        except (tarfile.TarError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as error:
            raise ValueError(f"Could not extract {file_path}: {error}") from error
        return True
    raise ValueError(f"Could not extract {file_path}: it is not an archive of the formats {formats}")


def _check_member(file_path, name, size, totals, max_bytes):
    """Refuse a member named outside the target or one that takes the archive past its caps."""
    if _escapes(name):
        raise ValueError(f"Could not extract {file_path}: member {name!r} would land outside the target folder")
    totals[0] += 1
    totals[1] += size
    if totals[0] > EXTRACT_MEMBERS:
        raise ValueError(f"Could not extract {file_path}: more than {EXTRACT_MEMBERS} members")
    if totals[1] > max_bytes:
        raise ValueError(
            f"Could not extract {file_path}: its members hold more than max_bytes={max_bytes} "
            "bytes (pass a larger max_bytes to extract_archive)"
        )


def _extract_tar(file_path, target, max_bytes):
    import tarfile

    totals = [0, 0]
    with tarfile.open(file_path) as archive:
        for member in archive:  # headers are checked as they come, before the caps could be passed
            if not (member.isfile() or member.isdir()) or member.issparse():
                raise ValueError(f"Could not extract {file_path}: member {member.name!r} is a link or a special file")
            _check_member(file_path, member.name, member.size, totals, max_bytes)
        archive.extractall(target, filter="data")


def _extract_zip(file_path, target, max_bytes):
    import zipfile

    totals = [0, 0]
    with zipfile.ZipFile(file_path) as archive:
        members = archive.infolist()
        for info in members:
            if stat.S_ISLNK(info.external_attr >> 16):
                raise ValueError(f"Could not extract {file_path}: member {info.filename!r} is a link")
            _check_member(file_path, info.filename, info.file_size, totals, max_bytes)
        for info in members:
            # declared sizes were summed above; zipfile stops each member at its declared size
            archive.extract(info, target)


def _extract_atomically(path, extract):
    with atomic_path(path) as temporary:
        extract(temporary)
