"""RemoteMonitor: POST each epoch's logs to a server, as Keras does, with the standard library's urllib."""

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy

from kerasish.callbacks.callback import Callback
from kerasish.distribution.distribution_lib import chief_only

TIMEOUT_SECONDS = 10


class RemoteMonitor(Callback):
    """Args:
    root: The server's root URL (http or https).
    path: The path the events are posted to, after `root`.
    field: The form field holding the JSON of the logs (when `send_as_json` is False).
    headers: Extra HTTP headers, a dict.
    send_as_json: Post the logs as a JSON body (`application/json`) instead of a form field.

    Each epoch end posts `{"epoch": epoch, **logs}`; a server that cannot be reached (or answers with an
    error) gives a warning, never stops training.
    """

    def __init__(
        self,
        root="http://localhost:9000",
        path="/publish/epoch/end/",
        field="data",
        headers=None,
        send_as_json=False,
    ):
        super().__init__()
        scheme = urllib.parse.urlsplit(root).scheme
        if scheme not in ("http", "https"):
            raise ValueError(f"RemoteMonitor: `root` must be an http or https URL. Received: root={root!r}")
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    @chief_only
    def on_epoch_end(self, epoch, logs=None):
        send = {"epoch": epoch}
        for key, value in (logs or {}).items():
            send[key] = value.item() if isinstance(value, (numpy.ndarray, numpy.generic)) else value
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers, method="POST")
        try:
            # The status is all that matters; the body is never read, so a server cannot hold training.
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS):
                pass
        except (urllib.error.URLError, OSError) as error:
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root} ({error})", stacklevel=2)
