"""Twilio Programmable Messaging (docs/providers/messaging.md): one message per request, signed status callbacks.

- ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` (Basic auth ``AccountSid:AuthToken``, form ``To``,
  ``From`` or ``MessagingServiceSid``, ``Body``, ``StatusCallback``) → 201 with the message resource, or 400
  ``{"code": 21211, "message", "more_info", "status": 400}``;
- ``GET /2010-04-01/Accounts/{AccountSid}/Balance.json`` → ``{"account_sid", "balance", "currency"}``.

Status callbacks are form posts signed with ``X-Twilio-Signature``: base64 HMAC-SHA1, keyed with the auth
token, of the callback URL followed by every parameter name and value sorted by name.

A rule's ``result``: ``errors`` ``{"+254711000002": 21211}`` per-number error codes; ``statuses``
``{"+254...": ["sent", "failed:30003"]}`` per-number status callbacks (default ``["sent", "delivered"]``).
"""

import base64
import hashlib
import hmac
import secrets

from ..core import Response
from .sms_common import CountingSmsPlugin, is_e164, message_parts, post_in_order, status_sequence

API_VERSION = "2010-04-01"
ERROR_MESSAGES = {
    20003: "Authenticate",
    21211: "The 'To' number is not a valid phone number.",
    21602: "Message body is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
}


def signature(auth_token, url, params):
    """Twilio's request signature (also what the addon verifies)."""
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def error(code, status=400):
    return Response.json({"code": code, "message": ERROR_MESSAGES.get(code, "Error"),
                          "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}, status)


class TwilioPlugin(CountingSmsPlugin):
    name = "twilio"

    def routes(self):
        return [
            (("POST",), "/2010-04-01/Accounts/{sid}/Messages.json", self.send),
            (("GET",), "/2010-04-01/Accounts/{sid}/Balance.json", self.balance),
        ]

    def send(self, request, ctx):
        token = self._auth_token(request)
        if token is None:
            return error(20003, 401)
        form = request.form()
        to, body = form.get("To", ""), form.get("Body")
        code = (ctx.result.get("errors") or {}).get(to)
        if not to:
            code = 21604
        elif not body:
            code = 21602
        elif not is_e164(to):
            code = 21211
        if code:
            return error(int(code))
        sid = f"SM{secrets.token_hex(16)}"
        account_sid = request.path_params["sid"]
        self._count(1)
        if form.get("StatusCallback"):
            statuses = status_sequence(ctx.result.get("statuses"), to, ["sent", "delivered"])
            bodies = [self._status(sid, account_sid, form, status) for status in statuses]
            url = form["StatusCallback"]
            post_in_order(ctx, url, bodies, "form",
                          headers_for=lambda params: {"X-Twilio-Signature": signature(token, url, params)})
        return Response.json({
            "account_sid": account_sid, "api_version": API_VERSION, "body": body, "direction": "outbound-api",
            "error_code": None, "error_message": None, "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"), "num_media": "0",
            "num_segments": str(message_parts(body)), "price": None, "price_unit": "USD", "sid": sid,
            "status": "queued", "to": to, "uri": f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}.json",
        }, 201)

    def balance(self, request, ctx):
        if self._auth_token(request) is None:
            return error(20003, 401)
        return Response.json({"account_sid": request.path_params["sid"], "balance": ctx.result.get("balance", "12.34"),
                              "currency": "USD"})

    @staticmethod
    def _auth_token(request):
        """The auth token of Basic credentials naming the account of the URL, else None."""
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, token = base64.b64decode(encoded).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return token if user == request.path_params["sid"] and token else None

    @staticmethod
    def _status(sid, account_sid, form, scripted):
        status, _, error_code = scripted.partition(":")
        params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": account_sid, "From": form.get("From") or "",
                  "To": form["To"], "MessageStatus": status, "SmsStatus": status, "ApiVersion": API_VERSION}
        if error_code:
            params["ErrorCode"] = error_code
        return params
