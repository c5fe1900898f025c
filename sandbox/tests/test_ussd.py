"""USSD: MADAPI subscription and outbound messages, dialogues played against an application."""

import urllib.parse

KEY = {"x-api-key": "madapi-key"}


def test_madapi_needs_its_api_key(client):
    reply = client.post("/v1/messages/ussd/subscription", json_body={
        "serviceCode": "*713#", "callbackUrl": "http://x", "targetSystem": "APP"})
    assert reply.status == 401
    assert set(reply.json()) >= {"statusCode", "statusMessage", "transactionId"}, "MADAPI's Error shape"


def test_madapi_subscription_needs_a_target_system(client):
    reply = client.post("/v1/messages/ussd/subscription", headers=KEY,
                        json_body={"serviceCode": "*713#", "callbackUrl": "http://127.0.0.1:9/cb"})
    assert reply.status == 400 and "targetSystem" in reply.json()["supportMessage"]


def test_madapi_subscription_outbound_and_unsubscription_are_recorded(client):
    reply = client.post("/v1/messages/ussd/subscription", headers=KEY, json_body={
        "serviceCode": "*713#", "callbackUrl": "http://127.0.0.1:9/cb", "targetSystem": "APP"})
    answer = reply.json()
    assert reply.status == 201 and (answer["statusCode"], answer["statusMessage"]) == ("0000", "Created")
    subscription_id = answer["data"]["subscriptionId"]
    assert client.post("/v1/messages/ussd/outbound", headers=KEY, json_body={"sessionId": "S1"}).status == 400
    outbound = {"sessionId": "S1", "messageType": "2", "msisdn": "233240000001", "serviceCode": "*713#",
                "ussdString": "Bye"}
    assert client.post("/v1/messages/ussd/outbound", headers=KEY, json_body={**outbound, "messageType": "9"}).status \
        == 400
    reply = client.post("/v1/messages/ussd/outbound", headers=KEY, json_body=outbound)
    assert reply.status == 201
    assert reply.json()["data"] == {"outboundResponse": "0000", "sessionId": "S1", "msisdn": "233240000001"}
    state = client.get("/_sandbox/state").json()["ussd"]
    assert state["subscriptions"]["*713#"]["callbackUrl"] == "http://127.0.0.1:9/cb"
    assert state["outbound"]["S1"][0]["ussdString"] == "Bye"
    assert client.request("DELETE", f"/v1/messages/ussd/subscription/{subscription_id}", headers=KEY).status == 200
    assert client.request("DELETE", f"/v1/messages/ussd/subscription/{subscription_id}", headers=KEY).status == 404
    assert not client.get("/_sandbox/state").json()["ussd"]["subscriptions"]


def test_africastalking_dialogue_posts_the_growing_history_and_stops_on_a_bad_answer(client, receiver):
    reply = client.post("/ussd/simulate/dialogue", json_body={
        "format": "africastalking", "url": f"{receiver.url}/ussd", "phoneNumber": "+254711000001",
        "serviceCode": "*384*55#", "inputs": ["1", "2"], "end_notification": True})
    assert reply.status == 200
    answer = reply.json()
    # the receiver answers "thanks", which is neither CON nor END: the gateway ends the session as failed
    assert (answer["status"], answer["ended"], answer["screens"]) == ("Failed", True, ["thanks"])
    forms = [dict(urllib.parse.parse_qsl(item["body"].decode(), keep_blank_values=True)) for item in receiver.received]
    assert forms[0]["text"] == "" and forms[0]["phoneNumber"] == "+254711000001"
    assert forms[0]["sessionId"].startswith("ATUid_")
    assert forms[1]["status"] == "Failed" and forms[1]["errorMessage"]


def test_dialogue_refuses_an_unknown_format(client):
    assert client.post("/ussd/simulate/dialogue", json_body={"format": "smoke"}).status == 400
