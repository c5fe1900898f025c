"""Standalone simulator of the East African providers' HTTP APIs, for tests and demos (never production)."""

from .core import BadRequest, Context, HttpError, Plugin, Request, Response, Sandbox
from .server import make_server, serve

__all__ = ["BadRequest", "Context", "HttpError", "Plugin", "Request", "Response", "Sandbox", "make_server", "serve"]
