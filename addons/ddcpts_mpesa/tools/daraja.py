"""Reading and writing Daraja's wire formats, without the ORM (docs/providers/daraja.md).

Callback bodies are checked by ``tools/schemas.py``; what is here builds requests (password, security
credential, account reference) and reads the values schemas and the statement import share (times,
amounts, the AccountBalance string). Daraja sends numbers as numbers or strings depending on the API
(``"5.00"``, ``1.00``, ``"3599"``): parsing raises ``ValueError`` with a sentence when a value cannot
be used.
"""
import base64
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

import pytz
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding

from odoo.addons.ddcpts_mpesa import const

TIMESTAMP_FORMATS = ('%Y%m%d%H%M%S', '%d.%m.%Y %H:%M:%S', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S',
                     '%d-%m-%Y %H:%M:%S', '%d/%m/%Y %H:%M:%S', '%Y/%m/%d %H:%M:%S', '%d-%m-%Y %H:%M',
                     '%d/%m/%Y %H:%M')


def parse_amount(value, what="amount"):
    """A money amount sent as a number or a string (``"1,000.00"``) -> Decimal."""
    if isinstance(value, bool) or value is None or value == '':
        raise ValueError(f"The {what} is missing.")
    try:
        amount = Decimal(str(value).replace(',', '').strip())
    except InvalidOperation as error:
        raise ValueError(f"The {what} {value!r} is not a number.") from error
    if not amount.is_finite():
        raise ValueError(f"The {what} {value!r} is not a number.")
    return amount


def parse_timestamp(value):
    """A Daraja time (``20191219102115``, ``06.07.2024 22:48:52``…, Nairobi time) -> naive UTC datetime.

    Returns None when the value is missing or unreadable: times are informative, never required.
    """
    if value in (None, '') or isinstance(value, bool):
        return None
    text = str(value).strip()
    if re.fullmatch(r'\d{14}(\.0+)?', text):
        text = text[:14]
    for fmt in TIMESTAMP_FORMATS:
        try:
            local = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return pytz.timezone(const.TIMEZONE).localize(local).astimezone(pytz.utc).replace(tzinfo=None)
    return None


def timestamp_now():
    """``YYYYMMDDHHmmss`` in Nairobi time, the clock of Safaricom's servers."""
    return datetime.now(pytz.timezone(const.TIMEZONE)).strftime('%Y%m%d%H%M%S')


def stk_password(shortcode, passkey, timestamp):
    """base64(BusinessShortCode + Passkey + Timestamp); built from the same timestamp string that is sent."""
    return base64.b64encode(f'{shortcode}{passkey}{timestamp}'.encode()).decode()


def security_credential(password, certificate):
    """The initiator password RSA-encrypted (PKCS#1 v1.5) with Safaricom's certificate, base64.

    :param bytes certificate: the certificate as downloaded (PEM, or DER)
    """
    try:
        if b'-----BEGIN' in certificate:
            loaded = x509.load_pem_x509_certificate(certificate)
        else:
            loaded = x509.load_der_x509_certificate(certificate)
    except ValueError as error:
        raise ValueError("The M-Pesa certificate is not a valid X.509 certificate (PEM or DER).") from error
    return base64.b64encode(loaded.public_key().encrypt(password.encode(), padding.PKCS1v15())).decode()


def error_code(data):
    """The ``errorCode`` of a Daraja error body, or None."""
    return str(data.get('errorCode') or '') or None if isinstance(data, dict) else None


def error_message(data, default=''):
    if not isinstance(data, dict):
        return default
    return str(data.get('errorMessage') or data.get('ResponseDescription') or data.get('resultDesc') or default)


def is_accepted(data):
    """Only ``ResponseCode`` "0" (or 0) means Safaricom accepted the request."""
    return isinstance(data, dict) and str(data.get('ResponseCode', '')).strip() in ('0', '00000000')


def alphanumeric(text):
    return re.sub(r'[^A-Za-z0-9]', '', text or '').upper()


def account_reference(text):
    """AccountReference (≤ 12 characters, shown on the phone): the document reference without separators,
    cut from the start so that the distinctive end (the sequence number) stays."""
    return alphanumeric(text)[-const.ACCOUNT_REFERENCE_LENGTH:] or 'PAYMENT'


def parse_balances(text):
    """AccountBalance ``Working Account|KES|700000.00|700000.00|0.00|0.00&Utility Account|…``.

    :return: list of dicts with account, currency, current, available, reserved, uncleared (Decimals)
    """
    balances = []
    for chunk in str(text or '').split('&'):
        fields = [field.strip() for field in chunk.split('|')]
        if len(fields) < 3 or not fields[0]:
            continue
        numbers = []
        for field in fields[2:6]:
            try:
                numbers.append(parse_amount(field))
            except ValueError:
                numbers.append(Decimal(0))
        numbers += [Decimal(0)] * (4 - len(numbers))
        balances.append(dict(zip(('account', 'currency', 'current', 'available', 'reserved', 'uncleared'),
                                 [fields[0], fields[1], *numbers])))
    return balances
