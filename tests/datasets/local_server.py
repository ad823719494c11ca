"""An HTTP server on 127.0.0.1 in a thread, serving scripted responses; no test touches another address.

`server.serve(path, *responses)` queues responses for `path`: bytes (a good 200), an int (that status),
or `Truncated(data, sent)` (announces len(data) bytes, sends `sent`, then closes), or `Unsized(data)` (sends
data without a Content-Length, ending it by closing), or `Endless()` (to a POST: a body that never ends).
The last response repeats once the queue is down to it. `server.hits[path]` counts requests. A POST gets
the next response's status (200 for bytes) and is kept in `server.posts` as `(path, headers, body)`.
"""

import collections
import http.server
import threading


class Truncated:
    def __init__(self, data, sent):
        self.data, self.sent = data, sent


class Unsized:
    def __init__(self, data):
        self.data = data


class Endless:
    """Sends `chunk` again and again, without a Content-Length, until the client hangs up."""

    def __init__(self, chunk=b"x" * 4096):
        self.chunk = chunk


class LocalServer:
    def __init__(self):
        self.responses = {}
        self.hits = collections.Counter()
        self.posts = []
        handler = type("Handler", (_Handler,), {"owner": self})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"

    def serve(self, path, *responses):
        self.responses["/" + path.lstrip("/")] = list(responses)

    def next_response(self, path):
        self.hits[path] += 1
        queue = self.responses.get(path, [404])
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


class _Handler(http.server.BaseHTTPRequestHandler):
    owner = None

    def do_GET(self):
        response = self.owner.next_response(self.path)
        if isinstance(response, int):
            self.send_error(response)
            return
        if isinstance(response, Unsized):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(response.data)
            self.close_connection = True
            return
        data, sent = (response.data, response.sent) if isinstance(response, Truncated) else (response, len(response))
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[:sent])
        self.close_connection = True

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.owner.posts.append((self.path, dict(self.headers), body))
        response = self.owner.next_response(self.path)
        if isinstance(response, Endless):
            self.send_response(200)
            self.end_headers()
            self.close_connection = True
            try:
                while True:
                    self.wfile.write(response.chunk)
            except OSError:  # the client hung up
                return
        self.send_response(response if isinstance(response, int) else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.close_connection = True

    def log_message(self, *args):
        pass
