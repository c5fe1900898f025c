"""Exceptions other addons catch or raise when talking to providers."""
from psycopg2 import errors as pg_errors

from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

# errors after which a callback is processed again in a new transaction
RETRYABLE_DATABASE_ERRORS = (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, pg_errors.UniqueViolation)


class ProviderError(UserError):
    """The provider could not be reached (timeout, connection refused) after the allowed attempts."""


class CallbackDeferred(Exception):
    """The record a callback changes is locked by a long transaction (post-processing, a cron): the
    callback is acknowledged and left "received", and ``ddcpts.callback``'s cron processes it again."""


class CallbackInputError(Exception):
    """What a provider sent cannot be used (not JSON, a missing or mistyped field): answered 4xx.

    :param reply: when set, the provider is answered this instead (HTTP 200; a dict as JSON, a string
        as text), e.g. a USSD gateway that shows the answer to a caller; the callback is still failed
    """

    def __init__(self, message, status=400, reply=None):
        super().__init__(message)
        self.status = status
        self.reply = reply
