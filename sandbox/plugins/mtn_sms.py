"""MTN SMS V3 on MADAPI (docs/providers/messaging.md): OAuth token, outbound SMS, callback subscription.

- ``POST /v1/oauth/access_token?grant_type=client_credentials`` (form ``client_id``, ``client_secret``) →
  ``{"access_token", "token_type", "expires_in"}``;
- ``POST /v3/sms/messages/sms/outbound`` (Bearer) ``{"clientCorrelatorId", "message", "receiverAddress": [...],
  "serviceCode", "senderAddress", "requestDeliveryReceipt"}`` → ``{"statusCode": "0000", "transactionId",
  "resourceReference": {...}}``;
- ``POST /v3/sms/messages/sms/subscription`` (Bearer) ``{"serviceCode", "callbackUrl", "deliveryReportUrl"}``.

MTN does not publish its delivery-receipt body; this simulator posts ``{"clientCorrelatorId", "transactionId",
"receiverAddress", "senderAddress", "deliveryStatus", "timestamp"}`` per number to the subscribed
``deliveryReportUrl`` (``deliveryStatus`` from the rule result ``delivery`` ``{"+2547...": "DeliveryImpossible"}``,
default ``"DeliveredToTerminal"``).
"""

import secrets
import threading
from datetime import datetime, timezone

from ..core import BadRequest, HttpError, Plugin, Response
from ..tokens import BearerTokens
from .sms_common import post_in_order, status_sequence

TOKEN_LIFETIME = 3599
BASE_URL = "https://api.mtn.com"


class MtnSmsPlugin(Plugin):
    name = "mtn_sms"

    def __init__(self):
        self._lock = threading.Lock()
        self.tokens = BearerTokens()
        self.reset()

    def routes(self):
        return [
            (("POST",), "/v1/oauth/access_token", self.token),
            (("POST",), "/v3/sms/messages/sms/outbound", self.send),
            (("POST",), "/v3/sms/messages/sms/subscription", self.subscribe),
        ]

    def reset(self):
        self.tokens.reset()
        with self._lock:
            self._subscriptions = {}  # serviceCode -> {"callbackUrl", "deliveryReportUrl"}
            self._messages = 0

    def state(self):
        with self._lock:
            return {"messages": self._messages, "subscriptions": dict(self._subscriptions)}

    def token(self, request, ctx):
        form = request.form()
        if request.query.get("grant_type") != "client_credentials" or not form.get("client_id") \
                or not form.get("client_secret"):
            return Response.json({"error": "invalid_client", "error_description": "Invalid client credentials"}, 401)
        token = self.tokens.issue(TOKEN_LIFETIME)
        return Response.json({"access_token": token, "token_type": "BearerToken", "expires_in": str(TOKEN_LIFETIME)})

    def send(self, request, ctx):
        self._authorize(request)
        data = request.json()
        receivers = data.get("receiverAddress") if isinstance(data, dict) else None
        if not isinstance(receivers, list) or not receivers or not data.get("message") or not data.get("serviceCode"):
            raise BadRequest("message, serviceCode and receiverAddress are required")
        transaction_id = secrets.token_hex(12)
        with self._lock:
            self._messages += len(receivers)
            subscription = self._subscriptions.get(data["serviceCode"], {})
        if data.get("requestDeliveryReceipt") and subscription.get("deliveryReportUrl"):
            for receiver in receivers:
                statuses = status_sequence(ctx.result.get("delivery"), receiver, "DeliveredToTerminal")
                post_in_order(ctx, subscription["deliveryReportUrl"], [{
                    "clientCorrelatorId": data.get("clientCorrelatorId"), "transactionId": transaction_id,
                    "receiverAddress": receiver, "senderAddress": data.get("senderAddress"),
                    "deliveryStatus": status,
                    "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                } for status in statuses], "json")
        return Response.json({
            "statusCode": "0000", "statusMessage": "Successful.", "transactionId": transaction_id,
            "resourceReference": {"resourceURL": f"{BASE_URL}/v3/sms/messages/sms/outbound/{transaction_id}"},
        })

    def subscribe(self, request, ctx):
        self._authorize(request)
        data = request.json()
        if not isinstance(data, dict) or not data.get("serviceCode"):
            raise BadRequest("serviceCode is required")
        with self._lock:
            self._subscriptions[data["serviceCode"]] = {
                "callbackUrl": data.get("callbackUrl"), "deliveryReportUrl": data.get("deliveryReportUrl"),
            }
        return Response.json({"statusCode": "0000", "statusMessage": "Created.",
                              "data": {"subscriptionId": secrets.token_hex(8)}}, 201)

    def _authorize(self, request):
        if not self.tokens.is_valid(request):
            raise HttpError(401, "invalid_token")
