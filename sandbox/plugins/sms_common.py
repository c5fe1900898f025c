"""What the simulated SMS gateways share: message parts, number checks, staggered status reports."""

import math
import re
import threading

from ..core import Plugin

E164 = re.compile(r"^\+\d{1,3}\d{3,}$")  # what Africa's Talking and Twilio accept as a recipient

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
STATUS_STEP_MS = 150  # gap between successive status reports of one message, so they arrive in order


def message_parts(text):
    """How many SMS a gateway bills for ``text`` (GSM-7: 160/153 septets, else UCS-2: 70/67 units)."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text):
        units, single, multi = sum(2 if char in GSM7_EXTENSION else 1 for char in text), 160, 153
    else:
        units, single, multi = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / multi)


def is_e164(number):
    return bool(E164.match(number or ""))


def status_sequence(scripted, key, default):
    """The statuses to report for ``key``: ``scripted[key]`` when given (``"Success"``, ``["Buffered",
    "Success"]``, or ``None`` for no report at all), else ``default``."""
    value = (scripted or {}).get(key, default)
    if not value:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def post_in_order(ctx, url, bodies, content_type, headers_for=None):
    """Deliver ``bodies`` to ``url`` one after the other (each later than the previous one)."""
    rule = ctx.rule or {"id": None}
    options = dict(rule.get("callback") or {})
    first_delay = options.get("delay_ms", ctx.sandbox.callbacks.default_delay_ms)
    for index, body in enumerate(bodies):
        staggered = dict(rule, callback=dict(options, delay_ms=first_delay + index * STATUS_STEP_MS))
        headers = headers_for(body) if headers_for else None
        ctx.sandbox.post_callback(url, body, content_type=content_type, rule=staggered, headers=headers,
                                  generation=ctx.generation)


class CountingSmsPlugin(Plugin):
    """A gateway whose only state is how many messages it accepted (shown to tests by ``state()``)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._messages = 0

    def reset(self):
        with self._lock:
            self._messages = 0

    def state(self):
        with self._lock:
            return {"messages": self._messages}

    def _count(self, messages):
        with self._lock:
            self._messages += messages
