"""Infobip SMS API v3 (docs/providers/messaging.md): many destinations per request, JSON delivery reports.

- ``POST /sms/3/messages`` (``Authorization: App <key>``) ``{"messages": [{"sender", "destinations": [{"to"}],
  "content": {"text"}, "webhooks": {"delivery": {"url"}}}]}`` → ``{"bulkId", "messages": [{"messageId",
  "status": {...}, "destination"}]}``;
- ``GET /account/1/balance`` → ``{"balance", "currency"}``.

Delivery reports are posted to ``webhooks.delivery.url`` as ``{"results": [...]}``.
A rule's ``result``: ``rejected`` ``{"254711000002": "REJECTED_DESTINATION"}``; ``delivery``
``{"254...": "UNDELIVERABLE:EC_ABSENT_SUBSCRIBER"}`` (default ``"DELIVERED"``, ``null`` for no report).
"""

import secrets
from datetime import datetime, timezone

from ..core import BadRequest, Response
from .sms_common import CountingSmsPlugin, message_parts, post_in_order, status_sequence

PENDING = {"groupId": 1, "groupName": "PENDING", "id": 26, "name": "PENDING_ACCEPTED",
           "description": "Message sent to next instance"}
REJECTED_GROUP_ID = 5
REPORT_STATUSES = {
    "DELIVERED": (3, 5, "DELIVERED_TO_HANDSET", "Message delivered to handset"),
    "UNDELIVERABLE": (2, 9, "UNDELIVERABLE_NOT_DELIVERED", "Message sent not delivered"),
    "EXPIRED": (4, 15, "EXPIRED_EXPIRED", "Message expired"),
    "REJECTED": (5, 6, "REJECTED_NETWORK", "Network is forbidden"),
    "PENDING": (1, 7, "PENDING_ENROUTE", "Message sent to next instance"),
}
NO_ERROR = {"groupId": 0, "groupName": "OK", "id": 0, "name": "NO_ERROR", "description": "No Error", "permanent": False}
PRICE_PER_MESSAGE = 0.01


def now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


class InfobipPlugin(CountingSmsPlugin):
    name = "infobip"

    def routes(self):
        return [
            (("POST",), "/sms/3/messages", self.send),
            (("GET",), "/account/1/balance", self.balance),
        ]

    def send(self, request, ctx):
        if not request.headers.get("Authorization", "").startswith("App "):
            return self._unauthorized()
        data = request.json()
        if not isinstance(data, dict) or not isinstance(data.get("messages"), list) or not data["messages"]:
            raise BadRequest("messages is required")
        bulk_id, answers = f"bulk-{secrets.token_hex(8)}", []
        for message in data["messages"]:
            text = (message.get("content") or {}).get("text")
            destinations = [item.get("to") for item in message.get("destinations") or [] if item.get("to")]
            if not text or not destinations:
                raise BadRequest("each message needs content.text and destinations")
            url = ((message.get("webhooks") or {}).get("delivery") or {}).get("url")
            for to in destinations:
                answers.append(self._accept(ctx, bulk_id, to, text, url))
        self._count(len(answers))
        return Response.json({"bulkId": bulk_id, "messages": answers})

    def balance(self, request, ctx):
        if not request.headers.get("Authorization", "").startswith("App "):
            return self._unauthorized()
        return Response.json({"balance": ctx.result.get("balance", 47.79), "currency": "EUR"})

    def _accept(self, ctx, bulk_id, to, text, url):
        message_id = secrets.token_hex(12)
        rejected = (ctx.result.get("rejected") or {}).get(to)
        if rejected:
            status = {"groupId": REJECTED_GROUP_ID, "groupName": "REJECTED", "id": 51, "name": rejected,
                      "description": "Rejected"}
            return {"messageId": message_id, "status": status, "destination": to}
        if url:
            parts = message_parts(text)
            statuses = status_sequence(ctx.result.get("delivery"), to, "DELIVERED")
            post_in_order(ctx, url, [{"results": [self._report(bulk_id, message_id, to, parts, scripted)]}
                                     for scripted in statuses], "json")
        return {"messageId": message_id, "status": PENDING, "destination": to,
                "details": {"messageCount": message_parts(text)}}

    @staticmethod
    def _report(bulk_id, message_id, to, parts, scripted):
        group, _, error_name = scripted.partition(":")
        group_id, status_id, name, description = REPORT_STATUSES.get(group, REPORT_STATUSES["UNDELIVERABLE"])
        error = dict(NO_ERROR) if not error_name else {
            "groupId": 1, "groupName": "HANDSET_ERRORS", "id": 27, "name": error_name,
            "description": error_name.replace("_", " ").title(), "permanent": False,
        }
        return {
            "bulkId": bulk_id, "messageId": message_id, "to": to, "sentAt": now(), "doneAt": now(),
            "messageCount": parts, "price": {"pricePerMessage": PRICE_PER_MESSAGE, "currency": "EUR"},
            "status": {"groupId": group_id, "groupName": group, "id": status_id, "name": name,
                       "description": description},
            "error": error,
        }

    @staticmethod
    def _unauthorized():
        return Response.json({"requestError": {"serviceException": {"messageId": "UNAUTHORIZED",
                                                                    "text": "Invalid login details"}}}, 401)
