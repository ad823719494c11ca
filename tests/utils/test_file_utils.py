import hashlib
import io
import os
import tarfile
import zipfile

import pytest

from kerasish.utils import file_utils, get_file
from tests.datasets.local_server import Truncated

DATA = b"kerasish test payload " * 1000
SHA256 = hashlib.sha256(DATA).hexdigest()
MD5 = hashlib.md5(DATA).hexdigest()


@pytest.fixture(autouse=True)
def no_retry_delay(monkeypatch):
    monkeypatch.setattr(file_utils, "RETRY_DELAY", 0.0)


def cached_files(cache):
    return sorted(
        os.path.relpath(os.path.join(root, name), cache) for root, _, names in os.walk(cache) for name in names
    )


def test_downloads_once_into_the_cache_and_checks_either_hash(server, tmp_path):
    server.serve("data.bin", DATA)
    path = get_file("data.bin", f"{server.url}/data.bin", file_hash=SHA256, cache_dir=tmp_path)
    assert path == str(tmp_path / "datasets" / "data.bin") and open(path, "rb").read() == DATA
    assert get_file("data.bin", f"{server.url}/data.bin", file_hash=MD5, cache_dir=tmp_path) == path
    assert server.hits["/data.bin"] == 1
    get_file("data.bin", f"{server.url}/data.bin", cache_dir=tmp_path, force_download=True)
    assert server.hits["/data.bin"] == 2


def test_kerasish_home_is_the_default_cache(server, tmp_path, monkeypatch):
    monkeypatch.setenv("KERASISH_HOME", str(tmp_path / "home"))
    server.serve("data.bin", DATA)
    path = get_file(origin=f"{server.url}/data.bin", cache_subdir="models")
    assert path == str(tmp_path / "home" / "models" / "data.bin")


def test_a_wrong_hash_is_an_error_and_leaves_nothing(server, tmp_path):
    server.serve("data.bin", DATA)
    with pytest.raises(ValueError, match=f"sha256 file hash of .*data.bin does not match.*{'0' * 64}"):
        get_file("data.bin", f"{server.url}/data.bin", file_hash="0" * 64, cache_dir=tmp_path)
    assert cached_files(tmp_path) == []


def test_truncated_transfers_and_server_errors_are_retried(server, tmp_path):
    server.serve("data.bin", 500, Truncated(DATA, 100), DATA)
    path = get_file("data.bin", f"{server.url}/data.bin", file_hash=SHA256, cache_dir=tmp_path)
    assert open(path, "rb").read() == DATA and server.hits["/data.bin"] == 3
    assert cached_files(tmp_path) == ["datasets/data.bin"]


def test_giving_up_after_the_attempts_leaves_nothing(server, tmp_path):
    server.serve("data.bin", Truncated(DATA, 10))
    with pytest.raises(OSError, match="stopped after 10 of 22000 bytes \\(after 3 attempts\\)"):
        get_file("data.bin", f"{server.url}/data.bin", cache_dir=tmp_path)
    assert server.hits["/data.bin"] == 3 and cached_files(tmp_path) == []


def test_a_missing_file_is_not_retried(server, tmp_path):
    with pytest.raises(OSError, match="URL fetch failure on .*/nothing.bin: 404 -- Not Found"):
        get_file("nothing.bin", f"{server.url}/nothing.bin", cache_dir=tmp_path)
    assert server.hits["/nothing.bin"] == 1


def test_a_corrupt_cached_file_is_replaced(server, tmp_path, capsys):
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "data.bin").write_bytes(DATA[:50])
    server.serve("data.bin", DATA)
    path = get_file("data.bin", f"{server.url}/data.bin", file_hash=SHA256, cache_dir=tmp_path)
    assert open(path, "rb").read() == DATA
    assert "does not match the original value" in capsys.readouterr().out


def test_a_corrupt_cached_file_is_removed_even_when_the_download_fails(server, tmp_path):
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "data.bin").write_bytes(DATA[:50])
    server.serve("data.bin", 404)
    with pytest.raises(OSError):
        get_file("data.bin", f"{server.url}/data.bin", file_hash=SHA256, cache_dir=tmp_path)
    assert cached_files(tmp_path) == []


def tar_bytes(members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_extract_tar_and_zip_with_keras_naming(server, tmp_path):
    server.serve("pack.tar.gz", tar_bytes({"pack/a.txt": b"a"}))
    directory = get_file("pack", f"{server.url}/pack.tar.gz", extract=True, cache_dir=tmp_path)
    assert directory == str(tmp_path / "datasets" / "pack")
    assert (tmp_path / "datasets" / "pack" / "pack" / "a.txt").read_bytes() == b"a"
    assert (tmp_path / "datasets" / "pack_archive").exists()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("b.txt", "b")
    server.serve("z.zip", buffer.getvalue())
    directory = get_file("z.zip", f"{server.url}/z.zip", extract=True, cache_dir=tmp_path)
    assert directory == str(tmp_path / "datasets" / "z_extracted")
    assert (tmp_path / "datasets" / "z_extracted" / "b.txt").read_text() == "b"


def test_tar_members_escaping_the_directory_are_refused(server, tmp_path):
    server.serve("evil.tar.gz", tar_bytes({"../escaped.txt": b"x"}))
    with pytest.raises(ValueError, match="member '../escaped.txt' would land outside the target folder"):
        get_file("evil", f"{server.url}/evil.tar.gz", extract=True, cache_dir=tmp_path)
    assert not (tmp_path / "datasets" / "escaped.txt").exists()
    assert not (tmp_path / "datasets" / "evil").exists()


def test_argument_errors():
    with pytest.raises(ValueError, match='specify the "origin" argument'):
        get_file("x")
    with pytest.raises(ValueError, match="Paths are no longer accepted.*fname=a/b"):
        get_file("a/b", "http://127.0.0.1:9/a")
    with pytest.raises(ValueError, match="Can't parse the file name from the origin"):
        get_file(origin="http://127.0.0.1:9/")
    with pytest.raises(ValueError, match="Unknown hash_algorithm 'sha1'"):
        file_utils.validate_file(__file__, "abc", algorithm="sha1")
