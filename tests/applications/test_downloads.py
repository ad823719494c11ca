"""weights="imagenet" downloads from a local HTTP server on 127.0.0.1 into $KERASISH_HOME/models with the
published hash checked: MD5 for a Keras source, the SHA-256 prefix for a torchvision source."""

import dataclasses
import hashlib
import http.server
import json
import os
import threading

import h5py
import numpy
import pytest

import kerasish
from kerasish.applications import loading, weight_sources
from kerasish.backends.io.torch_pth import load_pth, save_pth
from kerasish.saving.legacy_h5_format import write_layer_weights
from kerasish.utils import file_utils

from . import weight_generator

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "applications")


class Server(http.server.BaseHTTPRequestHandler):
    """Serves `files` by name; "/truncated/<name>" announces the full length but sends half; "/error" is a 500."""

    files = {}

    def do_GET(self):
        if self.path == "/error":
            self.send_error(500, "server exploded")
            return
        truncated = self.path.startswith("/truncated/")
        body = self.files.get(self.path.rsplit("/", 1)[-1])
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if truncated else body)

    def log_message(self, *arguments):
        pass


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASISH_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(file_utils, "RETRY_DELAY", 0.0)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Server)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def small_pth(tmp_path):
    path = tmp_path / "small.pth"
    save_pth({"fc.weight": numpy.arange(12, dtype="float32").reshape(3, 4)}, path)
    return path.read_bytes()


def small_h5(tmp_path):
    path = tmp_path / "small.h5"
    with h5py.File(path, "w") as f:
        write_layer_weights(f, [("fc1000", [("kernel", numpy.ones((4, 3), "float32"))])])
    return path.read_bytes()


CASES = {
    "torchvision": ("resnet18", small_pth, lambda body: hashlib.sha256(body).hexdigest()[:8], "sha256"),
    "keras": ("resnet50", small_h5, lambda body: hashlib.md5(body).hexdigest(), "md5"),
}


def serve(case, tmp_path, server, *, path="", wrong_hash=False, make_bytes=None):
    """The WeightSource for `case` served by the local server, with its published-style hash."""
    model, small_bytes, published_hash, algorithm = CASES[case]
    body = (make_bytes or small_bytes)(tmp_path)
    file_hash = published_hash(body)
    if wrong_hash:
        file_hash = ("0" if file_hash[0] != "0" else "1") + file_hash[1:]
    name = f"{model}-{case}.{'pth' if case == 'torchvision' else 'h5'}"
    Server.files = {name: body}
    return weight_sources.WeightSource(model, case, f"{server}/{path or name}", file_hash, algorithm, True)


def cached(source):
    return os.path.join(os.environ["KERASISH_HOME"], "models", source.file_name)


def cache_listing():
    folder = os.path.join(os.environ["KERASISH_HOME"], "models")
    return os.listdir(folder) if os.path.isdir(folder) else []


@pytest.mark.parametrize("case", sorted(CASES))
def test_right_hash_downloads_once_into_the_cache(case, tmp_path, server):
    source = serve(case, tmp_path, server)
    path = loading.download(source)
    assert path == cached(source) and loading.detect_source(path) == case
    Server.files = {}  # the second call must be served by the cache
    assert loading.download(source) == path


@pytest.mark.parametrize("case", sorted(CASES))
def test_wrong_hash_is_refused_and_not_cached(case, tmp_path, server):
    source = serve(case, tmp_path, server, wrong_hash=True)
    with pytest.raises(ValueError, match="hash"):
        loading.download(source)
    assert cache_listing() == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_truncated_transfer_is_retried_then_refused_and_not_cached(case, tmp_path, server):
    source = serve(case, tmp_path, server)
    source = dataclasses.replace(source, url=source.url.rsplit("/", 1)[0] + "/truncated/" + source.file_name)
    with pytest.raises(OSError, match="stopped after"):
        loading.download(source)
    assert cache_listing() == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_server_error_is_refused_and_not_cached(case, tmp_path, server):
    source = serve(case, tmp_path, server, path="error")
    with pytest.raises(OSError, match="500"):
        loading.download(source)
    assert cache_listing() == []


@pytest.mark.slow  # the download tests above and tests/applications/test_loading.py cover each half
def test_imagenet_weights_download_and_load_end_to_end(tmp_path, server, monkeypatch):
    source = serve("torchvision", tmp_path, server, make_bytes=resnet18_bytes)
    monkeypatch.setattr(weight_sources, "SOURCES", [source])
    model = kerasish.applications.ResNet18(weights="imagenet")
    assert os.path.isfile(cached(source)) and model.meta["source"] == "torchvision"
    expected = load_pth(cached(source))["fc.weight"]
    numpy.testing.assert_array_equal(model.get_layer("predictions").get_weights()[0], expected.T)


def resnet18_bytes(tmp_path):
    with open(os.path.join(FIXTURES, "resnet18_torchvision.json")) as f:
        keys = json.load(f)["weights"]
    path = tmp_path / "resnet18.pth"
    save_pth(weight_generator.torch_state(keys), path)
    return path.read_bytes()


def test_hash_prefix_matches_only_when_long_enough(tmp_path):
    path = tmp_path / "file.bin"
    path.write_bytes(b"kerasish")
    digest = hashlib.sha256(b"kerasish").hexdigest()
    assert file_utils.validate_file(path, digest[:8], "sha256")
    assert file_utils.validate_file(path, digest, "sha256")
    assert not file_utils.validate_file(path, "0" * 8 if digest[0] != "0" else "1" * 8, "sha256")
    with pytest.raises(ValueError, match="too short"):
        file_utils.validate_file(path, digest[:7], "sha256")
