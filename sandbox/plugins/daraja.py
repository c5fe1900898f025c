"""Safaricom M-Pesa Daraja, in the wire formats of ``docs/providers/daraja.md``.

OAuth, STK Push (M-Pesa Express) and its query, C2B URL registration and payment simulation
(validation, then confirmation), B2C v3 (v1 accepted), Transaction Status, Account Balance and
Reversal; every asynchronous result is posted to the URL the request gave.

Outcome of an STK push, by priority:

1. the matching rule's ``result``: ``{"result_code": 1032}`` (any Daraja result code), plus optional
   ``"amount"`` (amount reported in the callback, to test mismatches), ``"receipt"`` (forced
   MpesaReceiptNumber), ``"pending": true`` (the STK query keeps answering "being processed"),
   ``"c2b": true`` (the payment is also posted as a C2B confirmation to the registered URL, without
   account number for Buy Goods);
2. the last four digits of ``PhoneNumber``: ``…1032`` cancelled by the user, ``…1037`` phone
   unreachable, ``…2001`` wrong PIN, ``…0001`` insufficient balance (result code 1);
3. otherwise success.

B2C by rule ``result``: ``{"result_code": 2001}``, ``{"timeout": true}`` (a queue-timeout post instead
of the result; ``"completed": false`` means the payment never happened), ``{"receipt": "…"}``; else by
the last four digits of ``PartyB`` (``…2001`` invalid initiator, ``…0001`` insufficient funds).
C2B simulate by rule ``result``: ``{"trans_id", "msisdn", "first_name", "validation": false}``.
Reversal by rule ``result``: ``{"result_code": "R000001"}``. Every asynchronous post obeys the rule's
``callback`` settings (delay, copies, drop).
"""

import base64
import binascii
import functools
import hashlib
import itertools
import json
import secrets
import string
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

from ..core import Plugin, Response
from ..tokens import BearerTokens

EAT = timezone(timedelta(hours=3))  # Safaricom's timestamps are Nairobi time
MIN_STK_AMOUNT, MAX_STK_AMOUNT = 1, 250_000
MIN_B2C_AMOUNT, MAX_B2C_AMOUNT = 10, 250_000
STK_TRANSACTION_TYPES = {"CustomerPayBillOnline", "CustomerBuyGoodsOnline"}
B2C_COMMANDS = {"BusinessPayment", "SalaryPayment", "PromotionPayment"}
PHONE_OUTCOMES = {"1032": 1032, "1037": 1037, "2001": 2001, "0001": 1}
B2C_PHONE_OUTCOMES = {"2001": 2001, "0001": 1}
STK_RESULT_DESCRIPTIONS = {
    0: "The service request is processed successfully.",
    1: "The balance is insufficient for the transaction.",
    1019: "Transaction has expired.",
    1032: "Request cancelled by user",
    1037: "DS timeout user cannot be reached",
    2001: "The initiator information is invalid.",
}
B2C_RESULT_DESCRIPTIONS = {
    0: "The service request is processed successfully.",
    1: "The balance is insufficient for the transaction.",
    2001: "The initiator information is invalid.",
}
ACCEPTED = "Accept the service request successfully."
SANDBOX_QUEUE_URL = "https://internalsandbox.safaricom.co.ke/mpesa/b2cresults/v1/submit"
INITIAL_UTILITY_BALANCE = 500_000.0


def daraja_error(status, code, message):
    return Response.json({"requestId": secrets.token_hex(8), "errorCode": code, "errorMessage": message}, status)


def invalid(field):
    return daraja_error(400, "400.002.02", f"Bad Request - Invalid {field}")


def timestamp(moment=None):
    return (moment or datetime.now(EAT)).strftime("%Y%m%d%H%M%S")


def new_receipt():
    letters = string.ascii_uppercase
    return secrets.choice(letters) + "".join(secrets.choice(letters + string.digits) for _ in range(9))


def is_msisdn(value):
    text = str(value)
    return text.isdigit() and len(text) == 12 and text.startswith(("2547", "2541"))


def whole_amount(value, low, high):
    """The amount as an int when it is a whole number within [low, high], else None."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number != int(number) or not low <= number <= high:
        return None
    return int(number)


def is_url(value):
    parsed = urllib.parse.urlparse(value) if isinstance(value, str) else None
    return bool(parsed and parsed.scheme in ("http", "https") and parsed.netloc)


def masked(msisdn):
    """How C2B v2 shows the payer's number: ``2547 ***** 126``."""
    return f"{msisdn[:4]} ***** {msisdn[-3:]}"


class DarajaError(Exception):
    """Carries a complete Daraja error answer out of a helper (see ``answering_errors``)."""

    def __init__(self, response):
        super().__init__(response.status)
        self.response = response


def answering_errors(handler):
    @functools.wraps(handler)
    def wrapper(request, ctx):
        try:
            return handler(request, ctx)
        except DarajaError as error:
            return error.response
    return wrapper


def parameters(pairs, key_name="Key"):
    """Daraja's ``[{"Key": k, "Value": v}]`` lists; a None value becomes an item without ``Value``."""
    return [{key_name: key} if value is None else {key_name: key, "Value": value} for key, value in pairs]


class DarajaPlugin(Plugin):
    name = "daraja"

    def __init__(self):
        self._lock = threading.Lock()
        self.tokens = BearerTokens()
        self._sequence = itertools.count(1)
        self.reset()

    def routes(self):
        return [
            (("GET",), "/oauth/v1/generate", self.token),
            (("POST",), "/mpesa/stkpush/v1/processrequest", answering_errors(self.stk_push)),
            (("POST",), "/mpesa/stkpushquery/v1/query", answering_errors(self.stk_query)),
            (("POST",), "/mpesa/c2b/{version}/registerurl", answering_errors(self.c2b_register)),
            (("POST",), "/mpesa/c2b/{version}/simulate", answering_errors(self.c2b_simulate)),
            (("POST",), "/mpesa/b2c/{version}/paymentrequest", answering_errors(self.b2c)),
            (("POST",), "/mpesa/transactionstatus/v1/query", answering_errors(self.transaction_status)),
            (("POST",), "/mpesa/accountbalance/v1/query", answering_errors(self.account_balance)),
            (("POST",), "/mpesa/reversal/v1/request", answering_errors(self.reversal)),
        ]

    def reset(self):
        self.tokens.reset()
        with self._lock:
            self._stk = {}  # CheckoutRequestID -> push
            self._registrations = {}  # ShortCode -> registered URLs
            self._b2c = {}  # OriginatorConversationID -> payment
            self._receipts = {}  # receipt -> what it paid (for status and reversal)
            self._utility_balance = INITIAL_UTILITY_BALANCE

    def state(self):
        with self._lock:
            return {
                "tokens_issued": self.tokens.issued,
                "stk": {key: dict(value) for key, value in self._stk.items()},
                "registrations": dict(self._registrations),
                "b2c": {key: dict(value) for key, value in self._b2c.items()},
                "receipts": {key: dict(value) for key, value in self._receipts.items()},
            }

    # ------------------------------------------------------------------
    # OAuth
    # ------------------------------------------------------------------

    def token(self, request, ctx):
        """``expires_in`` is sent as a string, as Safaricom does; rule result ``{"expires_in": N}`` changes it."""
        if request.query.get("grant_type") != "client_credentials":
            return daraja_error(400, "400.008.02", "Invalid grant type passed")
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        try:
            key, _, secret = base64.b64decode(credentials, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            key = secret = ""
        if scheme.lower() != "basic" or not key or not secret:
            return daraja_error(400, "400.008.01", "Invalid Authentication passed")
        expires_in = ctx.result.get("expires_in", "3599")
        access_token = self.tokens.issue(expires_in)
        return Response.json({"access_token": access_token, "expires_in": expires_in})

    def _authorized_json(self, request):
        """The JSON body of a bearer-authenticated call; raises the answers Daraja gives otherwise."""
        if not self.tokens.is_valid(request):
            raise DarajaError(daraja_error(404, "404.001.03", "Invalid Access Token"))
        data = request.json_or_none()
        if not isinstance(data, dict):
            raise DarajaError(daraja_error(400, "400.002.02", "Bad Request - Invalid JSON"))
        return data

    # ------------------------------------------------------------------
    # STK Push
    # ------------------------------------------------------------------

    def stk_push(self, request, ctx):
        data = self._authorized_json(request)
        shortcode, stamp = str(data.get("BusinessShortCode", "")), str(data.get("Timestamp", ""))
        if not shortcode.isdigit():
            return invalid("BusinessShortCode")
        if len(stamp) != 14 or not stamp.isdigit():
            return invalid("Timestamp")
        if not self._password_matches(data.get("Password"), shortcode, stamp):
            return invalid("Password")
        if data.get("TransactionType") not in STK_TRANSACTION_TYPES:
            return invalid("TransactionType")
        amount = whole_amount(data.get("Amount"), MIN_STK_AMOUNT, MAX_STK_AMOUNT)
        if amount is None:
            return invalid("Amount")
        for field in ("PartyA", "PhoneNumber"):
            if not is_msisdn(data.get(field)):
                return invalid(field)
        if not str(data.get("PartyB", "")).isdigit():
            return invalid("PartyB")
        if not is_url(data.get("CallBackURL")):
            return invalid("CallBackURL")
        reference = data.get("AccountReference")
        if not isinstance(reference, str) or not 0 < len(reference) <= 12:
            return invalid("AccountReference")
        if len(str(data.get("TransactionDesc") or "")) > 13:
            return invalid("TransactionDesc")

        phone = str(data["PhoneNumber"])
        result_code = ctx.result.get("result_code", PHONE_OUTCOMES.get(phone[-4:], 0))
        checkout_id = f"ws_CO_{datetime.now(EAT).strftime('%d%m%Y%H%M%S%f')[:-3]}{next(self._sequence):05d}"
        merchant_id = f"{secrets.randbelow(90000) + 10000}-{secrets.randbelow(90000000) + 10000000}-1"
        push = {
            "merchant_request_id": merchant_id,
            "shortcode": shortcode,
            "amount": amount,
            "phone": phone,
            "account_reference": reference,
            "result_code": result_code,
            "result_desc": ctx.result.get("result_desc", STK_RESULT_DESCRIPTIONS.get(result_code, "Failed")),
            "receipt": ctx.result.get("receipt", new_receipt()) if result_code == 0 else None,
            "paid_amount": ctx.result.get("amount", amount),
            "pending": bool(ctx.result.get("pending")),
            "completes_at": time.monotonic() + self._callback_delay(ctx) / 1000,
        }
        with self._lock:
            self._stk[checkout_id] = push
            if result_code == 0:
                self._receipts[push["receipt"]] = {
                    "kind": "stk", "amount": push["paid_amount"], "party": phone, "shortcode": shortcode,
                    "reversed": False, "reference": reference,
                }
                self._utility_balance += float(push["paid_amount"])
        if not push["pending"]:
            ctx.post_callback(data["CallBackURL"], self._stk_callback_body(checkout_id, push))
            if ctx.result.get("c2b") and result_code == 0:
                self._post_c2b_confirmation(ctx, shortcode, push["receipt"], push["paid_amount"], reference, phone,
                                            buy_goods=data["TransactionType"] == "CustomerBuyGoodsOnline")
        message = "Success. Request accepted for processing"
        return Response.json({
            "MerchantRequestID": merchant_id,
            "CheckoutRequestID": checkout_id,
            "ResponseCode": "0",
            "ResponseDescription": message,
            "CustomerMessage": message,
        })

    @staticmethod
    def _password_matches(password, shortcode, stamp):
        """base64(BusinessShortCode + Passkey + Timestamp): the passkey itself is not known here."""
        try:
            decoded = base64.b64decode(str(password or ""), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        return decoded.startswith(shortcode) and decoded.endswith(stamp) and len(decoded) > len(shortcode + stamp)

    def _callback_delay(self, ctx):
        options = (ctx.rule or {}).get("callback") or {}
        return options.get("delay_ms", ctx.sandbox.callbacks.default_delay_ms)

    @staticmethod
    def _stk_callback_body(checkout_id, push):
        callback = {
            "MerchantRequestID": push["merchant_request_id"],
            "CheckoutRequestID": checkout_id,
            "ResultCode": push["result_code"],
            "ResultDesc": push["result_desc"],
        }
        if push["result_code"] == 0:
            callback["CallbackMetadata"] = {"Item": [
                {"Name": "Amount", "Value": float(push["paid_amount"])},
                {"Name": "MpesaReceiptNumber", "Value": push["receipt"]},
                {"Name": "Balance"},
                {"Name": "TransactionDate", "Value": int(timestamp())},
                {"Name": "PhoneNumber", "Value": int(push["phone"])},
            ]}
        return {"Body": {"stkCallback": callback}}

    def stk_query(self, request, ctx):
        data = self._authorized_json(request)
        with self._lock:
            push = self._stk.get(str(data.get("CheckoutRequestID", "")))
            push = dict(push) if push else None
        if push is None:
            return invalid("CheckoutRequestID")
        if not self._password_matches(data.get("Password"), str(data.get("BusinessShortCode", "")),
                                      str(data.get("Timestamp", ""))):
            return invalid("Password")
        if push["pending"] or time.monotonic() < push["completes_at"]:
            return daraja_error(500, "500.001.1001", "The transaction is being processed")
        return Response.json({
            "ResponseCode": "0",
            "ResponseDescription": "The service request has been accepted successsfully",
            "MerchantRequestID": push["merchant_request_id"],
            "CheckoutRequestID": data["CheckoutRequestID"],
            "ResultCode": str(push["result_code"]),
            "ResultDesc": push["result_desc"],
        })

    # ------------------------------------------------------------------
    # C2B
    # ------------------------------------------------------------------

    def c2b_register(self, request, ctx):
        data = self._authorized_json(request)
        shortcode = str(data.get("ShortCode", ""))
        if not shortcode.isdigit():
            return invalid("ShortCode")
        if data.get("ResponseType") not in ("Completed", "Cancelled"):
            return invalid("ResponseType")
        for field in ("ConfirmationURL", "ValidationURL"):
            url = data.get(field)
            if not is_url(url):
                return invalid(field)
            forbidden = [word for word in ("m-pesa", "mpesa", "safaricom", "exe", "cmd", "sql", "query")
                         if word in url.lower()]
            if forbidden:
                return invalid(f"{field}: it contains the word {forbidden[0]!r}")
        with self._lock:
            self._registrations[shortcode] = {
                "response_type": data["ResponseType"],
                "confirmation_url": data["ConfirmationURL"],
                "validation_url": data["ValidationURL"],
                "version": request.path_params["version"],
            }
        return Response.json({
            "OriginatorCoversationID": f"{secrets.randbelow(9000) + 1000}-{secrets.randbelow(10**8)}-1",
            "ResponseCode": "0",
            "ResponseDescription": "Success",
        })

    def c2b_simulate(self, request, ctx):
        """A customer pays the paybill/till: validation (when registered), then confirmation."""
        data = self._authorized_json(request)
        shortcode = str(data.get("ShortCode", ""))
        with self._lock:
            registration = self._registrations.get(shortcode)
        if registration is None:
            return invalid("ShortCode: no URLs are registered for it")
        if data.get("CommandID") not in STK_TRANSACTION_TYPES:
            return invalid("CommandID")
        amount = whole_amount(data.get("Amount"), MIN_STK_AMOUNT, MAX_STK_AMOUNT)
        if amount is None:
            return invalid("Amount")
        msisdn = str(ctx.result.get("msisdn", data.get("Msisdn", "")))
        if not is_msisdn(msisdn):
            return invalid("Msisdn")
        trans_id, bill_ref = ctx.result.get("trans_id", new_receipt()), str(data.get("BillRefNumber") or "")
        with self._lock:
            self._utility_balance += amount
            self._receipts[trans_id] = {
                "kind": "c2b", "amount": amount, "party": msisdn, "shortcode": shortcode, "reversed": False,
                "reference": bill_ref,
            }
        body = self._c2b_body(
            registration, shortcode, trans_id, amount, bill_ref, msisdn, ctx.result.get("first_name", "NICHOLAS"),
            "Pay Bill" if data["CommandID"] == "CustomerPayBillOnline" else "Buy Goods",
        )
        self._c2b_flow(ctx, registration, body, validate=ctx.result.get("validation", True))
        return Response.json({
            "OriginatorCoversationID": f"{secrets.randbelow(9000) + 1000}-{secrets.randbelow(10**8)}-1",
            "ResponseCode": "0",
            "ResponseDescription": ACCEPTED,
        })

    def _c2b_body(self, registration, shortcode, trans_id, amount, bill_ref, msisdn, first_name, kind="Pay Bill"):
        with self._lock:
            balance = self._utility_balance
        party = masked(msisdn) if registration["version"] == "v2" else hashlib.sha256(msisdn.encode()).hexdigest()
        return {
            "TransactionType": kind,
            "TransID": trans_id,
            "TransTime": timestamp(),
            "TransAmount": f"{amount:.2f}",
            "BusinessShortCode": shortcode,
            "BillRefNumber": bill_ref,
            "InvoiceNumber": "",
            "OrgAccountBalance": f"{balance:.2f}",
            "ThirdPartyTransID": "",
            "MSISDN": party,
            "FirstName": first_name,
            "MiddleName": "",
            "LastName": "",
        }

    def _post_c2b_confirmation(self, ctx, shortcode, receipt, amount, reference, phone, buy_goods=False):
        """The same payment seen again by the C2B confirmation URL (STK payments to a registered short code).

        A till (Buy Goods) payment has no account number: its confirmation carries an empty BillRefNumber.
        """
        with self._lock:
            registration = self._registrations.get(shortcode)
        if registration:
            body = self._c2b_body(registration, shortcode, receipt, amount, "" if buy_goods else reference, phone,
                                  "NICHOLAS", kind="Buy Goods" if buy_goods else "Pay Bill")
            ctx.post_callback(registration["confirmation_url"], body)

    def _c2b_flow(self, ctx, registration, body, validate):
        """Validation first; confirmation when accepted, or when validation failed and ResponseType is Completed."""

        def confirm_if_accepted(delivery):
            answer = self._json_answer(delivery)
            if delivery["state"] == "delivered" and answer is not None:
                if str(answer.get("ResultCode")) != "0":
                    return  # rejected: the customer's payment is refused, nothing is confirmed
            elif registration["response_type"] == "Cancelled":
                return
            ctx.post_callback(registration["confirmation_url"], body)

        if validate:
            ctx.post_callback(registration["validation_url"], body, on_finished=confirm_if_accepted)
        else:
            ctx.post_callback(registration["confirmation_url"], body)

    @staticmethod
    def _json_answer(delivery):
        try:
            answer = json.loads((delivery or {}).get("response_body") or "")
        except ValueError:
            return None
        return answer if isinstance(answer, dict) else None

    # ------------------------------------------------------------------
    # B2C
    # ------------------------------------------------------------------

    def b2c(self, request, ctx):
        data = self._authorized_json(request)
        version = request.path_params["version"]
        originator_id = data.get("OriginatorConversationID") if version == "v3" else secrets.token_hex(10)
        if not originator_id or not isinstance(originator_id, str):
            return invalid("OriginatorConversationID")
        problem = self._initiator_problem(data, "InitiatorName")
        if problem:
            return invalid(problem)
        if data.get("CommandID") not in B2C_COMMANDS:
            return invalid("CommandID")
        amount = whole_amount(data.get("Amount"), MIN_B2C_AMOUNT, MAX_B2C_AMOUNT)
        if amount is None:
            return invalid("Amount")
        if not str(data.get("PartyA", "")).isdigit():
            return invalid("PartyA")
        if not is_msisdn(data.get("PartyB")):
            return invalid("PartyB")
        if not 2 <= len(str(data.get("Remarks") or "")) <= 100:
            return invalid("Remarks")
        for field in ("QueueTimeOutURL", "ResultURL"):
            if not is_url(data.get(field)):
                return invalid(field)
        phone = str(data["PartyB"])
        result_code = ctx.result.get("result_code", B2C_PHONE_OUTCOMES.get(phone[-4:], 0))
        conversation_id = f"AG_{datetime.now(EAT):%Y%m%d}_{secrets.token_hex(10)}"
        with self._lock:
            if originator_id in self._b2c:
                return daraja_error(500, "500.002.1001", "Duplicate OriginatorConversationID")
            completed = result_code == 0 and ctx.result.get("completed", True)
            payment = {
                "conversation_id": conversation_id, "amount": amount, "phone": phone, "result_code": result_code,
                "receipt": ctx.result.get("receipt", new_receipt()), "completed": completed,
                "shortcode": str(data["PartyA"]), "timeout": bool(ctx.result.get("timeout")),
            }
            self._b2c[originator_id] = payment
            if completed:
                self._utility_balance -= amount
                self._receipts[payment["receipt"]] = {
                    "kind": "b2c", "amount": amount, "party": phone, "shortcode": payment["shortcode"],
                    "reversed": False, "reference": originator_id, "conversation_id": conversation_id,
                }
        if payment["timeout"]:
            ctx.post_callback(data["QueueTimeOutURL"], self._b2c_timeout_body(originator_id, conversation_id))
        else:
            ctx.post_callback(data["ResultURL"], self._b2c_result_body(originator_id, payment))
        return Response.json({
            "ConversationID": conversation_id,
            "OriginatorConversationID": originator_id,
            "ResponseCode": "0",
            "ResponseDescription": ACCEPTED,
        })

    @staticmethod
    def _initiator_problem(data, name_field="Initiator"):
        """The field that is wrong with the initiator (name, or a credential that cannot be RSA ciphertext).

        B2C calls the initiator ``InitiatorName``; status, balance and reversal call it ``Initiator``.
        """
        if not str(data.get(name_field) or "").strip():
            return name_field
        try:
            credential = base64.b64decode(str(data.get("SecurityCredential") or ""), validate=True)
        except binascii.Error:
            return "SecurityCredential"
        return None if len(credential) in (128, 256, 384, 512) else "SecurityCredential"

    def _b2c_result_body(self, originator_id, payment):
        code = payment["result_code"]
        result = {
            "ResultType": 0,
            "ResultCode": code,
            "ResultDesc": B2C_RESULT_DESCRIPTIONS.get(code, "The transaction failed."),
            "OriginatorConversationID": originator_id,
            "ConversationID": payment["conversation_id"],
            "TransactionID": payment["receipt"],
        }
        if code == 0:
            with self._lock:
                balance = self._utility_balance
            result["ResultParameters"] = {"ResultParameter": parameters([
                ("TransactionAmount", payment["amount"]),
                ("TransactionReceipt", payment["receipt"]),
                ("ReceiverPartyPublicName", f"{payment['phone']} - NICHOLAS JOHN SONGOK"),
                ("TransactionCompletedDateTime", datetime.now(EAT).strftime("%d.%m.%Y %H:%M:%S")),
                ("B2CUtilityAccountAvailableFunds", round(balance, 2)),
                ("B2CWorkingAccountAvailableFunds", 1199371.00),
                ("B2CRecipientIsRegisteredCustomer", "Y"),
                ("B2CChargesPaidAccountAvailableFunds", -1980.00),
            ])}
        result["ReferenceData"] = {"ReferenceItem": {"Key": "QueueTimeoutURL", "Value": SANDBOX_QUEUE_URL}}
        return {"Result": result}

    @staticmethod
    def _b2c_timeout_body(originator_id, conversation_id):
        return {"Result": {
            "ResultType": 1,
            "ResultCode": "SVC0403",
            "ResultDesc": "The request timed out in the queue.",
            "OriginatorConversationID": originator_id,
            "ConversationID": conversation_id,
            "TransactionID": "",
        }}

    # ------------------------------------------------------------------
    # Transaction Status, Account Balance, Reversal
    # ------------------------------------------------------------------

    def _initiator_request(self, request, command_id):
        data = self._authorized_json(request)
        problem = self._initiator_problem(data) or (
            "CommandID" if data.get("CommandID") != command_id else None)
        for field in ("QueueTimeOutURL", "ResultURL"):
            if not problem and not is_url(data.get(field)):
                problem = field
        if problem:
            raise DarajaError(invalid(problem))
        return data

    @staticmethod
    def _accepted(originator_id, conversation_id):
        return Response.json({
            "OriginatorConversationID": originator_id,
            "ConversationID": conversation_id,
            "ResponseCode": "0",
            "ResponseDescription": ACCEPTED,
        })

    @staticmethod
    def _new_ids():
        return f"{secrets.randbelow(90000) + 10000}-{secrets.randbelow(10**8)}-1", \
            f"AG_{datetime.now(EAT):%Y%m%d}_{secrets.token_hex(10)}"

    def transaction_status(self, request, ctx):
        data = self._initiator_request(request, "TransactionStatusQuery")
        originator_id, conversation_id = self._new_ids()
        found = self._find_transaction(str(data.get("TransactionID") or ""),
                                       str(data.get("OriginalConversationID") or ""))
        result = {"ResultType": 0, "OriginatorConversationID": originator_id, "ConversationID": conversation_id}
        if found is None:
            result.update(ResultCode=2032, ResultDesc="The transaction could not be found.", TransactionID="")
        else:
            receipt, transaction = found
            stamp = int(timestamp())
            debit, credit = (
                (f"{transaction['shortcode']} - DDCPTS Sandbox", f"{transaction['party']} - NICHOLAS JOHN SONGOK")
                if transaction["kind"] == "b2c" else
                (f"{transaction['party']} - NICHOLAS JOHN SONGOK", f"{transaction['shortcode']} - DDCPTS Sandbox")
            )
            result.update(ResultCode=0, ResultDesc="The service request is processed successfully.",
                          TransactionID=receipt)
            result["ResultParameters"] = {"ResultParameter": parameters([
                ("DebitPartyName", debit),
                ("CreditPartyName", credit),
                ("OriginatorConversationID", transaction.get("reference", "")),
                ("InitiatedTime", stamp),
                ("DebitAccountType", "Utility Account"),
                ("DebitPartyCharges", "Fee For B2C Payment|KES|22.40" if transaction["kind"] == "b2c" else None),
                ("TransactionReason", None),
                ("ReasonType", {"b2c": "Business Payment to Customer via API", "stk": "Pay Bill Online",
                                "c2b": "Pay Bill"}[transaction["kind"]]),
                ("TransactionStatus", "Reversed" if transaction["reversed"] else "Completed"),
                ("FinalisedTime", stamp),
                ("Amount", transaction["amount"]),
                ("ConversationID", transaction.get("conversation_id", "")),
                ("ReceiptNo", receipt),
            ])}
        result["ReferenceData"] = {"ReferenceItem": {"Key": "Occasion", "Value": str(data.get("Occasion") or "")}}
        ctx.post_callback(data["ResultURL"], {"Result": result})
        return self._accepted(originator_id, conversation_id)

    def _find_transaction(self, receipt, conversation_id):
        with self._lock:
            if receipt in self._receipts:
                return receipt, dict(self._receipts[receipt])
            payment = self._b2c.get(conversation_id) or next(
                (item for item in self._b2c.values() if item["conversation_id"] == conversation_id), None)
            if payment and payment["completed"]:
                return payment["receipt"], dict(self._receipts[payment["receipt"]])
        return None

    def account_balance(self, request, ctx):
        data = self._initiator_request(request, "AccountBalance")
        originator_id, conversation_id = self._new_ids()
        with self._lock:
            utility = self._utility_balance
        balances = "&".join([
            "Working Account|KES|700000.00|700000.00|0.00|0.00",
            "Float Account|KES|0.00|0.00|0.00|0.00",
            f"Utility Account|KES|{utility:.2f}|{utility:.2f}|0.00|0.00",
            "Charges Paid Account|KES|-1540.00|-1540.00|0.00|0.00",
            "Organization Settlement Account|KES|0.00|0.00|0.00|0.00",
        ])
        ctx.post_callback(data["ResultURL"], {"Result": {
            "ResultType": 0,
            "ResultCode": 0,
            "ResultDesc": "The service request is processed successfully.",
            "OriginatorConversationID": originator_id,
            "ConversationID": conversation_id,
            "TransactionID": new_receipt(),
            "ResultParameters": {"ResultParameter": parameters([
                ("AccountBalance", balances), ("BOCompletedTime", int(timestamp())),
            ])},
            "ReferenceData": {"ReferenceItem": {"Key": "QueueTimeoutURL", "Value": SANDBOX_QUEUE_URL}},
        }})
        return self._accepted(originator_id, conversation_id)

    def reversal(self, request, ctx):
        data = self._initiator_request(request, "TransactionReversal")
        if str(data.get("RecieverIdentifierType", "")) != "11":
            return invalid("RecieverIdentifierType")
        originator_id, conversation_id = self._new_ids()
        receipt = str(data.get("TransactionID") or "")
        with self._lock:
            original = self._receipts.get(receipt)
            if "result_code" in ctx.result:
                code = ctx.result["result_code"]
            elif original is None or original["kind"] == "b2c":
                code = "R000002"
            else:
                code = "R000001" if original["reversed"] else 0
            if code == 0:
                original["reversed"] = True
                self._utility_balance -= original["amount"]
        result = {
            "ResultType": 0,
            "ResultCode": code,
            "OriginatorConversationID": originator_id,
            "ConversationID": conversation_id,
            "TransactionID": new_receipt(),
            "ReferenceData": {"ReferenceItem": {"Key": "QueueTimeoutURL", "Value": SANDBOX_QUEUE_URL}},
        }
        if code == 0:
            result["ResultDesc"] = "The service request is processed successfully."
            result["ResultParameters"] = {"ResultParameter": parameters([
                ("DebitAccountBalance", "Utility Account|KES|51661.00|51661.00|0.00|0.00"),
                ("Amount", float(original["amount"])),
                ("TransCompletedTime", int(timestamp())),
                ("OriginalTransactionID", receipt),
                ("Charge", 0.0),
                ("CreditPartyPublicName", f"{original['party']} - NICHOLAS JOHN SONGOK"),
                ("DebitPartyPublicName", f"{original['shortcode']} - DDCPTS Sandbox"),
            ])}
        else:
            result["ResultDesc"] = {
                "R000001": "The transaction has already been reversed.",
                "R000002": "The OriginalTransactionID is invalid.",
            }.get(code, "The reversal failed.")
        ctx.post_callback(data["ResultURL"], {"Result": result})
        return self._accepted(originator_id, conversation_id)
