"""A live simulator and a live callback receiver, both on free local ports, shared by the whole session.

Everything is exercised over real HTTP; each test starts from a reset simulator and an empty receiver.
"""

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sandbox import HttpError, Plugin, Response, Sandbox, make_server
from sandbox.plugins import PLUGINS


class ProbePlugin(Plugin):
    """A test-only provider covering what echo does not: path parameters, crashing and misbehaving handlers."""

    name = "probe"

    def __init__(self):
        self._lock = threading.Lock()
        self.hits = 0

    def routes(self):
        return [
            (("GET",), "/probe/items/{item_id}", self.item),
            (("GET",), "/probe/crash", self.crash),
            (("GET",), "/probe/not-a-response", self.not_a_response),
            (("GET",), "/probe/teapot", self.teapot),
            (("POST",), "/probe/call-back", self.call_back),
        ]

    def reset(self):
        with self._lock:
            self.hits = 0

    def state(self):
        with self._lock:
            return {"hits": self.hits}

    def item(self, request, ctx):
        with self._lock:
            self.hits += 1
        return Response.json({"item_id": request.path_params["item_id"], "rule": ctx.rule and ctx.rule["id"]})

    def crash(self, request, ctx):
        raise RuntimeError("probe exploded")

    def not_a_response(self, request, ctx):
        return {"ok": True}

    def call_back(self, request, ctx):
        ctx.post_callback(request.json()["url"], {"from": "probe"})
        return Response.json({"accepted": True}, 202)

    def teapot(self, request, ctx):
        raise HttpError(418, "short and stout")


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


class Client:
    """Minimal urllib client that returns error answers instead of raising them."""

    def __init__(self, base_url):
        self.base_url = base_url

    def request(self, method, path, *, json_body=None, form=None, data=None, headers=None):
        headers = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return Reply(exc.code, exc.headers, exc.read())

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def add_rule(self, **rule):
        reply = self.post("/_sandbox/rules", json_body=rule)
        assert reply.status == 201, reply.body
        return reply.json()["id"]

    def token(self, **kwargs):
        reply = self.post("/echo/oauth/token", headers={"Authorization": "Basic dXNlcjpwYXNz"}, **kwargs)
        assert reply.status == 200, reply.body
        return reply.json()["access_token"]

    def wait_callbacks(self, count, timeout=5):
        return self.post("/_sandbox/callbacks/wait", json_body={"count": count, "timeout": timeout}).json()


class Receiver:
    """The merchant side of callbacks: records every request; ``/fail`` answers 500, anything else 200."""

    def __init__(self):
        self.received = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.received.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body, "at": time.monotonic()}
                    )
                status, answer = (500, b"receiver broke") if self.path == "/fail" else (200, b"thanks")
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_PUT = do_POST  # MTN MoMo calls back with PUT

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def clear(self):
        with self._lock:
            self.received.clear()


@pytest.fixture(scope="session")
def load_registry():
    """Override pytest-odoo's session fixture that loads an Odoo registry: the simulator needs no database."""
    yield


def _serve_in_background(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="session")
def sandbox_app():
    return Sandbox([*(plugin_class() for plugin_class in PLUGINS), ProbePlugin()], callback_delay_ms=100)


@pytest.fixture(scope="session")
def sandbox_server(sandbox_app):
    server = make_server(sandbox_app, "127.0.0.1", 0)
    _serve_in_background(server)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def session_receiver():
    receiver = Receiver()
    _serve_in_background(receiver.server)
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def client(sandbox_server):
    client = Client(f"http://127.0.0.1:{sandbox_server.server_port}")
    assert client.post("/_sandbox/reset").status == 200
    return client


@pytest.fixture
def receiver(session_receiver):
    session_receiver.clear()
    return session_receiver
