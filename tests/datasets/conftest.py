"""Fixtures: a local HTTP server (127.0.0.1 only) and the dataset mirror served from it."""

import hashlib

import pytest

from kerasish.datasets import origins
from kerasish.utils import file_utils


@pytest.fixture
def mirror(server, tmp_path, monkeypatch):
    """Serve files from the local server as the datasets mirror, with their hashes registered."""
    monkeypatch.setenv("KERASISH_DATASETS_URL", server.url + "/mirror")
    monkeypatch.setenv("KERASISH_HOME", str(tmp_path))
    monkeypatch.setattr(file_utils, "RETRY_DELAY", 0.0)
    hashes = dict(origins.FILE_HASHES)
    monkeypatch.setattr(origins, "FILE_HASHES", hashes)

    def publish(name, data):
        server.serve(f"mirror/{name}", data)
        hashes[name] = hashlib.sha256(data).hexdigest()

    publish.server = server
    return publish
