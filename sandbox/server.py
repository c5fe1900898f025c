"""Serving the simulator with the standard library only: a threaded wsgiref server."""

import logging
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
from wsgiref.simple_server import make_server as _make_server

from .core import Sandbox

logger = logging.getLogger(__name__)


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """One thread per request, so a slow rule or a long callback wait does not block other clients."""

    daemon_threads = True


class QuietRequestHandler(WSGIRequestHandler):
    """One short log line per request instead of wsgiref's Apache-style lines."""

    def log_request(self, code="-", size="-"):
        logger.info("%s %s", self.requestline, code)

    def log_message(self, format, *args):
        logger.warning(format, *args)


def make_server(app, host="127.0.0.1", port=8070):
    """Bind a threaded server for ``app``; port 0 picks a free port (see ``server.server_port``)."""
    return _make_server(host, port, app, server_class=ThreadingWSGIServer, handler_class=QuietRequestHandler)


def serve(host="127.0.0.1", port=8070, *, callback_delay_ms=300, app=None):
    """Serve ``app`` (default: a Sandbox with every plugin) until interrupted."""
    app = app or Sandbox(callback_delay_ms=callback_delay_ms)
    with make_server(app, host, port) as server:
        plugins = ", ".join(plugin.name for plugin in app.plugins)
        logger.info("sandbox listening on http://%s:%s (plugins: %s)", host, server.server_port, plugins)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            logger.info("sandbox stopped")
