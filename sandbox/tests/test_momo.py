"""The MoMo simulator speaks the formats of docs/providers/momo.md and plays the official test-number matrix."""

import base64
import uuid

import pytest

SUBSCRIPTION = {"Ocp-Apim-Subscription-Key": "sub-key"}


class Momo:
    def __init__(self, client):
        self.client = client
        self.tokens = {}

    def token(self, product, user="user", key="key"):
        basic = base64.b64encode(f"{user}:{key}".encode()).decode()
        return self.client.post(f"/{product}/token/", headers={**SUBSCRIPTION, "Authorization": f"Basic {basic}"})

    def headers(self, product, **extra):
        if product not in self.tokens:
            self.tokens[product] = self.token(product).json()["access_token"]
        return {**SUBSCRIPTION, "Authorization": f"Bearer {self.tokens[product]}", "X-Target-Environment": "sandbox",
                **extra}

    def request_to_pay(self, msisdn, reference=None, amount="100", callback=None, currency="EUR"):
        reference = reference or str(uuid.uuid4())
        extra = {"X-Reference-Id": reference, **({"X-Callback-Url": callback} if callback else {})}
        reply = self.client.post("/collection/v1_0/requesttopay", headers=self.headers("collection", **extra),
                                 json_body={"amount": amount, "currency": currency, "externalId": "INV/2026/0001",
                                            "payer": {"partyIdType": "MSISDN", "partyId": msisdn},
                                            "payerMessage": "Pay", "payeeNote": "Note"})
        return reference, reply

    def status(self, reference, product="collection"):
        path = "requesttopay" if product == "collection" else "transfer"
        return self.client.get(f"/{product}/v1_0/{path}/{reference}", headers=self.headers(product))

    def transfer(self, msisdn, reference=None):
        reference = reference or str(uuid.uuid4())
        reply = self.client.post("/disbursement/v1_0/transfer",
                                 headers=self.headers("disbursement", **{"X-Reference-Id": reference}),
                                 json_body={"amount": "50", "currency": "EUR", "externalId": "PAY/0001",
                                            "payee": {"partyIdType": "MSISDN", "partyId": msisdn}})
        return reference, reply


@pytest.fixture
def momo(client):
    return Momo(client)


def test_provisioning_creates_user_and_key_and_a_new_key_replaces_the_old(momo, client):
    user = str(uuid.uuid4())
    created = client.post("/v1_0/apiuser", headers={**SUBSCRIPTION, "X-Reference-Id": user},
                          json_body={"providerCallbackHost": "erp.example.com"})
    assert created.status == 201
    again = client.post("/v1_0/apiuser", headers={**SUBSCRIPTION, "X-Reference-Id": user},
                        json_body={"providerCallbackHost": "erp.example.com"})
    assert (again.status, again.json()["code"]) == (409, "RESOURCE_ALREADY_EXIST")
    assert client.get(f"/v1_0/apiuser/{user}", headers=SUBSCRIPTION).json()["providerCallbackHost"] == "erp.example.com"
    first = client.post(f"/v1_0/apiuser/{user}/apikey", headers=SUBSCRIPTION).json()["apiKey"]
    second = client.post(f"/v1_0/apiuser/{user}/apikey", headers=SUBSCRIPTION).json()["apiKey"]
    assert momo.token("collection", user, first).status == 401
    token = momo.token("collection", user, second).json()
    assert token["token_type"] == "access_token" and token["expires_in"] == 3600


@pytest.mark.parametrize("msisdn, status, reason", [
    ("46733123450", "FAILED", "INTERNAL_PROCESSING_ERROR"),
    ("46733123451", "FAILED", "APPROVAL_REJECTED"),
    ("46733123452", "FAILED", "EXPIRED"),
    ("46733123453", "PENDING", None),
    ("46733123455", "FAILED", "PAYER_NOT_FOUND"),
    ("233241234567", "SUCCESSFUL", None),
])
def test_request_to_pay_outcomes_follow_the_test_numbers(momo, msisdn, status, reason):
    reference, reply = momo.request_to_pay(msisdn)
    assert (reply.status, reply.body) == (202, b"")
    body = momo.status(reference).json()
    assert (body["status"], body.get("reason")) == (status, reason)
    assert body["amount"] == "100" and body["payer"] == {"partyIdType": "MSISDN", "partyId": msisdn}
    assert ("financialTransactionId" in body) == (status == "SUCCESSFUL")


def test_delayed_number_is_pending_first_then_successful(momo):
    reference, _reply = momo.request_to_pay("46733123454")
    assert momo.status(reference).json()["status"] == "PENDING"
    assert momo.status(reference).json()["status"] == "SUCCESSFUL"


def test_transfer_outcomes_and_balance(momo, client):
    reference, reply = momo.transfer("46733123455")
    assert reply.status == 202
    assert momo.status(reference, "disbursement").json()["reason"] == "NOT_ENOUGH_FUNDS"
    reference, _reply = momo.transfer("46733123451")
    assert momo.status(reference, "disbursement").json()["reason"] == "APPROVAL_REJECTED"
    reference, _reply = momo.transfer("233241234567")
    assert momo.status(reference, "disbursement").json()["status"] == "SUCCESSFUL"
    balance = client.get("/disbursement/v1_0/account/balance", headers=momo.headers("disbursement")).json()
    assert balance == {"availableBalance": "99950.00", "currency": "EUR"}


def test_reused_reference_is_refused_with_409(momo):
    reference, _reply = momo.request_to_pay("233241234567")
    _reference, again = momo.request_to_pay("233241234567", reference=reference)
    assert (again.status, again.json()["code"]) == (409, "RESOURCE_ALREADY_EXIST")


def test_bad_requests_are_refused(momo, client):
    assert momo.request_to_pay("233241234567", reference="not-a-uuid")[1].status == 400
    assert momo.request_to_pay("233241234567", amount=100)[1].status == 400
    assert momo.request_to_pay("233241234567", currency="GHS")[1].json()["code"] == "INVALID_CURRENCY"
    assert momo.status(str(uuid.uuid4())).status == 404
    no_token = client.get(f"/collection/v1_0/requesttopay/{uuid.uuid4()}", headers=SUBSCRIPTION)
    assert no_token.status == 401


def test_rule_sends_numbers_where_strings_are_expected(momo, client):
    client.add_rule(path="/collection/v1_0/requesttopay", method="POST", result={"numbers": True})
    reference, _reply = momo.request_to_pay("4656473839")
    body = momo.status(reference).json()
    assert body["amount"] == 100 and body["payer"]["partyId"] == 4656473839
    assert isinstance(body["financialTransactionId"], int)


def test_one_callback_is_put_to_the_callback_url(momo, client, receiver):
    momo.request_to_pay("46733123451", callback=receiver.url + "/momo")
    [delivery] = client.wait_callbacks(1)["callbacks"]
    assert (delivery["method"], delivery["state"]) == ("PUT", "delivered")
    _reference, _reply = momo.request_to_pay("46733123453", callback=receiver.url + "/momo")
    assert len(client.get("/_sandbox/callbacks").json()["callbacks"]) == 1, "no callback while still pending"
