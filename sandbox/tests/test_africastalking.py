"""Africa's Talking SMS: bulk send, scripted outcomes, delivery reports, incoming SMS, opt-outs, balance."""

import urllib.parse

import pytest

API_KEY = {"apiKey": "atsk_sandbox_key"}


def send(client, to, message="Hello from DDCPTS", **extra):
    form = {"username": "sandbox", "to": ",".join(to), "message": message, "bulkSMSMode": 1, **extra}
    return client.post("/version1/messaging", form=form, headers=API_KEY)


def dashboard(client, receiver, **urls):
    urls = urls or {"delivery_reports": f"{receiver.url}/dlr", "incoming_messages": f"{receiver.url}/incoming",
                    "bulk_sms_optout": f"{receiver.url}/optout"}
    reply = client.post("/africastalking/dashboard/callbacks", json_body={"username": "sandbox", **urls})
    assert reply.status == 200, reply.body


def received_forms(receiver, path):
    return [dict(urllib.parse.parse_qsl(item["body"].decode())) for item in receiver.received if item["path"] == path]


def test_one_request_serves_many_recipients_of_the_same_text(client):
    numbers = [f"+2547010{index:05d}" for index in range(1000)]
    reply = send(client, numbers)
    assert reply.status == 201
    data = reply.json()["SMSMessageData"]
    assert data["Message"] == "Sent to 1000/1000 Total Cost: KES 800.0000"
    assert [item["number"] for item in data["Recipients"]] == numbers
    first = data["Recipients"][0]
    assert first["status"] == "Success" and first["statusCode"] == 101
    assert first["cost"] == "KES 0.8000" and first["messageParts"] == 1
    assert first["messageId"].startswith("ATXid_")
    assert len({item["messageId"] for item in data["Recipients"]}) == 1000
    state = client.get("/_sandbox/state").json()["africastalking"]
    assert (state["send_requests"], state["messages"]) == (1, 1000)


def test_scripted_per_number_outcomes_follow_the_real_wire_format(client):
    client.add_rule(path="/version1/messaging", result={"status_codes": {"+2348000000001": 409, "+254711000003": 405}})
    data = send(client, ["+254701000001", "+2348000000001", "+254711000003", "0711000004"]).json()["SMSMessageData"]
    recipients = {item["number"]: item for item in data["Recipients"]}
    assert recipients["+2348000000001"] == {"cost": "0", "messageId": "None", "number": "+2348000000001",
                                            "status": "DoNotDisturbRejection", "statusCode": 409}
    assert recipients["+254711000003"]["status"] == "InsufficientBalance"
    assert recipients["0711000004"]["statusCode"] == 403, "numbers without +country code are invalid"
    assert data["Message"] == "Sent to 1/4 Total Cost: KES 0.8000"


def test_parts_and_cost_follow_the_encoding(client):
    long_gsm = "x" * 161
    unicode_text = "Habari 😀"
    recipients = {}
    for text in (long_gsm, unicode_text, "€" * 81):
        recipients[text] = send(client, ["+254701000001"], message=text).json()["SMSMessageData"]["Recipients"][0]
    assert recipients[long_gsm]["messageParts"] == 2
    assert recipients[unicode_text]["messageParts"] == 1
    assert recipients["€" * 81]["messageParts"] == 2, "extension characters count twice"
    assert recipients[long_gsm]["cost"] == "KES 1.6000"


def test_authentication_and_bad_requests(client):
    reply = client.post("/version1/messaging", form={"username": "sandbox", "to": "+254701000001", "message": "x"})
    assert (reply.status, reply.body.decode()) == (401, "The supplied authentication is invalid")
    missing = client.post("/version1/messaging", form={"username": "sandbox", "message": "x"}, headers=API_KEY)
    assert missing.status == 400
    client.add_rule(path="/version1/messaging", result={"reject": "InvalidSenderId"})
    rejected = send(client, ["+254701000001"], **{"from": "NOTMINE"}).json()["SMSMessageData"]
    assert rejected == {"Message": "InvalidSenderId", "Recipients": []}


def test_balance(client):
    reply = client.get("/version1/user?username=sandbox", headers=API_KEY)
    assert reply.json() == {"UserData": {"balance": "KES 1785.5000"}}
    assert client.get("/version1/user?username=sandbox").status == 401


def test_delivery_reports_success_failed_with_reason_and_buffered(client, receiver):
    dashboard(client, receiver)
    client.add_rule(path="/version1/messaging", result={"delivery": {
        "+254711000002": "Failed:UserInBlacklist",
        "+254711000003": ["Buffered", "Success"],
        "+254711000004": None,
    }})
    recipients = send(client, ["+254701000001", "+254711000002", "+254711000003", "+254711000004"]) \
        .json()["SMSMessageData"]["Recipients"]
    ids = {item["number"]: item["messageId"] for item in recipients}
    assert client.wait_callbacks(4)["complete"]
    reports = received_forms(receiver, "/dlr")
    by_number = {}
    for report in reports:
        by_number.setdefault(report["phoneNumber"], []).append(report)
    assert set(by_number) == {"+254701000001", "+254711000002", "+254711000003"}
    assert by_number["+254701000001"] == [{"id": ids["+254701000001"], "status": "Success",
                                           "phoneNumber": "+254701000001", "networkCode": "63902",
                                           "retryCount": "0"}]
    failed = by_number["+254711000002"][0]
    assert (failed["status"], failed["failureReason"]) == ("Failed", "UserInBlacklist")
    assert [report["status"] for report in by_number["+254711000003"]] == ["Buffered", "Success"]


def test_incoming_message_and_opt_out(client, receiver):
    unconfigured = client.post("/africastalking/simulate/incoming", json_body={
        "username": "sandbox", "from": "+254711000005", "to": "20880", "text": "STOP"})
    assert unconfigured.status == 409
    dashboard(client, receiver)
    assert client.post("/africastalking/simulate/incoming", json_body={
        "username": "sandbox", "from": "+254711000005", "to": "20880", "text": "STOP"}).status == 202
    assert client.post("/africastalking/simulate/optout", json_body={
        "username": "sandbox", "senderId": "DDCPTS", "phoneNumber": "+254711000006"}).status == 202
    assert client.wait_callbacks(2)["complete"]
    incoming = received_forms(receiver, "/incoming")[0]
    assert {key: incoming[key] for key in ("from", "to", "text", "networkCode")} == {
        "from": "+254711000005", "to": "20880", "text": "STOP", "networkCode": "63902"}
    assert incoming["id"].startswith("ATXid_") and incoming["date"] and incoming["linkId"]
    assert received_forms(receiver, "/optout") == [{"senderId": "DDCPTS", "phoneNumber": "+254711000006"}]
    blocked = send(client, ["+254711000006"], **{"from": "DDCPTS"}).json()["SMSMessageData"]["Recipients"][0]
    assert (blocked["statusCode"], blocked["status"]) == (406, "UserInBlacklist")
    other_sender = send(client, ["+254711000006"], **{"from": "OTHER"}).json()["SMSMessageData"]["Recipients"][0]
    assert other_sender["statusCode"] == 101


@pytest.mark.parametrize("body", [{"username": "sandbox"}, {"from": "+254711000005"}, ["not", "an", "object"]])
def test_simulations_need_their_fields(client, body):
    assert client.post("/africastalking/simulate/incoming", json_body=body).status == 400
