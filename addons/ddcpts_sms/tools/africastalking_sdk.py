"""The official Africa's Talking SDK, routed through the gateway's logged HTTP client.

The SDK builds the requests (form fields, ``apiKey`` header, number validation, base URLs: live, or
its sandbox when the username is ``sandbox``), but sends them with ``requests`` itself, unlogged, and
turns every non-2xx answer into a bare exception. Its services send through one overridable method,
``_make_request``, and keep their root in ``_baseUrl``: the subclasses below point that root at the
gateway's API URL when one is set (the simulator, a proxy) and send through
``gateway._ddcpts_request``, so each call is logged with the key masked, and the caller gets the
``requests.Response`` with its status code to tell a gateway outage from a refused number.
"""
from africastalking.Application import ApplicationService
from africastalking.Service import validate_phone
from africastalking.SMS import SMSService

API_VERSION_PATH = '/version1'

__all__ = ['GatewayApplicationService', 'GatewaySMSService', 'validate_phone']


class _ThroughGateway:
    """Mixin of the SDK services: base URL and transport come from an ``ddcpts.sms.gateway``."""

    def __init__(self, gateway, username, api_key, *, api_root=None, timeout=15, endpoint='sms', related=None):
        self._gateway = gateway
        self._api_root = (api_root or '').rstrip('/')
        self._timeout = timeout
        self._endpoint = endpoint
        self._related = related
        super().__init__(username, api_key)

    def _init_service(self):
        super()._init_service()
        if self._api_root:
            self._baseUrl = self._contentUrl = self._api_root + API_VERSION_PATH

    def _make_request(self, url, method, headers, data, params, callback=None, timeout=None):
        return self._gateway._ddcpts_request(
            method, url, endpoint=self._endpoint, data=data, params=params, headers=headers,
            timeout=self._timeout, related=self._related, secret_values=(self._api_key,),
        )


class GatewaySMSService(_ThroughGateway, SMSService):
    """``SMS.send(message, recipients, sender_id, enqueue)`` returning the ``requests.Response``."""


class GatewayApplicationService(_ThroughGateway, ApplicationService):
    """``fetch_application_data()`` (``GET /version1/user``: the balance)."""
