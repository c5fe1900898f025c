"""What a gateway answers about each number: at sending time, then in delivery reports."""
import re
from collections import namedtuple

# One number of a send request. ``accepted``: handed to the carrier (``message_id`` identifies it in
# delivery reports). Otherwise ``failure_type`` (an sms.sms failure type) and ``reason`` (the
# provider's words); ``retry_elsewhere`` when the refusal is about this gateway (balance, sender id,
# its own outage), not the number.
SendOutcome = namedtuple(
    'SendOutcome',
    'accepted message_id failure_type reason retry_elsewhere parts cost currency provider_status',
    defaults=(None, False, None, False, None, None, None, None),
)

# One delivery report. ``state``: delivered, failed, buffered or None (unknown: only logged);
# ``delivery_error``: for failures, the mail.notification delivery error without its ``sms_`` prefix
# (expired, not_delivered, invalid_destination, not_allowed, rejected); ``raw``: the item of a report
# carrying several (Infobip, MTN), so the ones about SMS not recorded yet can be kept for later.
DeliveryReport = namedtuple(
    'DeliveryReport',
    'message_id number state provider_status delivery_error reason cost currency parts network_code raw',
    defaults=(None, None, None, None, None, None, None, None),
)

# One message a subscriber sent to the business (or an opt-out, ``opt_out`` True).
IncomingMessage = namedtuple(
    'IncomingMessage', 'message_id number recipient text link_id network_code received_at opt_out',
    defaults=(None, None, None, None, False),
)

AMOUNT = re.compile(r'^\s*(?:([A-Za-z]{3})\s+)?(-?\d+(?:\.\d+)?)\s*$')


def accepted(message_id, **values):
    return SendOutcome(True, message_id, **values)


def refused(failure_type, reason, retry_elsewhere=False, **values):
    return SendOutcome(False, None, failure_type, reason, retry_elsewhere, **values)


def parse_cost(text):
    """``"KES 0.8000"`` -> ``("KES", 0.8)``; ``"0"`` -> ``(None, 0.0)``; anything else -> ``(None, None)``."""
    found = AMOUNT.match(str(text)) if text is not None else None
    if not found:
        return None, None
    return (found[1] or '').upper() or None, abs(float(found[2]))


def as_int(value):
    """An integer sent as a number or a string (``"1"``, ``1``, ``1.0``), else None."""
    try:
        return int(float(str(value).strip()))
    except (TypeError, ValueError):
        return None
