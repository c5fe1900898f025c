"""What a call to eTIMS can end with, besides a success."""
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.exceptions import ProviderError


class EtimsUnavailable(ProviderError):
    """eTIMS did not give a usable answer (no answer, timeout, HTTP error, garbage, 999): try again later."""


class EtimsRejected(UserError):
    """eTIMS answered with a result code that refuses the request (e.g. 910 parameter error, 901 device)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
