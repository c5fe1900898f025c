"""Signature of outbound webhooks: ``X-DDCPTS-Signature: t=<unix time>,v1=<hex HMAC-SHA256>``.

The HMAC covers ``"<t>.<body>"`` with the endpoint's secret, so a receiver can check both origin
and freshness (reject old timestamps to stop replays). README.md shows the receiver side.
"""
import hashlib
import hmac
import time

HEADER = 'X-DDCPTS-Signature'
DEFAULT_TOLERANCE = 300


def sign(secret, body, timestamp=None):
    """Return the header value signing ``body`` (str) at ``timestamp`` (default: now)."""
    timestamp = int(time.time() if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f'{timestamp}.{body}'.encode(), hashlib.sha256).hexdigest()
    return f't={timestamp},v1={digest}'


def verify(secret, body, header, tolerance=DEFAULT_TOLERANCE, now=None):
    """True when ``header`` is a valid signature of ``body`` made less than ``tolerance`` s ago."""
    try:
        parts = dict(item.split('=', 1) for item in (header or '').split(','))
        timestamp = int(parts['t'])
        received = parts['v1']
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f'{timestamp}.{body}'.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received)
