"""The simulator's WSGI application: requests, responses, routing, plugins and the control API."""

import collections
import http
import itertools
import json
import logging
import re
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

from .callbacks import CallbackDispatcher, now_iso
from .rules import RuleBook

logger = logging.getLogger(__name__)

CONTROL_PREFIX = "/_sandbox/"
REQUEST_LOG_LIMIT = 10_000


class HttpError(Exception):
    """Raised by a handler to answer ``{"error": message}`` with ``status`` instead of a normal response."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class BadRequest(HttpError):
    def __init__(self, message):
        super().__init__(400, message)


class Headers(Mapping):
    """Read-only, case-insensitive header mapping that keeps the names as received."""

    def __init__(self, items=()):
        self._items = {name.lower(): (name, value) for name, value in items}

    def __getitem__(self, name):
        return self._items[name.lower()][1]

    def __iter__(self):
        return (name for name, _ in self._items.values())

    def __len__(self):
        return len(self._items)

    def __repr__(self):
        return f"Headers({dict(self)!r})"


class Request:
    """One incoming HTTP request, fully read, so handlers and the request log see the same bytes."""

    def __init__(self, method, path, *, query=None, headers=(), body=b"", remote_addr=None):
        self.method = method.upper()
        self.path = path
        self.query = dict(query or {})
        self.headers = headers if isinstance(headers, Headers) else Headers(dict(headers).items())
        self.body = body
        self.remote_addr = remote_addr
        self.path_params = {}

    @classmethod
    def from_environ(cls, environ):
        headers = [
            (key[5:].replace("_", "-").title(), value) for key, value in environ.items() if key.startswith("HTTP_")
        ]
        for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
            if environ.get(key):
                headers.append((name, environ[key]))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        return cls(
            environ["REQUEST_METHOD"],
            environ.get("PATH_INFO") or "/",
            query=urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True),
            headers=Headers(headers),
            body=environ["wsgi.input"].read(length) if length > 0 else b"",
            remote_addr=environ.get("REMOTE_ADDR"),
        )

    @property
    def text(self):
        return self.body.decode(errors="replace")

    @property
    def content_type(self):
        """The media type without parameters, lower-cased (``application/json``)."""
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    def json(self):
        """The body parsed as JSON; raises :class:`BadRequest` (HTTP 400) when it is empty or malformed."""
        if not self.body:
            raise BadRequest("request body is empty, expected JSON")
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise BadRequest(f"request body is not valid JSON: {exc}") from exc

    def json_or_none(self):
        try:
            return self.json()
        except BadRequest:
            return None

    def form(self):
        """The body parsed as ``application/x-www-form-urlencoded``; a repeated field keeps its last value."""
        try:
            return dict(urllib.parse.parse_qsl(self.body.decode(), keep_blank_values=True))
        except UnicodeDecodeError as exc:
            raise BadRequest(f"request body is not a valid form: {exc}") from exc


class Response:
    """An HTTP answer; a dict or list body is sent as JSON, a str as UTF-8 text."""

    def __init__(self, body=b"", status=200, headers=None, content_type=None):
        if isinstance(body, (dict, list)):
            body, content_type = json.dumps(body), content_type or "application/json"
        if isinstance(body, str):
            body, content_type = body.encode(), content_type or "text/plain; charset=utf-8"
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        if content_type:
            self.headers.setdefault("Content-Type", content_type)

    @classmethod
    def json(cls, obj, status=200):
        return cls(json.dumps(obj), status, content_type="application/json")

    @classmethod
    def text(cls, text, status=200):
        return cls(text, status)

    @classmethod
    def empty(cls, status=204):
        return cls(b"", status)

    @property
    def status_line(self):
        try:
            return f"{self.status} {http.HTTPStatus(self.status).phrase}"
        except ValueError:
            return f"{self.status} Unknown"


_PLACEHOLDER = re.compile(r"\{(\w+)(:path)?\}")


def compile_pattern(pattern):
    """``/a/{id}`` matches one path segment; ``/a/{rest:path}`` matches the rest of the path, slashes included."""
    regex, position = [], 0
    for placeholder in _PLACEHOLDER.finditer(pattern):
        regex.append(re.escape(pattern[position : placeholder.start()]))
        regex.append(f"(?P<{placeholder[1]}>{'.+' if placeholder[2] else '[^/]+'})")
        position = placeholder.end()
    regex.append(re.escape(pattern[position:]))
    return re.compile("".join(regex))


class Router:
    """Method + path-pattern dispatch; the first route added wins, so specific patterns go first."""

    def __init__(self):
        self._routes = []

    def add(self, methods, pattern, handler):
        self._routes.append(({method.upper() for method in methods}, compile_pattern(pattern), handler))

    def match(self, method, path):
        """Return ``(handler, path_params)``; raise HttpError 404 (unknown path) or 405 (other method)."""
        path_known = False
        for methods, regex, handler in self._routes:
            found = regex.fullmatch(path)
            if found and method in methods:
                return handler, found.groupdict()
            path_known = path_known or found is not None
        if path_known:
            raise HttpError(405, "method not allowed")
        raise HttpError(404, "no such route")


class Plugin:
    """One simulated provider. Subclasses set ``name``, list their routes and forget their state on reset.

    Handlers are called as ``handler(request, ctx)`` from concurrent threads and return a :class:`Response`;
    state kept in instance attributes must be guarded with a lock.
    """

    name = ""

    def routes(self):
        """``[(methods, pattern, handler), ...]``, e.g. ``(("POST",), "/echo/oauth/token", self.token)``."""
        return []

    def reset(self):
        """Forget everything learnt from requests (tokens, transactions, sessions)."""

    def state(self):
        """A JSON snapshot of the plugin's state, shown by ``GET /_sandbox/state`` for debugging and tests."""
        return {}


@dataclass(frozen=True)
class Context:
    """What a handler may use besides the request: the sandbox and the rule that matched this request."""

    sandbox: "Sandbox"
    rule: dict | None
    generation: int = 0  # the sandbox's reset count when the request arrived

    @property
    def result(self):
        """The matched rule's plugin-specific outcome (``rule['result']``), or ``{}``."""
        return (self.rule or {}).get("result") or {}

    def post_callback(self, url, body, **options):
        """``sandbox.post_callback`` with this request's rule, so its callback settings apply."""
        return self.sandbox.post_callback(url, body, rule=self.rule, generation=self.generation, **options)


class Sandbox:
    """The WSGI application: plugin routes behind scripted rules, plus the ``/_sandbox/`` control API."""

    def __init__(self, plugins=None, *, callback_delay_ms=300, hold_callbacks=False):
        if plugins is None:
            from .plugins import PLUGINS  # imported here because plugin modules import this one

            plugins = [plugin_class() for plugin_class in PLUGINS]
        self.plugins = list(plugins)
        self.rules = RuleBook()
        self.callbacks = CallbackDispatcher(callback_delay_ms, hold=hold_callbacks)
        self._log_lock = threading.Lock()
        self._request_log = collections.deque(maxlen=REQUEST_LOG_LIMIT)
        self._request_ids = itertools.count(1)
        self._generation = 0  # incremented by each reset
        self._routes = Router()
        names = [plugin.name for plugin in self.plugins]
        if len(set(names)) != len(names) or not all(names):
            raise ValueError(f"plugins need distinct, non-empty names: {names}")
        for plugin in self.plugins:
            for methods, pattern, handler in plugin.routes():
                if pattern.startswith(CONTROL_PREFIX):
                    raise ValueError(f"plugin {plugin.name!r} may not route under {CONTROL_PREFIX}: {pattern}")
                self._routes.add(methods, pattern, handler)
        self._control = Router()
        for methods, path, handler in (
            (("GET",), "health", self._health),
            (("POST",), "reset", self._reset),
            (("GET",), "rules", self._list_rules),
            (("POST",), "rules", self._add_rule),
            (("DELETE",), "rules", self._clear_rules),
            (("GET",), "requests", self._list_requests),
            (("GET",), "callbacks", self._list_callbacks),
            (("POST",), "callbacks/wait", self._wait_callbacks),
            (("POST",), "callbacks/deliver", self._deliver_callbacks),
            (("GET",), "state", self._state),
        ):
            self._control.add(methods, CONTROL_PREFIX + path, handler)

    def __call__(self, environ, start_response):
        response = self.handle(Request.from_environ(environ))
        headers = {**response.headers, "Content-Length": str(len(response.body))}
        start_response(response.status_line, list(headers.items()))
        return [response.body]

    def post_callback(self, url, body, *, content_type="json", method="POST", rule=None, headers=None,
                      generation=None, on_finished=None):
        """Deliver ``body`` to ``url`` later, as shaped by ``rule['callback']``; return the delivery id.

        A request that arrived before the last reset (``generation``) delivers nothing: a slow request
        of a previous test must not call back into the next one.
        """
        if generation is not None and generation != self._generation:
            return None
        return self.callbacks.post(url, body, content_type=content_type, method=method, rule=rule, headers=headers,
                                   on_finished=on_finished)

    def reset(self, hold_callbacks=None):
        self.rules.clear()
        self.callbacks.reset(hold=hold_callbacks)
        with self._log_lock:
            self._request_log.clear()
            self._generation += 1
        for plugin in self.plugins:
            plugin.reset()

    def handle(self, request):
        """Answer one request; never raises, so a failing handler cannot take the server down."""
        if request.path.startswith(CONTROL_PREFIX):
            return self._guarded(self._handle_control, request)
        entry = {
            "id": next(self._request_ids),
            "time": now_iso(),
            "method": request.method,
            "path": request.path,
            "query": request.query,
            "headers": dict(request.headers),
            "body": request.text,
            "json": request.json_or_none(),
            "status": None,
        }
        with self._log_lock:
            # logged on arrival: a reset during a slow request forgets it like any earlier request
            self._request_log.append(entry)
            generation = self._generation
        response = self._guarded(self._handle_plugin, request, generation)
        entry["status"] = response.status
        return response

    def _guarded(self, handle, request, *args):
        try:
            return handle(request, *args)
        except HttpError as exc:
            return Response.json({"error": exc.message}, exc.status)
        except Exception as exc:
            logger.exception("%s %s failed", request.method, request.path)
            return Response.json({"error": f"{type(exc).__name__}: {exc}"}, 500)

    def _handle_control(self, request):
        handler, _ = self._control.match(request.method, request.path)
        return handler(request)

    def _handle_plugin(self, request, generation):
        handler, request.path_params = self._routes.match(request.method, request.path)
        rule = self.rules.take(request.method, request.path)
        if rule and rule["delay_ms"]:
            time.sleep(rule["delay_ms"] / 1000)
        if rule and rule["status"] is not None:
            body = rule["body"]
            if body is None:
                body = {"error": f"simulated HTTP {rule['status']} (sandbox rule {rule['id']})"}
            return Response(body, rule["status"])
        response = handler(request, Context(self, rule, generation))
        if not isinstance(response, Response):
            raise TypeError(f"handler for {request.path} returned {type(response).__name__}, not Response")
        return response

    # control API

    def _health(self, request):
        return Response.json({"status": "ok", "plugins": [plugin.name for plugin in self.plugins]})

    def _reset(self, request):
        data = request.json_or_none() or {}
        if not isinstance(data, dict) or not isinstance(data.get("hold_callbacks", False), (bool, type(None))):
            raise BadRequest("expected {\"hold_callbacks\": true|false} or an empty body")
        self.reset(hold_callbacks=data.get("hold_callbacks"))
        return Response.json({"reset": True})

    def _list_rules(self, request):
        return Response.json({"rules": self.rules.list()})

    def _add_rule(self, request):
        try:
            rule = self.rules.add(request.json())
        except ValueError as exc:
            raise BadRequest(str(exc)) from exc
        return Response.json({"id": rule["id"]}, 201)

    def _clear_rules(self, request):
        self.rules.clear()
        return Response.json({"rules": []})

    def _list_requests(self, request):
        prefix = request.query.get("path", "")
        with self._log_lock:
            entries = [entry for entry in self._request_log if entry["path"].startswith(prefix)]
        return Response.json({"requests": entries})

    def _list_callbacks(self, request):
        return Response.json({"callbacks": self.callbacks.records()})

    def _wait_callbacks(self, request):
        data = request.json()
        if not isinstance(data, dict):
            raise BadRequest("expected a JSON object")
        count, timeout = data.get("count"), data.get("timeout", 10)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise BadRequest("count must be an integer >= 0")
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout < 0:
            raise BadRequest("timeout must be a number of seconds >= 0")
        records, complete = self.callbacks.wait(count, timeout)
        return Response.json({"callbacks": records, "complete": complete})

    def _deliver_callbacks(self, request):
        data = request.json_or_none() or {}
        timeout = data.get("timeout", 30) if isinstance(data, dict) else None
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout < 0:
            raise BadRequest("timeout must be a number of seconds >= 0")
        records, complete = self.callbacks.deliver_held(timeout)
        return Response.json({"callbacks": records, "complete": complete})

    def _state(self, request):
        return Response.json({plugin.name: plugin.state() for plugin in self.plugins})
