"""USSD gateways (docs/providers/ussd.md): a phone dialling a service code, as Africa's Talking, an MTN
aggregator or MTN MADAPI deliver it to the application.

Real API of MTN MADAPI (MTN's swagger "MTN Messaging USSD API" 1.0.0: ``/v1``, header ``x-api-key``):

- ``POST /v1/messages/ussd/subscription`` ``{"serviceCode", "callbackUrl", "targetSystem"}`` → 201
  ``{"statusCode": "0000", "statusMessage": "Created", "transactionId", "data": {"subscriptionId"}, "_link"}``:
  the mobile-originated messages of that service code go to ``callbackUrl`` from then on;
- ``DELETE /v1/messages/ussd/subscription/{subscriptionId}`` → 200, same shape;
- ``POST /v1/messages/ussd/outbound`` ``{"sessionId", "messageType", "msisdn", "serviceCode", "ussdString"}``
  (all strings; ``messageType`` 0 Begin, 1 Continue, 2 End, 3 Notification, 4 Cancel, 5 Timeout) → 201
  ``{"statusCode": "0000", "statusMessage", "transactionId", "data": {"outboundResponse", "sessionId",
  "msisdn"}, "_link"}``: the application's screen for a session.

Errors answer MADAPI's ``Error`` shape ``{"statusCode", "statusMessage", "transactionId", "supportMessage"}``.

Simulator-only trigger (what a subscriber does on the phone), answered once the dialogue is over:

``POST /ussd/simulate/dialogue`` ``{"url", "format", "phoneNumber", "serviceCode", "inputs": ["1", "4821"],
"sessionId"?, "networkCode"?, "end_notification"?}``:

- ``africastalking``: one form POST per step to ``url`` with the ``*``-joined history in ``text``; the answer
  must start with ``CON `` or ``END ``, anything else ends the session as failed; with ``end_notification``
  the end-of-session notification (``status`` Success, Incomplete or Failed) is posted to ``url`` at the end;
- ``mtn_json``: one JSON POST per step ``{"sessionId", "msisdn", "ussdString", "serviceCode"}``, the screen
  read from the answer's ``ussdString`` and ``continueSession``;
- ``mtn_madapi``: one JSON POST per step to the subscribed callback URL of the service code (``url`` is
  ignored), ``messageType`` 0 then 1, ``ussdString`` the dialled code then each input; the screen is the
  outbound message the application sent for the session; with ``end_notification``, a session left
  waiting for input is closed by a Cancel message (``messageType`` 4).

The answer: ``{"sessionId", "screens": [...], "ended": bool, "status": "Success"|"Incomplete"|"Failed",
"timings_ms": [...]}``.
"""

import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from ..core import BadRequest, HttpError, Plugin, Response

FORMATS = ("africastalking", "mtn_json", "mtn_madapi")
STEP_TIMEOUT = 30  # seconds: far above what a telco waits, so a slow application shows up as slow, not as lost
OUTBOUND_WAIT = 10
MESSAGE_TYPES = ("0", "1", "2", "3", "4", "5")


class UssdPlugin(Plugin):
    name = "ussd"

    def __init__(self):
        self._lock = threading.Condition()
        self.reset()

    def routes(self):
        return [
            (("POST",), "/v1/messages/ussd/subscription", self.subscribe),
            (("DELETE",), "/v1/messages/ussd/subscription/{subscription_id}", self.unsubscribe),
            (("POST",), "/v1/messages/ussd/outbound", self.outbound),
            (("POST",), "/ussd/simulate/dialogue", self.dialogue),
        ]

    def reset(self):
        with self._lock:
            self._subscriptions = {}  # service code -> {"subscriptionId", "callbackUrl"}
            self._outbound = {}  # session id -> [outbound message, ...]
            self._dialogues = 0

    def state(self):
        with self._lock:
            return {"subscriptions": dict(self._subscriptions), "outbound": dict(self._outbound),
                    "dialogues": self._dialogues}

    # MADAPI

    def subscribe(self, request, ctx):
        refusal = self._refusal(request, ("serviceCode", "callbackUrl", "targetSystem"))
        if refusal:
            return refusal
        data = request.json()
        subscription = {"subscriptionId": secrets.token_hex(8), "callbackUrl": data["callbackUrl"],
                        "targetSystem": data["targetSystem"]}
        with self._lock:
            self._subscriptions[data["serviceCode"]] = subscription
        return _madapi_answer({"subscriptionId": subscription["subscriptionId"]}, "Created", 201)

    def unsubscribe(self, request, ctx):
        refusal = self._refusal(request, ())
        if refusal:
            return refusal
        subscription_id = request.path_params["subscription_id"]
        with self._lock:
            codes = [code for code, item in self._subscriptions.items() if item["subscriptionId"] == subscription_id]
            for code in codes:
                del self._subscriptions[code]
        if not codes:
            return _madapi_error(404, "Not Found", "no such subscription")
        return _madapi_answer({"subscriptionId": subscription_id}, "Deleted", 200)

    def outbound(self, request, ctx):
        keys = ("sessionId", "messageType", "msisdn", "serviceCode", "ussdString")
        refusal = self._refusal(request, keys)
        if refusal:
            return refusal
        data = request.json()
        if data["messageType"] not in MESSAGE_TYPES:
            return _madapi_error(400, "Bad request", f"messageType must be one of {', '.join(MESSAGE_TYPES)}")
        with self._lock:
            self._outbound.setdefault(data["sessionId"], []).append(data)
            self._lock.notify_all()
        return _madapi_answer({"outboundResponse": "0000", "sessionId": data["sessionId"], "msisdn": data["msisdn"]},
                              "", 201)

    @staticmethod
    def _refusal(request, keys):
        """MADAPI's error answer for a request without API key or without the required string fields."""
        if not request.headers.get("x-api-key"):
            return _madapi_error(401, "Invalid access token. Please try with a valid token", "401 Unauthorized")
        if not keys:
            return None
        data = request.json_or_none()
        if not isinstance(data, dict) or any(not isinstance(data.get(key), str) or not data[key] for key in keys):
            return _madapi_error(400, "Bad request", f"{', '.join(keys)} are required strings")
        return None

    # subscriber side

    def dialogue(self, request, ctx):
        data = request.json()
        if not isinstance(data, dict) or data.get("format") not in FORMATS:
            raise BadRequest(f"format must be one of {', '.join(FORMATS)}")
        inputs = data.get("inputs") or []
        if not all(isinstance(value, str) for value in inputs) or not all(
                isinstance(data.get(key), str) for key in ("phoneNumber", "serviceCode")):
            raise BadRequest("phoneNumber, serviceCode (strings) and inputs (a list of strings) are required")
        if data["format"] != "mtn_madapi" and not isinstance(data.get("url"), str):
            raise BadRequest("url is required")
        session_id = data.get("sessionId") or f"ATUid_{secrets.token_hex(16)}"
        play = {"africastalking": self._play_at, "mtn_json": self._play_mtn, "mtn_madapi": self._play_madapi}
        screens, timings, ended, status = [], [], False, "Incomplete"
        for step in range(len(inputs) + 1):
            started = time.monotonic()
            screen, ended, failed = play[data["format"]](data, session_id, inputs[:step])
            timings.append(round((time.monotonic() - started) * 1000, 1))
            screens.append(screen)
            if failed:
                status = "Failed"
                break
            if ended:
                status = "Success"
                break
        if data["format"] == "africastalking" and data.get("end_notification"):
            self._notify_end(data, session_id, inputs, screens, status)
        if data["format"] == "mtn_madapi" and data.get("end_notification") and status == "Incomplete":
            self._madapi_message(data, session_id, "4", "Cancelled by the subscriber")
        with self._lock:
            self._dialogues += 1
        return Response.json({"sessionId": session_id, "screens": screens, "ended": ended or status == "Failed",
                              "status": status, "timings_ms": timings})

    def _play_at(self, data, session_id, history):
        status, text = _post(data["url"], urllib.parse.urlencode({
            "sessionId": session_id, "serviceCode": data["serviceCode"], "phoneNumber": data["phoneNumber"],
            "networkCode": data.get("networkCode") or "99999", "text": "*".join(history),
        }), "application/x-www-form-urlencoded")
        if status != 200 or not text.startswith(("CON ", "END ")):
            return text, True, True
        return text[4:], text.startswith("END "), False

    def _play_mtn(self, data, session_id, history):
        status, text = _post(data["url"], json.dumps({
            "sessionId": session_id, "msisdn": data["phoneNumber"].lstrip("+"), "ussdString": "*".join(history),
            "serviceCode": data["serviceCode"],
        }), "application/json")
        try:
            answer = json.loads(text) if status == 200 else None
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or not isinstance(answer.get("ussdString"), str):
            return text, True, True
        return answer["ussdString"], not answer.get("continueSession"), False

    def _play_madapi(self, data, session_id, history):
        with self._lock:
            seen = len(self._outbound.get(session_id, []))
        status, text = self._madapi_message(data, session_id, "1" if history else "0",
                                            history[-1] if history else data["serviceCode"])
        if status != 200:
            return text, True, True
        with self._lock:
            self._lock.wait_for(lambda: len(self._outbound.get(session_id, [])) > seen, timeout=OUTBOUND_WAIT)
            messages = self._outbound.get(session_id, [])[seen:]
        if not messages:
            return "", True, True
        return messages[-1]["ussdString"], messages[-1]["messageType"] != "1", False

    def _madapi_message(self, data, session_id, message_type, ussd_string):
        """Post one mobile-originated message (the swagger's InboundRequest) to the subscribed callback URL."""
        with self._lock:
            subscription = self._subscriptions.get(data["serviceCode"])
        if not subscription:
            raise HttpError(409, f"no application subscribed to {data['serviceCode']}")
        return _post(subscription["callbackUrl"], json.dumps({
            "sessionId": session_id, "messageType": message_type, "msisdn": data["phoneNumber"].lstrip("+"),
            "serviceCode": data["serviceCode"], "ussdString": ussd_string,
        }), "application/json")

    def _notify_end(self, data, session_id, inputs, screens, status):
        _post(data["url"], urllib.parse.urlencode({
            "date": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), "sessionId": session_id,
            "serviceCode": data["serviceCode"], "networkCode": data.get("networkCode") or "99999",
            "phoneNumber": data["phoneNumber"], "status": status, "cost": "KES 0.0000",
            "durationInMillis": "1000", "hopsCount": str(len(screens)), "input": "*".join(inputs[:len(screens) - 1]),
            "lastAppResponse": screens[-1] if screens else "",
            "errorMessage": "" if status != "Failed" else "Invalid response from the application",
        }), "application/x-www-form-urlencoded")


def _madapi_answer(data, message, status):
    return Response.json({"statusCode": "0000", "statusMessage": message, "transactionId": secrets.token_hex(8),
                          "data": data, "_link": {"self": {"href": "https://api.mtn.com/v1/messages/ussd/send"}}},
                         status)


def _madapi_error(status, message, support):
    return Response.json({"statusCode": "3001" if status >= 500 else "4000", "statusMessage": message,
                          "transactionId": secrets.token_hex(8), "supportMessage": support}, status)


def _post(url, body, content_type):
    request = urllib.request.Request(url, data=body.encode(), headers={"Content-Type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=STEP_TIMEOUT) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read().decode(errors="replace")
    except (urllib.error.URLError, TimeoutError) as exc:
        return 0, str(exc)
