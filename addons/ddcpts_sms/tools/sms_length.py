"""How many SMS a text costs: gateways bill per part.

GSM-7 texts take 160 septets in one SMS, 153 per part once split (the rest is the concatenation
header); the extension characters (``€ [ ] { } \\ ^ ~ |`` and form feed) take two septets and are
never split across parts. One character outside GSM-7 turns the whole text into UCS-2: 70 UTF-16
units in one SMS, 67 per part, a surrogate pair (emoji) never split.
"""
from collections import namedtuple

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
LIMITS = {'gsm7': (160, 153), 'ucs2': (70, 67)}

SmsLength = namedtuple('SmsLength', 'encoding units parts')


def sms_length(text):
    """Return ``SmsLength(encoding, units, parts)`` of ``text`` (``encoding`` is ``gsm7`` or ``ucs2``)."""
    text = text or ''
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text):
        encoding, widths = 'gsm7', [2 if char in GSM7_EXTENSION else 1 for char in text]
    else:
        encoding, widths = 'ucs2', [2 if ord(char) > 0xFFFF else 1 for char in text]
    single, per_part = LIMITS[encoding]
    units = sum(widths)
    if units <= single:
        return SmsLength(encoding, units, 1)
    parts, filled = 1, 0
    for width in widths:
        if filled + width > per_part:
            parts, filled = parts + 1, 0
        filled += width
    return SmsLength(encoding, units, parts)
