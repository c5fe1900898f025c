"""MTN MoMo Open API, in the wire formats of docs/providers/momo.md.

Sandbox provisioning (API user, API key), tokens per product, Collection (Request to Pay, its status,
account holder check, balance) and Disbursement (transfer, its status, balance). A request with an
``X-Callback-Url`` gets **one** callback (PUT, the status body without the reference id), as MTN does;
a rule's ``callback`` settings shape it (delay, drop).

Outcome by payer/payee MSISDN, the official sandbox matrix:

=============  ===================================  ==========================
MSISDN         request to pay                       transfer
=============  ===================================  ==========================
46733123450    FAILED INTERNAL_PROCESSING_ERROR      same
46733123451    FAILED APPROVAL_REJECTED              same
46733123452    FAILED EXPIRED                        same
46733123453    PENDING for ever (ongoing)            same
46733123454    PENDING at the first status query,    same
               SUCCESSFUL from the second (delayed)
46733123455    FAILED PAYER_NOT_FOUND                FAILED NOT_ENOUGH_FUNDS
anything else  SUCCESSFUL                            SUCCESSFUL
=============  ===================================  ==========================

A rule's ``result`` overrides it: ``{"status": "FAILED", "reason": "NOT_ENOUGH_FUNDS"}``,
``{"amount": "99"}`` (amount reported), ``{"numbers": true}`` (numbers where strings are expected,
as in MTN's own example), on the token route ``{"expires_in": N}``.
"""

import base64
import binascii
import itertools
import re
import secrets
import threading
from decimal import Decimal, InvalidOperation

from ..core import Plugin, Response
from ..tokens import BearerTokens

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}")
PRODUCTS = ("collection", "disbursement")
SANDBOX_CURRENCY = "EUR"
FAILED, PENDING, SUCCESSFUL = "FAILED", "PENDING", "SUCCESSFUL"
OUTCOMES = {
    "46733123450": (FAILED, "INTERNAL_PROCESSING_ERROR"),
    "46733123451": (FAILED, "APPROVAL_REJECTED"),
    "46733123452": (FAILED, "EXPIRED"),
    "46733123453": (PENDING, None),
    "46733123454": ("DELAYED", None),
}
NOT_FOUND_NUMBER = "46733123455"
INITIAL_BALANCE = Decimal("100000.00")


def momo_error(status, code, message):
    return Response.json({"code": code, "message": message}, status)


def duplicate():
    return momo_error(409, "RESOURCE_ALREADY_EXIST", "Duplicated reference id. Creation of resource failed.")


class MomoPlugin(Plugin):
    name = "momo"

    def __init__(self):
        self._lock = threading.Lock()
        self.tokens = BearerTokens()
        self._sequence = itertools.count(1_000_000_001)
        self.reset()

    def routes(self):
        return [
            (("POST",), "/v1_0/apiuser", self.create_user),
            (("GET",), "/v1_0/apiuser/{user}", self.get_user),
            (("POST",), "/v1_0/apiuser/{user}/apikey", self.create_key),
            (("POST",), "/{product}/token/", self.token),
            (("POST",), "/collection/v1_0/requesttopay", self.request_to_pay),
            (("GET",), "/collection/v1_0/requesttopay/{reference}", self.request_to_pay_status),
            (("GET",), "/collection/v1_0/accountholder/msisdn/{msisdn}/active", self.account_holder),
            (("POST",), "/disbursement/v1_0/transfer", self.transfer),
            (("GET",), "/disbursement/v1_0/transfer/{reference}", self.transfer_status),
            (("GET",), "/{product}/v1_0/account/balance", self.balance),
        ]

    def reset(self):
        self.tokens.reset()
        with self._lock:
            self._users = {}  # api user -> {"host", "keys": [...]}
            self._tokens_by_key = {}  # token -> api key it was issued for
            self._payments = {}  # (product, reference) -> payment
            self._balance = INITIAL_BALANCE

    def state(self):
        with self._lock:
            return {
                "tokens_issued": self.tokens.issued,
                "users": {user: {"host": data["host"], "keys": len(data["keys"])}
                          for user, data in self._users.items()},
                "payments": {f"{product}/{reference}": dict(payment)
                             for (product, reference), payment in self._payments.items()},
                "balance": str(self._balance),
            }

    # ------------------------------------------------------------------
    # Provisioning and tokens
    # ------------------------------------------------------------------

    @staticmethod
    def _subscribed(request):
        return bool(request.headers.get("Ocp-Apim-Subscription-Key"))

    def create_user(self, request, ctx):
        if not self._subscribed(request):
            return momo_error(401, "ACCESS_DENIED", "Access denied due to missing subscription key.")
        reference = request.headers.get("X-Reference-Id", "")
        data = request.json_or_none()
        if not UUID.fullmatch(reference):
            return momo_error(400, "INVALID_REFERENCE_ID", "The reference id is not a UUID version 4.")
        if not isinstance(data, dict) or not isinstance(data.get("providerCallbackHost"), str):
            return momo_error(400, "BAD_REQUEST", "providerCallbackHost is required.")
        with self._lock:
            if reference in self._users:
                return duplicate()
            self._users[reference] = {"host": data["providerCallbackHost"], "keys": []}
        return Response.empty(201)

    def get_user(self, request, ctx):
        with self._lock:
            user = self._users.get(request.path_params["user"])
        if not self._subscribed(request):
            return momo_error(401, "ACCESS_DENIED", "Access denied due to missing subscription key.")
        if user is None:
            return momo_error(404, "NOT_FOUND", "Requested resource was not found.")
        return Response.json({"providerCallbackHost": user["host"], "targetEnvironment": "sandbox"})

    def create_key(self, request, ctx):
        with self._lock:
            user = self._users.get(request.path_params["user"])
            if user is None:
                return momo_error(404, "NOT_FOUND", "Requested resource was not found.")
            key = secrets.token_hex(16)
            user["keys"] = [key]  # a new key invalidates the older ones (and their tokens)
        return Response.json({"apiKey": key}, 201)

    def token(self, request, ctx):
        """Any API user and key are accepted unless provisioned here, then only the newest key is."""
        if request.path_params["product"] not in PRODUCTS:
            return momo_error(404, "NOT_FOUND", "Requested resource was not found.")
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        try:
            user, _, key = base64.b64decode(credentials, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user = key = ""
        with self._lock:
            known = self._users.get(user)
        if scheme.lower() != "basic" or not user or not key or (known is not None and key not in known["keys"]):
            return Response.json({"error": "login_failed"}, 401)
        expires_in = ctx.result.get("expires_in", 3600)
        return Response.json({"access_token": self.tokens.issue(expires_in), "token_type": "access_token",
                              "expires_in": expires_in})

    def _refusal(self, request):
        """The answer MTN gives to an unauthenticated or malformed product call, or None."""
        if not self._subscribed(request):
            return momo_error(401, "ACCESS_DENIED", "Access denied due to missing subscription key.")
        if not self.tokens.is_valid(request):
            return momo_error(401, "ACCESS_DENIED", "Access denied due to invalid access token.")
        if not request.headers.get("X-Target-Environment"):
            return momo_error(400, "NOT_ALLOWED_TARGET_ENVIRONMENT", "Target environment is required.")
        return None

    # ------------------------------------------------------------------
    # Request to Pay and transfers
    # ------------------------------------------------------------------

    def request_to_pay(self, request, ctx):
        return self._start(request, ctx, "collection", "payer")

    def transfer(self, request, ctx):
        return self._start(request, ctx, "disbursement", "payee")

    def _start(self, request, ctx, product, party_key):
        refusal = self._refusal(request)
        if refusal:
            return refusal
        reference = request.headers.get("X-Reference-Id", "")
        if not UUID.fullmatch(reference):
            return momo_error(400, "INVALID_REFERENCE_ID", "The reference id is not a UUID version 4.")
        data = request.json_or_none()
        party = data.get(party_key) if isinstance(data, dict) else None
        if not isinstance(party, dict) or party.get("partyIdType") != "MSISDN" \
                or not str(party.get("partyId", "")).isdigit():
            return momo_error(400, "INVALID_PAYER" if party_key == "payer" else "INVALID_PAYEE",
                              f"{party_key}.partyId must be an MSISDN.")
        try:
            amount = Decimal(data["amount"]) if isinstance(data.get("amount"), str) else None
        except InvalidOperation:
            amount = None
        if amount is None or amount <= 0:
            return momo_error(400, "INVALID_AMOUNT", "amount must be a positive number in a string.")
        if request.headers.get("X-Target-Environment") == "sandbox" and data.get("currency") != SANDBOX_CURRENCY:
            return momo_error(500, "INVALID_CURRENCY", "Currency not supported.")
        for field in ("payerMessage", "payeeNote"):
            if len(str(data.get(field) or "")) > 160:
                return momo_error(400, "BAD_REQUEST", f"{field} is longer than 160 characters.")
        msisdn = str(party["partyId"])
        status, reason = OUTCOMES.get(msisdn, (SUCCESSFUL, None))
        if msisdn == NOT_FOUND_NUMBER:
            status, reason = FAILED, "PAYER_NOT_FOUND" if product == "collection" else "NOT_ENOUGH_FUNDS"
        status, reason = ctx.result.get("status", status), ctx.result.get("reason", reason)
        delayed = status == "DELAYED"
        status = PENDING if delayed else status
        payment = {
            "amount": ctx.result.get("amount", data["amount"]),
            "currency": data.get("currency"),
            "externalId": data.get("externalId"),
            "party_key": party_key,
            "partyId": msisdn,
            "payerMessage": data.get("payerMessage"),
            "payeeNote": data.get("payeeNote"),
            "status": status,
            "reason": reason,
            "queries": 0,
            "delayed": delayed,
            "numbers": bool(ctx.result.get("numbers")),
        }
        with self._lock:
            if (product, reference) in self._payments:
                return duplicate()
            if status == SUCCESSFUL:
                payment["financialTransactionId"] = str(next(self._sequence))
                self._balance += amount if product == "collection" else -amount
            self._payments[(product, reference)] = payment
        callback_url = request.headers.get("X-Callback-Url")
        if callback_url and status in (SUCCESSFUL, FAILED):
            body = self._status_body(payment)
            ctx.post_callback(callback_url, body, method="PUT")  # once, never retried by MTN
        return Response.empty(202)

    def request_to_pay_status(self, request, ctx):
        return self._status(request, "collection")

    def transfer_status(self, request, ctx):
        return self._status(request, "disbursement")

    def _status(self, request, product):
        refusal = self._refusal(request)
        if refusal:
            return refusal
        with self._lock:
            payment = self._payments.get((product, request.path_params["reference"]))
            if payment is None:
                return momo_error(404, "RESOURCE_NOT_FOUND", "Requested resource was not found.")
            payment["queries"] += 1
            if payment["delayed"] and payment["status"] == PENDING and payment["queries"] > 1:
                payment["status"] = SUCCESSFUL  # approved after a while: seen from the second query on
                payment["financialTransactionId"] = str(next(self._sequence))
            body = self._status_body(payment)
        return Response.json(body)

    @staticmethod
    def _status_body(payment):
        """The status as MTN writes it; with ``numbers``, numbers where the schema says strings."""
        numbers = payment["numbers"]
        status = payment["status"]
        body = {
            "amount": int(Decimal(payment["amount"])) if numbers else payment["amount"],
            "currency": payment["currency"],
            "externalId": payment["externalId"],
            payment["party_key"]: {"partyIdType": "MSISDN",
                                   "partyId": int(payment["partyId"]) if numbers else payment["partyId"]},
            "payerMessage": payment["payerMessage"],
            "payeeNote": payment["payeeNote"],
            "status": status,
        }
        if payment.get("financialTransactionId") and status == SUCCESSFUL:
            body["financialTransactionId"] = (int(payment["financialTransactionId"]) if numbers
                                              else payment["financialTransactionId"])
        if payment["reason"] and status == FAILED:
            body["reason"] = payment["reason"]
        return body

    def account_holder(self, request, ctx):
        refusal = self._refusal(request)
        if refusal:
            return refusal
        return Response.json({"result": request.path_params["msisdn"] != NOT_FOUND_NUMBER})

    def balance(self, request, ctx):
        if request.path_params["product"] not in PRODUCTS:
            return momo_error(404, "NOT_FOUND", "Requested resource was not found.")
        refusal = self._refusal(request)
        if refusal:
            return refusal
        with self._lock:
            balance = self._balance
        return Response.json({"availableBalance": str(balance), "currency": SANDBOX_CURRENCY})
