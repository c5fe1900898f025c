"""Exceptions other addons catch or raise when talking to providers."""
from odoo.exceptions import UserError


class ProviderError(UserError):
    """The provider could not be reached (timeout, connection refused) after the allowed attempts."""


class CallbackInputError(Exception):
    """What a provider sent cannot be used (not JSON, a missing or mistyped field): answered 4xx."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status
