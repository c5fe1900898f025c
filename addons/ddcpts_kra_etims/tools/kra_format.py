"""KRA's wire formats: Nairobi-time timestamps without separators, numbers that may arrive as strings."""
from datetime import date, datetime

import pytz

from odoo.addons.ddcpts_kra_etims.const import DATE_FORMAT, DATETIME_FORMAT, KRA_TIMEZONE

NAIROBI = pytz.timezone(KRA_TIMEZONE)


def kra_datetime(moment=None):
    """``yyyyMMddHHmmss`` in Nairobi time of a naive UTC datetime (default: now)."""
    moment = moment or datetime.utcnow()
    return pytz.utc.localize(moment).astimezone(NAIROBI).strftime(DATETIME_FORMAT)


def kra_date(day):
    return (day or date.today()).strftime(DATE_FORMAT)


def parse_kra_datetime(value):
    """KRA's ``yyyyMMddHHmmss`` (Nairobi) as a naive UTC datetime; False when absent or malformed."""
    text = str(value or '').strip()
    try:
        local = datetime.strptime(text[:14], DATETIME_FORMAT)
    except ValueError:
        return False
    return NAIROBI.localize(local).astimezone(pytz.utc).replace(tzinfo=None)


def parse_kra_date(value, formats=(DATE_FORMAT, '%d%m%Y')):
    """A date sent as ``yyyyMMdd`` (or ``ddMMyyyy``, as customs declaration dates are); False if neither."""
    text = str(value or '').strip()[:8]
    for date_format in formats:
        try:
            return datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    return False


def to_float(value, default=0.0):
    """A number KRA sent as a number, a string or null."""
    try:
        return float(str(value).replace(',', '')) if value not in (None, '') else default
    except ValueError:
        return default


def group_by_four(text):
    """``QUII27MATATSHFRB`` -> ``QUII-27MA-TATS-HFRB``: how receipts print the internal data and signature."""
    text = text or ''
    return '-'.join(text[index:index + 4] for index in range(0, len(text), 4))
