"""Masking of credentials before anything is written to a log row or a log line.

Provider calls carry passwords, API keys and bearer tokens in headers, JSON bodies and form bodies;
the call log keeps the rest of the exchange readable while every value under a sensitive name is
replaced by a mask.
"""
import json
import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = '***'
MAX_LOGGED_CHARS = 20000

SENSITIVE_NAMES = frozenset(name.lower() for name in (
    'Authorization', 'Proxy-Authorization', 'apiKey', 'api_key', 'Ocp-Apim-Subscription-Key', 'cmcKey',
    'password', 'Passkey', 'secret', 'client_secret', 'consumer_secret', 'token', 'access_token',
    'refresh_token', 'SecurityCredential', 'X-Twilio-Signature', 'X-DDCPTS-Signature', 'Cookie',
    'Set-Cookie',
))


def is_sensitive(name, extra=()):
    lowered = str(name).lower()
    return lowered in SENSITIVE_NAMES or lowered in extra


def redact_value(value, extra=()):
    """Recursively mask sensitive keys of dicts/lists parsed from JSON."""
    if isinstance(value, dict):
        return {key: MASK if is_sensitive(key, extra) else redact_value(item, extra) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_value(item, extra) for item in value]
    return value


def redact_headers(headers, extra=()):
    return {key: MASK if is_sensitive(key, extra) else value for key, value in (headers or {}).items()}


def redact_url(url, params=None, extra=(), secrets=()):
    """Return ``url`` with ``params`` appended as sent, values of sensitive query parameters masked."""
    extra = frozenset(name.lower() for name in extra)
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if params:
        pairs += list(params.items()) if isinstance(params, dict) else list(params)
    if pairs:
        query = urlencode([(key, MASK if is_sensitive(key, extra) else value) for key, value in pairs], safe='*')
        url = urlunsplit(parts._replace(query=query))
    for secret in secrets:
        if secret:
            url = url.replace(secret, MASK)
    return url


def redact_body(body, extra=(), secrets=()):
    """Return ``body`` (bytes, str, dict or None) as loggable text with credentials masked.

    JSON and url-encoded bodies are masked by key; ``secrets`` are literal values (e.g. the password
    just sent) masked wherever they appear, for bodies of unknown shape.
    """
    extra = frozenset(name.lower() for name in extra)
    if body is None or body == b'' or body == '':
        return ''
    if isinstance(body, bytes):
        body = body.decode('utf-8', errors='replace')
    if isinstance(body, (dict, list)):
        text = json.dumps(redact_value(body, extra), ensure_ascii=False)
    else:
        text = _redact_text(body, extra)
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text[:MAX_LOGGED_CHARS]


def _redact_text(text, extra):
    stripped = text.strip()
    if stripped[:1] in ('{', '['):
        try:
            return json.dumps(redact_value(json.loads(stripped), extra), ensure_ascii=False)
        except ValueError:
            return text
    if '=' in stripped and ' ' not in stripped:
        pairs = parse_qsl(stripped, keep_blank_values=True)
        if pairs:
            return urlencode([(key, MASK if is_sensitive(key, extra) else value) for key, value in pairs])
    return text


# Every callback route has the shape /ddcpts/<provider…>/<int:record_id>/<string:token>/<event>
# (controllers/callback.py): the segment after the first all-digit segment is the URL token.
CALLBACK_TOKEN_IN_PATH = re.compile(r'''(/ddcpts/(?:[\w.-]+/)+?\d+/)[^/\s?#"']+''')


def mask_callback_tokens(text):
    """``text`` with the URL token of every callback path in it replaced by a mask."""
    return CALLBACK_TOKEN_IN_PATH.sub(rf'\g<1>{MASK}', text)


class CallbackTokenFilter(logging.Filter):
    """Masks callback URL tokens in the records of a logger (werkzeug's HTTP access log lines)."""

    def filter(self, record):
        message = record.getMessage()
        masked = mask_callback_tokens(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


TOKEN_LOGGERS = ('werkzeug', 'odoo.http')


def install_callback_token_filter():
    """Install the filter on the loggers that write request paths (once per process)."""
    for name in TOKEN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, CallbackTokenFilter) for existing in logger.filters):
            logger.addFilter(CallbackTokenFilter())
