"""The other simulated SMS gateways: Twilio (signed status callbacks), Infobip (JSON reports), MTN SMS V3."""

import base64
import json
import urllib.parse

from sandbox.plugins.twilio import signature

TWILIO_SID = "ACtestaccount"
TWILIO_AUTH = {"Authorization": "Basic " + base64.b64encode(f"{TWILIO_SID}:auth-token".encode()).decode()}
TWILIO_MESSAGES = f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
INFOBIP_AUTH = {"Authorization": "App infobip-key"}


def test_twilio_send_errors_and_signed_status_callbacks(client, receiver):
    callback = f"{receiver.url}/twilio"
    client.add_rule(path=TWILIO_MESSAGES, result={"statuses": {"+254711000002": ["sent", "undelivered:30003"]}})
    reply = client.post(TWILIO_MESSAGES, headers=TWILIO_AUTH, form={
        "To": "+254711000002", "From": "+15005550006", "Body": "Hi", "StatusCallback": callback})
    assert reply.status == 201
    message = reply.json()
    assert message["sid"].startswith("SM") and message["status"] == "queued" and message["num_segments"] == "1"
    assert client.wait_callbacks(2)["complete"]
    posted = [item for item in receiver.received if item["path"] == "/twilio"]
    params = [dict(urllib.parse.parse_qsl(item["body"].decode())) for item in posted]
    assert [(item["MessageStatus"], item.get("ErrorCode")) for item in params] == [("sent", None),
                                                                                  ("undelivered", "30003")]
    for item, values in zip(posted, params):
        assert item["headers"]["X-Twilio-Signature"] == signature("auth-token", callback, values)
    invalid = client.post(TWILIO_MESSAGES, headers=TWILIO_AUTH, form={"To": "0711", "From": "+1", "Body": "Hi"})
    assert (invalid.status, invalid.json()["code"]) == (400, 21211)
    assert client.post(TWILIO_MESSAGES, form={"To": "+254711000002", "Body": "Hi"}).json()["code"] == 20003
    balance = client.get(f"/2010-04-01/Accounts/{TWILIO_SID}/Balance.json", headers=TWILIO_AUTH).json()
    assert balance == {"account_sid": TWILIO_SID, "balance": "12.34", "currency": "USD"}


def test_infobip_bulk_send_rejections_and_reports(client, receiver):
    client.add_rule(path="/sms/3/messages", result={
        "rejected": {"254711000009": "REJECTED_DESTINATION"},
        "delivery": {"254711000002": "UNDELIVERABLE:EC_ABSENT_SUBSCRIBER"},
    })
    reply = client.post("/sms/3/messages", headers=INFOBIP_AUTH, json_body={"messages": [{
        "sender": "DDCPTS", "content": {"text": "Hi"},
        "destinations": [{"to": "254701000001"}, {"to": "254711000002"}, {"to": "254711000009"}],
        "webhooks": {"delivery": {"url": f"{receiver.url}/infobip"}},
    }]})
    messages = reply.json()["messages"]
    assert [item["status"]["groupName"] for item in messages] == ["PENDING", "PENDING", "REJECTED"]
    assert client.wait_callbacks(2)["complete"]
    results = [json.loads(item["body"])["results"][0] for item in receiver.received]
    by_to = {item["to"]: item for item in results}
    assert by_to["254701000001"]["status"]["groupName"] == "DELIVERED"
    assert by_to["254711000002"]["error"]["name"] == "EC_ABSENT_SUBSCRIBER"
    assert by_to["254701000001"]["price"] == {"pricePerMessage": 0.01, "currency": "EUR"}
    assert client.post("/sms/3/messages", json_body={"messages": []}).status == 401
    assert client.get("/account/1/balance", headers=INFOBIP_AUTH).json() == {"balance": 47.79, "currency": "EUR"}


def test_mtn_token_subscription_send_and_receipts(client, receiver):
    token = client.post("/v1/oauth/access_token?grant_type=client_credentials",
                        form={"client_id": "id", "client_secret": "secret"}).json()
    assert token["expires_in"] == "3599"
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.post("/v3/sms/messages/sms/subscription", headers=bearer, json_body={
        "serviceCode": "1234", "callbackUrl": f"{receiver.url}/in", "deliveryReportUrl": f"{receiver.url}/dlr",
    }).status == 201
    reply = client.post("/v3/sms/messages/sms/outbound", headers=bearer, json_body={
        "clientCorrelatorId": "corr-1", "message": "Hi", "receiverAddress": ["+233241234567", "+233241234568"],
        "serviceCode": "1234", "senderAddress": "DDCPTS", "requestDeliveryReceipt": True})
    assert reply.json()["statusCode"] == "0000"
    assert client.wait_callbacks(2)["complete"]
    receipts = [json.loads(item["body"]) for item in receiver.received]
    assert {(item["receiverAddress"], item["deliveryStatus"], item["clientCorrelatorId"]) for item in receipts} == {
        ("+233241234567", "DeliveredToTerminal", "corr-1"), ("+233241234568", "DeliveredToTerminal", "corr-1")}
    assert client.post("/v3/sms/messages/sms/outbound", json_body={}).status == 401
