"""Africa's Talking SMS (docs/providers/messaging.md): bulk send, balance, delivery reports, incoming SMS, opt-outs.

Real API (what the official SDK calls, header ``apiKey``, form bodies):

- ``POST /version1/messaging`` (``username``, ``to`` comma-joined, ``message``, ``bulkSMSMode``, optional
  ``from`` and ``enqueue``) → 201 ``{"SMSMessageData": {"Message", "Recipients": [...]}}``, one recipient per
  number with ``statusCode``/``status``/``messageId``/``cost``/``messageParts``;
- ``GET /version1/user?username=`` → ``{"UserData": {"balance": "KES 1785.5000"}}``.

Africa's Talking posts delivery reports, incoming messages and bulk opt-outs to URLs set in its dashboard,
not per request. ``POST /africastalking/dashboard/callbacks`` plays that dashboard, per username:
``{"username", "delivery_reports", "incoming_messages", "bulk_sms_optout"}``.

Simulator-only triggers (what a subscriber does on the phone):

- ``POST /africastalking/simulate/incoming`` ``{"username", "from", "to", "text", "linkId"?}``;
- ``POST /africastalking/simulate/optout`` ``{"username", "senderId", "phoneNumber"}``: also blacklists the
  number for that sender, so the next send to it answers 406 UserInBlacklist.

A rule's ``result`` scripts the outcome of a send:

- ``status_codes``: ``{"+254711000002": 403}`` per-number statusCode (default 101);
- ``delivery``: per-number delivery reports, ``"Success"``, ``"Failed:UserInBlacklist"``, ``"Buffered"``,
  a list of them sent in order (``["Buffered", "Success"]``) or ``null`` for none; ``delivery_default``
  (default ``"Success"``) for the other numbers;
- ``reject``: a batch-level refusal such as ``"InvalidSenderId"`` (answered with no recipients);
- ``balance`` for ``/version1/user``.
"""

import secrets
import threading
from datetime import datetime, timezone

from ..core import BadRequest, HttpError, Plugin, Response
from .sms_common import is_e164, message_parts, post_in_order, status_sequence

STATUS_NAMES = {
    100: "Processed", 101: "Sent", 102: "Queued", 401: "RiskHold", 402: "InvalidSenderId",
    403: "InvalidPhoneNumber", 404: "UnsupportedNumberType", 405: "InsufficientBalance", 406: "UserInBlacklist",
    407: "CouldNotRoute", 409: "DoNotDisturbRejection", 500: "InternalServerError", 501: "GatewayError",
    502: "RejectedByGateway",
}
ACCEPTED_CODES = frozenset({100, 101, 102})
DEFAULT_CODE = 101
# price of one message part by country calling code
PRICES = {"+254": ("KES", 0.8), "+255": ("TZS", 22.0), "+256": ("UGX", 25.0), "+233": ("GHS", 0.06)}
DEFAULT_PRICE = ("USD", 0.01)
NETWORK_CODES = (
    (("+25470", "+25471", "+25472", "+25479", "+254110", "+254111", "+25474"), "63902"),  # Safaricom
    (("+25473", "+25475", "+25478", "+254100"), "63903"),  # Airtel Kenya
)
SANDBOX_NETWORK = "99999"
AUTH_ERROR = "The supplied authentication is invalid"
RECENT_LIMIT = 200


def price_of(number, parts):
    currency, unit_price = next(
        (price for prefix, price in PRICES.items() if number.startswith(prefix)), DEFAULT_PRICE
    )
    return currency, unit_price * parts


def network_code(number):
    return next((code for prefixes, code in NETWORK_CODES if number.startswith(prefixes)), SANDBOX_NETWORK)


class AfricasTalkingPlugin(Plugin):
    name = "africastalking"

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def routes(self):
        return [
            (("POST",), "/version1/messaging", self.send),
            (("GET",), "/version1/user", self.user),
            (("POST", "PUT"), "/africastalking/dashboard/callbacks", self.configure_callbacks),
            (("POST",), "/africastalking/simulate/incoming", self.simulate_incoming),
            (("POST",), "/africastalking/simulate/optout", self.simulate_optout),
        ]

    def reset(self):
        with self._lock:
            self._callbacks = {}  # username -> {"delivery_reports": url, ...}
            self._blacklist = set()  # (sender id, number)
            self._send_requests = 0
            self._messages = 0
            self._recent = []  # last messages: {"messageId", "number", "statusCode", "from", "message"}

    def state(self):
        with self._lock:
            return {
                "send_requests": self._send_requests,
                "messages": self._messages,
                "callbacks": dict(self._callbacks),
                "blacklist": sorted(f"{sender}:{number}" for sender, number in self._blacklist),
                "recent": list(self._recent),
            }

    # API

    def send(self, request, ctx):
        if not request.headers.get("apiKey"):
            return Response.text(AUTH_ERROR, 401)
        form = request.form()
        username, message = form.get("username"), form.get("message")
        numbers = [number.strip() for number in form.get("to", "").split(",") if number.strip()]
        if not username or not numbers or message is None:
            raise BadRequest("username, to and message are required")
        sender = form.get("from") or "AFRICASTKNG"
        if ctx.result.get("reject"):
            with self._lock:
                self._send_requests += 1
            return self._sms_answer(ctx.result["reject"], [])
        codes = ctx.result.get("status_codes") or {}
        parts = message_parts(message)
        recipients, reports = [], []
        with self._lock:
            blacklist = set(self._blacklist)
        for number in numbers:
            code = int(codes.get(number, DEFAULT_CODE))
            if not is_e164(number):
                code = 403
            elif (sender, number) in blacklist:
                code = 406
            recipients.append(self._recipient(number, code, parts))
            if code in ACCEPTED_CODES:
                reports.append((recipients[-1], status_sequence(
                    ctx.result.get("delivery"), number, ctx.result.get("delivery_default", "Success"),
                )))
        self._send_reports(ctx, username, reports)
        with self._lock:
            self._send_requests += 1
            self._messages += len(numbers)
            self._recent.extend(
                {"messageId": item["messageId"], "number": item["number"], "statusCode": item["statusCode"],
                 "from": sender, "message": message}
                for item in recipients
            )
            del self._recent[:-RECENT_LIMIT]
        accepted = [item for item in recipients if item["statusCode"] in ACCEPTED_CODES]
        summary = f"Sent to {len(accepted)}/{len(recipients)} Total Cost: {self._total_cost(accepted)}"
        return self._sms_answer(summary, recipients)

    def user(self, request, ctx):
        if not request.headers.get("apiKey") or not request.query.get("username"):
            return Response.text(AUTH_ERROR, 401)
        return Response.json({"UserData": {"balance": ctx.result.get("balance", "KES 1785.5000")}})

    # dashboard and subscriber side

    def configure_callbacks(self, request, ctx):
        data = request.json()
        if not isinstance(data, dict) or not isinstance(data.get("username"), str):
            raise BadRequest("expected a JSON object with a username")
        urls = {key: data[key] for key in ("delivery_reports", "incoming_messages", "bulk_sms_optout") if data.get(key)}
        with self._lock:
            self._callbacks[data["username"]] = urls
        return Response.json({"username": data["username"], **urls})

    def simulate_incoming(self, request, ctx):
        data = self._simulation(request, ("username", "from", "to", "text"))
        message_id = f"ATXid_{secrets.token_hex(16)}"
        ctx.post_callback(self._callback_url(data["username"], "incoming_messages"), {
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
            "from": data["from"],
            "id": message_id,
            "linkId": data.get("linkId") or secrets.token_hex(8),
            "text": data["text"],
            "to": data["to"],
            "networkCode": network_code(data["from"]),
            "cost": "KES 0.0000",
        }, content_type="form")
        return Response.json({"id": message_id}, 202)

    def simulate_optout(self, request, ctx):
        data = self._simulation(request, ("username", "senderId", "phoneNumber"))
        with self._lock:
            self._blacklist.add((data["senderId"], data["phoneNumber"]))
        ctx.post_callback(self._callback_url(data["username"], "bulk_sms_optout"),
                          {"senderId": data["senderId"], "phoneNumber": data["phoneNumber"]}, content_type="form")
        return Response.json({"accepted": True}, 202)

    # helpers

    def _simulation(self, request, required):
        data = request.json()
        if not isinstance(data, dict) or any(not isinstance(data.get(key), str) for key in required):
            raise BadRequest(f"expected a JSON object with {', '.join(required)}")
        return data

    def _callback_url(self, username, kind):
        with self._lock:
            url = self._callbacks.get(username, {}).get(kind)
        if not url:
            raise HttpError(409, f"no {kind} URL is set for {username}: POST /africastalking/dashboard/callbacks")
        return url

    def _recipient(self, number, code, parts):
        if code not in ACCEPTED_CODES:
            return {"cost": "0", "messageId": "None", "number": number, "status": STATUS_NAMES.get(code, "Failed"),
                    "statusCode": code}
        currency, cost = price_of(number, parts)
        return {"cost": f"{currency} {cost:.4f}", "messageId": f"ATXid_{secrets.token_hex(16)}",
                "messageParts": parts, "number": number, "status": "Success", "statusCode": code}

    def _send_reports(self, ctx, username, reports):
        with self._lock:
            url = self._callbacks.get(username, {}).get("delivery_reports")
        if not url:
            return
        for recipient, statuses in reports:
            post_in_order(ctx, url, [self._report(recipient, status) for status in statuses], "form")

    @staticmethod
    def _report(recipient, scripted):
        status, _, reason = scripted.partition(":")
        body = {"id": recipient["messageId"], "status": status, "phoneNumber": recipient["number"],
                "networkCode": network_code(recipient["number"]), "retryCount": "0"}
        if status in ("Failed", "Rejected"):
            body["failureReason"] = reason or "DeliveryFailure"
        return body

    @staticmethod
    def _total_cost(accepted):
        if not accepted:
            return "0"
        currency = accepted[0]["cost"].split()[0]
        return f"{currency} {sum(float(item['cost'].split()[1]) for item in accepted):.4f}"

    @staticmethod
    def _sms_answer(summary, recipients):
        return Response.json({"SMSMessageData": {"Message": summary, "Recipients": recipients}}, 201)
