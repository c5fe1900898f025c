"""Fernet encryption of provider secrets at rest.

The key never lives in the database: it comes from the ``ddcpts_encryption_key`` option of odoo.conf
or from the ``DDCPTS_ENCRYPTION_KEY`` environment variable. Several comma-separated keys may be given,
newest first: the first one encrypts, every one decrypts. That is how keys are rotated: prepend the
new key, run the rotation, then drop the old key.
"""
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from odoo.exceptions import UserError
from odoo.tools import config
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

CONFIG_OPTION = 'ddcpts_encryption_key'
ENVIRONMENT_VARIABLE = 'DDCPTS_ENCRYPTION_KEY'


def configured_keys():
    raw = config.get(CONFIG_OPTION) or os.environ.get(ENVIRONMENT_VARIABLE) or ''
    return [key.strip() for key in raw.split(',') if key.strip()]


def is_configured():
    return bool(configured_keys())


def _fernet():
    keys = configured_keys()
    if not keys:
        raise UserError(_lt(
            "No encryption key is configured, so secrets cannot be saved. Set the %(option)s option in "
            "odoo.conf or the %(variable)s environment variable to a Fernet key and restart Odoo.",
            option=CONFIG_OPTION, variable=ENVIRONMENT_VARIABLE,
        ))
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as error:
        raise UserError(_lt(
            "The configured encryption key is not a valid Fernet key (32 url-safe base64-encoded bytes)."
        )) from error


def encrypt(clear_text):
    return _fernet().encrypt(clear_text.encode()).decode()


def decrypt(token):
    return _with_keys('decrypt', token, _lt(
        "A stored secret cannot be decrypted with the configured encryption key. "
        "Was the key changed without a rotation?"
    ))


def rotate(token):
    """Re-encrypt ``token`` with the newest key (it may have been encrypted with any configured key)."""
    return _with_keys('rotate', token, _lt(
        "A stored secret cannot be decrypted with any configured encryption key, so it cannot be "
        "rotated. Keep the old key in the list until the rotation has run."
    ))


def _with_keys(operation, token, message):
    try:
        return getattr(_fernet(), operation)(token.encode()).decode()
    except InvalidToken as error:
        raise UserError(message) from error
