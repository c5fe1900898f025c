"""Errors of the SMS gateways."""


class GatewayUnavailable(Exception):
    """The gateway itself cannot send now (no answer, 5xx, refused credentials, refused request):
    the same messages are tried on the next gateway. Never raised for a refused number."""
