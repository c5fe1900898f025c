"""A generic provider with the usual shape (OAuth token, bearer-protected API, async callbacks).

It exercises the simulator itself, so the foundation's tests do not depend on any real provider's format.
"""

from ..core import BadRequest, HttpError, Plugin, Response
from ..tokens import BearerTokens


class EchoPlugin(Plugin):
    name = "echo"

    def __init__(self):
        self.tokens = BearerTokens()

    def routes(self):
        return [
            (("POST",), "/echo/oauth/token", self.token),
            (("POST",), "/echo/api/callback", self.callback),
            (("GET", "POST", "PUT", "DELETE"), "/echo/api/{anything:path}", self.api),
            (("GET", "POST"), "/echo/hooks/{name:path}", self.hook),
        ]

    def reset(self):
        self.tokens.reset()

    def state(self):
        return self.tokens.state()

    def token(self, request, ctx):
        """Issue a bearer token for any Basic credentials; rule result ``{"expires_in": N}`` sets its lifetime."""
        if not request.headers.get("Authorization", "").startswith("Basic "):
            raise HttpError(401, "invalid_client")
        expires_in = ctx.result.get("expires_in", 3600)
        token = self.tokens.issue(expires_in)
        return Response.json({"access_token": token, "expires_in": expires_in, "token_type": "Bearer"})

    def api(self, request, ctx):
        """Echo the request back; rule ``result`` fields are merged into the answer."""
        self._authorize(request)
        answer = {
            "ok": True,
            "method": request.method,
            "path": request.path,
            "json": request.json_or_none(),
            "form": request.form() if request.content_type == "application/x-www-form-urlencoded" else None,
            "query": request.query,
        }
        answer.update(ctx.result)
        return Response.json(answer)

    def callback(self, request, ctx):
        """Accept now, deliver ``payload`` to ``callback_url`` later, like a provider's async notification."""
        self._authorize(request)
        data = request.json()
        if not isinstance(data, dict) or not isinstance(data.get("callback_url"), str):
            raise BadRequest("expected a JSON object with a callback_url")
        try:
            ctx.post_callback(data["callback_url"], data.get("payload"), content_type=data.get("content_type", "json"))
        except ValueError as exc:
            raise BadRequest(str(exc)) from exc
        return Response.json({"accepted": True}, 202)

    def hook(self, request, ctx):
        """A receiver of outbound webhooks: accepts anything (rules script failures).

        What it received is read back from ``/_sandbox/requests``.
        """
        return Response.json({"received": True, **ctx.result})

    def _authorize(self, request):
        if not self.tokens.is_valid(request):
            raise HttpError(401, "invalid_token")
