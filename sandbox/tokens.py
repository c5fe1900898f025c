"""Bearer access tokens issued by a simulated provider's OAuth endpoint and checked on its API calls."""

import secrets
import threading
import time


class BearerTokens:
    """Tokens with their expiry, safe to share between the server's threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        with self._lock:
            self._expiries = {}
            self.issued = 0

    def issue(self, lifetime):
        """A new token valid for ``lifetime`` seconds (a number or a numeric string)."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._expiries[token] = time.monotonic() + float(lifetime)
            self.issued += 1
        return token

    def is_valid(self, request):
        """Whether the request carries ``Authorization: Bearer <an issued, unexpired token>``."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        with self._lock:
            expiry = self._expiries.get(token) if scheme.lower() == "bearer" else None
        return expiry is not None and expiry > time.monotonic()

    def state(self):
        now = time.monotonic()
        with self._lock:
            active = sum(expiry > now for expiry in self._expiries.values())
            return {"tokens_issued": self.issued, "active_tokens": active}
