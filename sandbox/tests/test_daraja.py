"""The Daraja simulator speaks the formats of docs/providers/daraja.md and scripts every documented outcome."""

import base64
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

SHORTCODE = "174379"
SANDBOX_MSISDN = "254708374149"
VALID_CREDENTIAL = base64.b64encode(b"\x01" * 256).decode()


class JsonReceiver:
    """A merchant answering each path with a scripted JSON body (a C2B validation URL must answer JSON)."""

    def __init__(self):
        self.received = []
        self.answers = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append({"path": self.path, "json": json.loads(body)})
                answer = json.dumps(receiver.answers.get(self.path, {"ResultCode": 0, "ResultDesc": "Accepted"}))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def on(self, path):
        return [item["json"] for item in self.received if item["path"] == path]


@pytest.fixture(scope="module")
def merchant():
    receiver = JsonReceiver()
    threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def daraja(client, merchant):
    merchant.received.clear()
    merchant.answers.clear()
    return Daraja(client, merchant)


class Daraja:
    def __init__(self, client, merchant):
        self.client, self.merchant = client, merchant
        reply = client.get("/oauth/v1/generate?grant_type=client_credentials",
                           headers={"Authorization": "Basic " + base64.b64encode(b"key:secret").decode()})
        assert reply.status == 200, reply.body
        self.token = reply.json()["access_token"]

    def post(self, path, body):
        return self.client.post(path, json_body=body, headers={"Authorization": f"Bearer {self.token}"})

    def stk(self, **overrides):
        stamp = "20240706120000"
        body = {
            "BusinessShortCode": SHORTCODE,
            "Password": base64.b64encode(f"{SHORTCODE}passkey{stamp}".encode()).decode(),
            "Timestamp": stamp,
            "TransactionType": "CustomerPayBillOnline",
            "Amount": 10,
            "PartyA": SANDBOX_MSISDN,
            "PartyB": SHORTCODE,
            "PhoneNumber": SANDBOX_MSISDN,
            "CallBackURL": self.merchant.url + "/stk",
            "AccountReference": "INV202400001",
            "TransactionDesc": "Invoice",
        }
        body.update(overrides)
        return self.post("/mpesa/stkpush/v1/processrequest", body)

    def query(self, checkout_id):
        stamp = "20240706120100"
        return self.post("/mpesa/stkpushquery/v1/query", {
            "BusinessShortCode": SHORTCODE, "Timestamp": stamp, "CheckoutRequestID": checkout_id,
            "Password": base64.b64encode(f"{SHORTCODE}passkey{stamp}".encode()).decode(),
        })

    def register(self, version="v2", response_type="Completed"):
        return self.post(f"/mpesa/c2b/{version}/registerurl", {
            "ShortCode": SHORTCODE, "ResponseType": response_type,
            "ConfirmationURL": self.merchant.url + "/confirmation", "ValidationURL": self.merchant.url + "/validation",
        })

    def simulate(self, amount=100, bill_ref="INV/2024/0001"):
        return self.post("/mpesa/c2b/v1/simulate", {
            "ShortCode": SHORTCODE, "CommandID": "CustomerPayBillOnline", "Amount": amount,
            "Msisdn": SANDBOX_MSISDN, "BillRefNumber": bill_ref,
        })

    def initiator(self, name_field="Initiator", **fields):
        return {
            name_field: "testapi", "SecurityCredential": VALID_CREDENTIAL,
            "QueueTimeOutURL": self.merchant.url + "/timeout", "ResultURL": self.merchant.url + "/result",
            "Remarks": "Test payout", "Occassion": "", **fields,
        }

    def b2c(self, originator="53e3-4aa8-9fe0-8fb5e4092cdd3533373", amount=10, phone="254705912645", **fields):
        return self.post("/mpesa/b2c/v3/paymentrequest", self.initiator(
            "InitiatorName", OriginatorConversationID=originator, CommandID="BusinessPayment", Amount=amount,
            PartyA="600996", PartyB=phone, **fields,
        ))

    def wait(self, count):
        waited = self.client.wait_callbacks(count)
        assert waited["complete"], waited
        return waited["callbacks"]


def test_token_is_issued_for_basic_credentials_with_expires_in_as_a_string(client):
    basic = {"Authorization": "Basic " + base64.b64encode(b"key:secret").decode()}
    reply = client.get("/oauth/v1/generate?grant_type=client_credentials", headers=basic)
    assert reply.status == 200
    assert reply.json()["expires_in"] == "3599"
    assert client.get("/oauth/v1/generate?grant_type=password", headers=basic).json()["errorCode"] == "400.008.02"
    assert client.get("/oauth/v1/generate?grant_type=client_credentials").json()["errorCode"] == "400.008.01"


def test_calls_need_a_valid_token(daraja):
    daraja.token = "forged"
    reply = daraja.stk()
    assert reply.status == 404
    assert reply.json()["errorCode"] == "404.001.03"
    assert reply.json()["errorMessage"] == "Invalid Access Token"


@pytest.mark.parametrize("field, value", [
    ("Amount", 0), ("Amount", 250001), ("Amount", 10.5), ("Amount", "ten"),
    ("PhoneNumber", "0708374149"), ("PartyA", "255708374149"),
    ("AccountReference", "A" * 13), ("AccountReference", ""), ("TransactionDesc", "D" * 14),
    ("Password", base64.b64encode(b"wrong").decode()), ("TransactionType", "CustomerPayBill"),
    ("CallBackURL", "not a url"),
])
def test_stk_push_refuses_what_daraja_refuses(daraja, field, value):
    reply = daraja.stk(**{field: value})
    assert reply.status == 400
    assert reply.json()["errorCode"] == "400.002.02"
    assert field in reply.json()["errorMessage"]


def test_stk_push_success_posts_the_documented_callback_and_the_query_follows(daraja):
    reply = daraja.stk(Amount="10")
    assert reply.status == 200
    answer = reply.json()
    assert answer["ResponseCode"] == "0"
    assert answer["CheckoutRequestID"].startswith("ws_CO_")
    assert set(answer) == {"MerchantRequestID", "CheckoutRequestID", "ResponseCode", "ResponseDescription",
                           "CustomerMessage"}
    [delivery] = daraja.wait(1)
    assert delivery["url"] == daraja.merchant.url + "/stk"
    callback = json.loads(delivery["body"])["Body"]["stkCallback"]
    assert callback["CheckoutRequestID"] == answer["CheckoutRequestID"]
    assert callback["ResultCode"] == 0
    items = callback["CallbackMetadata"]["Item"]
    assert [item["Name"] for item in items] == ["Amount", "MpesaReceiptNumber", "Balance", "TransactionDate",
                                                "PhoneNumber"]
    values = {item["Name"]: item.get("Value") for item in items}
    assert values["Amount"] == 10.0
    assert values["PhoneNumber"] == int(SANDBOX_MSISDN)
    assert "Value" not in items[2], "the Balance item comes without a Value, as Safaricom sends it"
    assert len(str(values["TransactionDate"])) == 14
    query = daraja.query(answer["CheckoutRequestID"]).json()
    assert (query["ResultCode"], query["ResponseCode"]) == ("0", "0")


@pytest.mark.parametrize("phone, code", [("254700001032", 1032), ("254700001037", 1037), ("254700002001", 2001),
                                         ("254700000001", 1)])
def test_phone_convention_chooses_the_result_code(daraja, phone, code):
    daraja.stk(PhoneNumber=phone, PartyA=phone)
    [delivery] = daraja.wait(1)
    callback = json.loads(delivery["body"])["Body"]["stkCallback"]
    assert callback["ResultCode"] == code
    assert "CallbackMetadata" not in callback


def test_rule_result_overrides_code_amount_and_receipt(daraja):
    daraja.client.add_rule(path="/mpesa/stkpush/", result={"result_code": 0, "amount": 7, "receipt": "NLJ7RT61SV"})
    daraja.stk(Amount=10)
    callback = json.loads(daraja.wait(1)[0]["body"])["Body"]["stkCallback"]
    values = {item["Name"]: item.get("Value") for item in callback["CallbackMetadata"]["Item"]}
    assert (values["Amount"], values["MpesaReceiptNumber"]) == (7.0, "NLJ7RT61SV")
    daraja.client.add_rule(path="/mpesa/stkpush/", result={"result_code": 2001})
    daraja.stk()
    assert json.loads(daraja.wait(2)[1]["body"])["Body"]["stkCallback"]["ResultCode"] == 2001


def test_query_says_processing_until_completion_even_when_the_callback_is_lost(daraja):
    daraja.client.add_rule(path="/mpesa/stkpush/", callback={"drop": True, "delay_ms": 300},
                           result={"result_code": 1032})
    checkout_id = daraja.stk().json()["CheckoutRequestID"]
    pending = daraja.query(checkout_id)
    assert pending.status == 500
    assert pending.json()["errorMessage"] == "The transaction is being processed"
    assert daraja.wait(1)[0]["state"] == "dropped"
    time.sleep(0.35)
    query = daraja.query(checkout_id).json()
    assert (query["ResultCode"], query["ResultDesc"]) == ("1032", "Request cancelled by user")
    assert daraja.query("ws_CO_unknown").json()["errorCode"] == "400.002.02"


def test_pending_rule_keeps_the_request_in_processing(daraja):
    daraja.client.add_rule(path="/mpesa/stkpush/", result={"pending": True})
    checkout_id = daraja.stk().json()["CheckoutRequestID"]
    assert daraja.query(checkout_id).json()["errorCode"] == "500.001.1001"
    assert daraja.client.get("/_sandbox/callbacks").json()["callbacks"] == []


def test_c2b_register_refuses_forbidden_words_and_lowercase_response_type(daraja):
    assert daraja.register(response_type="completed").status == 400
    reply = daraja.post("/mpesa/c2b/v2/registerurl", {
        "ShortCode": SHORTCODE, "ResponseType": "Completed",
        "ConfirmationURL": "https://example.com/mpesa/confirm", "ValidationURL": "https://example.com/validate",
    })
    assert reply.status == 400
    assert "mpesa" in reply.json()["errorMessage"]
    answer = daraja.register().json()
    assert answer["ResponseCode"] == "0"
    assert "OriginatorCoversationID" in answer, "Safaricom's spelling"


def test_c2b_simulate_validates_then_confirms_with_a_masked_msisdn(daraja):
    daraja.register()
    assert daraja.simulate(amount=100, bill_ref="INV/2024/0001").json()["ResponseCode"] == "0"
    deliveries = daraja.wait(2)
    assert [delivery["url"].rsplit("/", 1)[1] for delivery in deliveries] == ["validation", "confirmation"]
    [confirmation] = daraja.merchant.on("/confirmation")
    assert confirmation == daraja.merchant.on("/validation")[0]
    assert set(confirmation) == {"TransactionType", "TransID", "TransTime", "TransAmount", "BusinessShortCode",
                                 "BillRefNumber", "InvoiceNumber", "OrgAccountBalance", "ThirdPartyTransID",
                                 "MSISDN", "FirstName", "MiddleName", "LastName"}
    assert (confirmation["TransAmount"], confirmation["BillRefNumber"]) == ("100.00", "INV/2024/0001")
    assert confirmation["MSISDN"] == "2547 ***** 149"
    assert confirmation["TransactionType"] == "Pay Bill"


def test_c2b_v1_registration_sends_a_hashed_msisdn(daraja):
    daraja.register(version="v1")
    daraja.simulate()
    daraja.wait(2)
    [confirmation] = daraja.merchant.on("/confirmation")
    assert confirmation["MSISDN"] == hashlib.sha256(SANDBOX_MSISDN.encode()).hexdigest()


def test_c2b_rejected_by_validation_is_never_confirmed(daraja):
    daraja.merchant.answers["/validation"] = {"ResultCode": "C2B00012", "ResultDesc": "Rejected"}
    daraja.register()
    daraja.simulate()
    daraja.wait(1)
    assert daraja.merchant.on("/confirmation") == []


@pytest.mark.parametrize("response_type, confirmed", [("Completed", 1), ("Cancelled", 0)])
def test_unreachable_validation_follows_the_response_type(daraja, response_type, confirmed):
    daraja.register(response_type=response_type)
    daraja.client.add_rule(path="/mpesa/c2b/", callback={"drop": True})
    daraja.simulate()
    daraja.wait(1)
    records = daraja.client.get("/_sandbox/callbacks").json()["callbacks"]
    assert len(records) == 1 + confirmed


def test_stk_payment_can_also_arrive_as_a_c2b_confirmation(daraja):
    daraja.register()
    daraja.client.add_rule(path="/mpesa/stkpush/", result={"c2b": True, "receipt": "NLJ7RT61SV"})
    daraja.stk(Amount=25)
    daraja.wait(2)
    [confirmation] = daraja.merchant.on("/confirmation")
    assert (confirmation["TransID"], confirmation["TransAmount"]) == ("NLJ7RT61SV", "25.00")
    assert confirmation["BillRefNumber"] == "INV202400001"


def test_till_stk_payment_arrives_as_c2b_without_account_number(daraja):
    daraja.register()
    daraja.client.add_rule(path="/mpesa/stkpush/", result={"c2b": True, "receipt": "NLJ7RT61SW"})
    daraja.stk(Amount=25, TransactionType="CustomerBuyGoodsOnline", PartyB="600100")
    daraja.wait(2)
    [confirmation] = daraja.merchant.on("/confirmation")
    assert (confirmation["TransID"], confirmation["TransactionType"]) == ("NLJ7RT61SW", "Buy Goods")
    assert confirmation["BillRefNumber"] == ""


def test_b2c_result_has_the_documented_parameters(daraja):
    reply = daraja.b2c(amount=10)
    answer = reply.json()
    assert (reply.status, answer["ResponseCode"]) == (200, "0")
    assert answer["OriginatorConversationID"] == "53e3-4aa8-9fe0-8fb5e4092cdd3533373"
    [delivery] = daraja.wait(1)
    assert delivery["url"].endswith("/result")
    result = json.loads(delivery["body"])["Result"]
    assert (result["ResultCode"], result["ConversationID"]) == (0, answer["ConversationID"])
    keys = [item["Key"] for item in result["ResultParameters"]["ResultParameter"]]
    assert keys == ["TransactionAmount", "TransactionReceipt", "ReceiverPartyPublicName",
                    "TransactionCompletedDateTime", "B2CUtilityAccountAvailableFunds",
                    "B2CWorkingAccountAvailableFunds", "B2CRecipientIsRegisteredCustomer",
                    "B2CChargesPaidAccountAvailableFunds"]
    assert result["ReferenceData"]["ReferenceItem"]["Key"] == "QueueTimeoutURL"


def test_b2c_repeat_of_an_originator_id_is_a_duplicate(daraja):
    assert daraja.b2c().status == 200
    again = daraja.b2c()
    assert again.status == 500
    assert again.json()["errorCode"] == "500.002.1001"
    assert len(daraja.wait(1)) == 1


def test_b2c_failures_and_checks(daraja):
    daraja.b2c(originator="fail-1", phone="254700002001")
    result = json.loads(daraja.wait(1)[0]["body"])["Result"]
    assert (result["ResultCode"], result["ResultDesc"]) == (2001, "The initiator information is invalid.")
    assert "ResultParameters" not in result
    assert daraja.b2c(originator="x", SecurityCredential="not base64!").json()["errorMessage"].endswith(
        "SecurityCredential")
    assert daraja.b2c(originator="y", amount=9).status == 400
    assert daraja.b2c(originator="z", Remarks="x").status == 400
    assert daraja.b2c(originator="v", InitiatorName="").json()["errorMessage"].endswith("InitiatorName")
    status = daraja.post("/mpesa/transactionstatus/v1/query", daraja.initiator(
        "InitiatorName", CommandID="TransactionStatusQuery", TransactionID="X", PartyA="600996", IdentifierType="4"))
    assert status.json()["errorMessage"].endswith("Initiator"), "status, balance and reversal call it Initiator"


def test_b2c_queue_timeout_then_transaction_status_finds_the_payment(daraja):
    daraja.client.add_rule(path="/mpesa/b2c/", result={"timeout": True, "receipt": "SG632NMUAB"})
    conversation_id = daraja.b2c(originator="timeout-1").json()["ConversationID"]
    [delivery] = daraja.wait(1)
    assert delivery["url"].endswith("/timeout")
    assert json.loads(delivery["body"])["Result"]["OriginatorConversationID"] == "timeout-1"
    status = daraja.post("/mpesa/transactionstatus/v1/query", daraja.initiator(
        CommandID="TransactionStatusQuery", OriginalConversationID="timeout-1", TransactionID="", PartyA="600996",
        IdentifierType="4"))
    assert status.json()["ResponseCode"] == "0"
    result = json.loads(daraja.wait(2)[1]["body"])["Result"]
    parameters = {item["Key"]: item.get("Value") for item in result["ResultParameters"]["ResultParameter"]}
    assert (parameters["ReceiptNo"], parameters["TransactionStatus"]) == ("SG632NMUAB", "Completed")
    assert parameters["ConversationID"] == conversation_id
    assert "Value" not in next(item for item in result["ResultParameters"]["ResultParameter"]
                               if item["Key"] == "TransactionReason")


def test_transaction_status_of_an_unknown_payment(daraja):
    daraja.post("/mpesa/transactionstatus/v1/query", daraja.initiator(
        CommandID="TransactionStatusQuery", TransactionID="NOPE000000", PartyA="600996", IdentifierType="4"))
    result = json.loads(daraja.wait(1)[0]["body"])["Result"]
    assert result["ResultCode"] != 0
    assert "ResultParameters" not in result


def test_account_balance_is_a_delimited_string(daraja):
    reply = daraja.post("/mpesa/accountbalance/v1/query", daraja.initiator(
        CommandID="AccountBalance", PartyA="600996", IdentifierType="4"))
    assert reply.json()["ResponseCode"] == "0"
    result = json.loads(daraja.wait(1)[0]["body"])["Result"]
    balance = result["ResultParameters"]["ResultParameter"][0]
    assert balance["Key"] == "AccountBalance"
    accounts = [account.split("|") for account in balance["Value"].split("&")]
    assert accounts[0] == ["Working Account", "KES", "700000.00", "700000.00", "0.00", "0.00"]
    assert accounts[2][0] == "Utility Account"


def test_reversal_then_already_reversed_then_unknown(daraja):
    daraja.client.add_rule(path="/mpesa/stkpush/", result={"receipt": "NLJ7RT61SV"})
    daraja.stk(Amount=25)
    daraja.wait(1)

    def reverse(receipt):
        return daraja.post("/mpesa/reversal/v1/request", daraja.initiator(
            CommandID="TransactionReversal", TransactionID=receipt, Amount=25, ReceiverParty=SHORTCODE,
            RecieverIdentifierType="11"))

    assert reverse("NLJ7RT61SV").json()["ResponseCode"] == "0"
    assert reverse("NLJ7RT61SV").status == 200
    assert reverse("UNKNOWN123").status == 200
    results = [json.loads(item["body"])["Result"] for item in daraja.wait(4)[1:]]
    assert [result["ResultCode"] for result in results] == [0, "R000001", "R000002"]
    parameters = {item["Key"]: item["Value"] for item in results[0]["ResultParameters"]["ResultParameter"]}
    assert (parameters["OriginalTransactionID"], parameters["Amount"]) == ("NLJ7RT61SV", 25.0)
    bad_type = daraja.post("/mpesa/reversal/v1/request", daraja.initiator(
        CommandID="TransactionReversal", TransactionID="NLJ7RT61SV", RecieverIdentifierType="4"))
    assert bad_type.status == 400
