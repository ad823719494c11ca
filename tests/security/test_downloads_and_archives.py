"""Trust in downloads and archives (issue 11, findings 4 and 6): names cannot reach outside the cache,
known weight sources are never shadowed by local files, unhashed downloads say so once, downloads and
extractions are capped, and archive members that escape, link or bomb are refused.
Every download goes to the local server on 127.0.0.1."""

import hashlib
import io
import os
import tarfile
import warnings
import zipfile

import pytest

from kerasish.applications import loading, weight_sources
from kerasish.datasets.safe_unpickle import load_npz
from kerasish.utils import file_utils, get_file
from tests.datasets.local_server import Unsized

DATA = b"kerasish payload " * 600
pytestmark = pytest.mark.filterwarnings("ignore:.*downloaded without a file_hash:UserWarning")


@pytest.fixture(autouse=True)
def no_retry_delay(monkeypatch):
    monkeypatch.setattr(file_utils, "RETRY_DELAY", 0.0)


def files_under(folder):
    return sorted(
        os.path.relpath(os.path.join(root, name), folder) for root, _, names in os.walk(folder) for name in names
    )


# ---- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fname, pattern",
    [
        ("..", "must name a file, not a directory"),
        (".", "must name a file, not a directory"),
        ("../escaped", "Paths are no longer accepted"),
        ("/etc/passwd", "Paths are no longer accepted"),
    ],
)
def test_fname_cannot_leave_the_cache(tmp_path, fname, pattern):
    with pytest.raises(ValueError, match=pattern):
        get_file(fname, "http://127.0.0.1:9/x", cache_dir=tmp_path / "cache")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("cache_subdir", ["..", "../outside", "a/../../outside"])
def test_cache_subdir_cannot_leave_the_cache(tmp_path, cache_subdir):
    with pytest.raises(ValueError, match=f"`cache_subdir` must be a folder inside the cache.*{cache_subdir}"):
        get_file("x.bin", "http://127.0.0.1:9/x", cache_subdir=cache_subdir, cache_dir=tmp_path / "cache")
    assert files_under(tmp_path) == []


def test_a_nested_cache_subdir_is_fine(server, tmp_path):
    server.serve("x.bin", DATA)
    path = get_file(
        "x.bin",
        f"{server.url}/x.bin",
        cache_subdir="models/v2",
        cache_dir=tmp_path,
        file_hash=hashlib.sha256(DATA).hexdigest(),
    )
    assert path == str(tmp_path / "models" / "v2" / "x.bin")


def test_an_absolute_cache_subdir_is_where_the_file_goes_as_in_keras(server, tmp_path):
    server.serve("x.bin", DATA)
    target = tmp_path / "chosen"
    path = get_file(
        "x.bin",
        f"{server.url}/x.bin",
        cache_subdir=str(target),
        cache_dir=tmp_path / "cache",
        file_hash=hashlib.sha256(DATA).hexdigest(),
    )
    assert path == str(target / "x.bin") and (target / "x.bin").read_bytes() == DATA


# ---- weights= names and paths ---------------------------------------------------------------------


@pytest.fixture
def downloads(monkeypatch):
    """Records what resolve_weights asks to download instead of downloading it."""
    asked = []
    monkeypatch.setattr(loading, "download", lambda source: asked.append(source) or f"/cache/{source.file_name}")
    return asked


def test_a_known_source_name_is_never_shadowed_by_a_local_file(tmp_path, monkeypatch, downloads):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "imagenet").write_bytes(b"PK\x03\x04 a file that is not the published weights")
    source, path = loading.resolve_weights("resnet18", "imagenet", True)
    assert source == "torchvision" and path == "/cache/resnet18-f37072fd.pth"
    assert downloads == [weight_sources.find("resnet18", "torchvision", True)]


def test_a_local_file_is_a_path_when_it_looks_like_one(tmp_path, monkeypatch, downloads):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "imagenet").write_bytes(b"PK\x03\x04")
    (tmp_path / "weights").write_bytes(b"PK\x03\x04")
    (tmp_path / "weights.pth").write_bytes(b"PK\x03\x04")
    assert loading.resolve_weights("resnet18", "./imagenet", True) == ("torchvision", "./imagenet")
    assert loading.resolve_weights("resnet18", "weights.pth", True) == ("torchvision", "weights.pth")
    assert loading.resolve_weights("resnet18", tmp_path / "weights", True) == ("torchvision", str(tmp_path / "weights"))
    with pytest.raises(
        ValueError,
        match="Received: weights='weights' \\(a local file named 'weights' exists: pass it as './weights'\\)",
    ):
        loading.resolve_weights("resnet18", "weights", True)
    assert downloads == []


# ---- downloads ------------------------------------------------------------------------------------


def test_an_unhashed_download_says_once_that_it_is_unchecked(server, tmp_path):
    server.serve("data.bin", DATA)
    with pytest.warns(UserWarning, match="data.bin is downloaded without a file_hash: .* is used unchecked"):
        get_file("data.bin", f"{server.url}/data.bin", cache_dir=tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        get_file("data.bin", f"{server.url}/data.bin", cache_dir=tmp_path, force_download=True)
        server.serve("other.bin", DATA)
        get_file("other.bin", f"{server.url}/other.bin", cache_dir=tmp_path, file_hash=hashlib.md5(DATA).hexdigest())
    assert [str(w.message) for w in caught] == []
    assert server.hits["/data.bin"] == 2


def test_a_download_announcing_more_than_the_cap_is_refused_before_reading(server, tmp_path):
    server.serve("big.bin", DATA)
    with pytest.raises(ValueError, match=f"big.bin announces {len(DATA)} bytes, more than max_bytes=1000"):
        get_file("big.bin", f"{server.url}/big.bin", cache_dir=tmp_path, max_bytes=1000)
    assert files_under(tmp_path) == [] and server.hits["/big.bin"] == 1


def test_a_download_without_a_length_stops_at_the_cap(server, tmp_path):
    server.serve("stream.bin", Unsized(DATA))
    with pytest.raises(ValueError, match="stream.bin sends more than max_bytes=1000 bytes"):
        get_file("stream.bin", f"{server.url}/stream.bin", cache_dir=tmp_path, max_bytes=1000)
    assert files_under(tmp_path) == []
    assert open(get_file("stream.bin", f"{server.url}/stream.bin", cache_dir=tmp_path), "rb").read() == DATA


# ---- archives -------------------------------------------------------------------------------------


def tar_archive(*members):
    """A .tar.gz from TarInfo-like tuples (name, data or None, type, linkname)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data, kind, link in members:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, link
            info.size = len(data) if data is not None else 0
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def zip_archive(*members):
    """A .zip from (name, data, unix mode or None)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, mode in members:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode is not None:
                info.external_attr = mode << 16
            archive.writestr(info, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "archive, pattern",
    [
        (tar_archive(("../escaped.txt", b"x", tarfile.REGTYPE, "")), "member '../escaped.txt' would land outside"),
        (tar_archive(("/tmp/absolute.txt", b"x", tarfile.REGTYPE, "")), "member '/tmp/absolute.txt' would land"),
        (tar_archive(("inside", None, tarfile.SYMTYPE, "data.txt")), "member 'inside' is a link"),
        (
            tar_archive(("data.txt", b"x", tarfile.REGTYPE, ""), ("hard", None, tarfile.LNKTYPE, "data.txt")),
            "member 'hard' is a link",
        ),
        (tar_archive(("fifo", None, tarfile.FIFOTYPE, "")), "member 'fifo' is a link or a special file"),
        (zip_archive(("../escaped.txt", b"x", None)), "member '../escaped.txt' would land outside"),
        (zip_archive(("link", b"data.txt", 0o120777)), "member 'link' is a link"),
    ],
    ids=["tar-dotdot", "tar-absolute", "tar-symlink", "tar-hardlink", "tar-fifo", "zip-dotdot", "zip-symlink"],
)
def test_archive_members_that_escape_or_link_are_refused(tmp_path, archive, pattern):
    path = tmp_path / "archive"
    path.write_bytes(archive)
    with pytest.raises(ValueError, match=f"Could not extract .*archive: {pattern}"):
        file_utils.extract_archive(str(path), str(tmp_path / "out"))
    assert files_under(tmp_path) == ["archive"]


@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_extraction_is_capped_by_the_archive_size(tmp_path, monkeypatch, kind):
    monkeypatch.setattr(file_utils, "EXTRACT_FLOOR", 1 << 20)
    zeros = bytes(4 << 20)  # 4 MB of zeros in a few KB: above 100 x the archive
    archive = (
        tar_archive(("zeros", zeros, tarfile.REGTYPE, "")) if kind == "tar" else zip_archive(("zeros", zeros, None))
    )
    path = tmp_path / "bomb"
    path.write_bytes(archive)
    assert len(archive) < 40_000
    with pytest.raises(ValueError, match="its members hold more than max_bytes=1048576 bytes"):
        file_utils.extract_archive(str(path), str(tmp_path / "out"))
    assert files_under(tmp_path) == ["bomb"]
    file_utils.extract_archive(str(path), str(tmp_path / "out"), max_bytes=8 << 20)
    assert (tmp_path / "out" / "zeros").stat().st_size == 4 << 20


def test_extraction_through_get_file_is_checked_too(server, tmp_path):
    server.serve("evil.tar.gz", tar_archive(("link", None, tarfile.SYMTYPE, "/etc/passwd")))
    with pytest.raises(ValueError, match="member 'link' is a link"):
        get_file("evil", f"{server.url}/evil.tar.gz", extract=True, cache_dir=tmp_path)
    assert not (tmp_path / "datasets" / "evil").exists()


def test_a_corrupt_archive_is_a_value_error(tmp_path):
    archive = bytearray(zip_archive(("a.txt", b"a" * 1000, None)))
    archive[40:60] = bytes(20)  # inside the compressed data
    path = tmp_path / "corrupt.zip"
    path.write_bytes(bytes(archive))
    with pytest.raises(ValueError, match="Could not extract .*corrupt.zip"):
        file_utils.extract_archive(str(path), str(tmp_path / "out"))
    assert files_under(tmp_path) == ["corrupt.zip"]


def test_a_dataset_npz_member_bomb_is_refused_before_inflating(tmp_path):
    path = tmp_path / "imdb.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x_train.npy", bytes(16 << 20))  # 16 MB of zeros in ~16 KB
    assert path.stat().st_size < 100_000
    with pytest.raises(ValueError, match="imdb.npz: member 'x_train.npy' is refused: .*zip bomb"):
        load_npz(str(path))
