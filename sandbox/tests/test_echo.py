"""The echo provider: OAuth token, bearer-protected API, asynchronous callbacks."""

import json
import urllib.parse


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_token_requires_basic_authorization(client):
    missing = client.post("/echo/oauth/token")
    assert (missing.status, missing.json()) == (401, {"error": "invalid_client"})
    reply = client.post("/echo/oauth/token", headers={"Authorization": "Basic anything"})
    assert reply.status == 200
    token = reply.json()
    assert token["expires_in"] == 3600
    assert token["token_type"] == "Bearer"
    assert len(token["access_token"]) >= 20
    assert client.token() != token["access_token"]
    assert client.get("/_sandbox/state").json()["echo"]["tokens_issued"] == 2


def test_api_requires_an_issued_unexpired_token(client):
    for headers in ({}, bearer("forged"), {"Authorization": "Basic dXNlcjpwYXNz"}):
        reply = client.get("/echo/api/anything", headers=headers)
        assert (reply.status, reply.json()) == (401, {"error": "invalid_token"})
    client.add_rule(path="/echo/oauth/token", result={"expires_in": 0})
    expired = client.token()
    assert client.get("/echo/api/anything", headers=bearer(expired)).status == 401
    assert client.get("/echo/api/anything", headers=bearer(client.token())).status == 200


def test_api_echoes_method_path_body_and_query(client):
    token = client.token()
    as_json = client.request("PUT", "/echo/api/v1/orders/9?expand=lines", json_body={"qty": 2}, headers=bearer(token))
    assert as_json.json() == {
        "ok": True,
        "method": "PUT",
        "path": "/echo/api/v1/orders/9",
        "json": {"qty": 2},
        "form": None,
        "query": {"expand": "lines"},
    }
    as_form = client.post("/echo/api/sms", form={"to": "+254700000001", "message": "hi"}, headers=bearer(token))
    assert as_form.json()["form"] == {"to": "+254700000001", "message": "hi"}
    assert as_form.json()["json"] is None
    deleted = client.delete("/echo/api/orders/9", headers=bearer(token))
    assert (deleted.json()["method"], deleted.json()["json"]) == ("DELETE", None)


def test_rule_result_is_merged_into_the_answer(client):
    token = client.token()
    client.add_rule(path="/echo/api/pay", result={"ok": False, "code": "INSUFFICIENT_FUNDS"})
    declined = client.post("/echo/api/pay", json_body={}, headers=bearer(token)).json()
    assert (declined["ok"], declined["code"], declined["path"]) == (False, "INSUFFICIENT_FUNDS", "/echo/api/pay")
    assert client.post("/echo/api/pay", json_body={}, headers=bearer(token)).json()["ok"] is True


def test_callback_is_accepted_then_delivered_as_json(client, receiver):
    payload = {"reference": "R-1", "status": "SUCCESS", "amount": 150}
    reply = client.post(
        "/echo/api/callback",
        json_body={"callback_url": receiver.url + "/hooks/pay?sig=1", "payload": payload},
        headers=bearer(client.token()),
    )
    assert (reply.status, reply.json()) == (202, {"accepted": True})
    waited = client.wait_callbacks(1)
    assert waited["complete"]
    [delivery] = waited["callbacks"]
    assert (delivery["state"], delivery["response_status"], delivery["response_body"]) == ("delivered", 200, "thanks")
    [received] = receiver.received
    assert received["path"] == "/hooks/pay?sig=1"
    assert received["headers"]["Content-Type"] == "application/json"
    assert json.loads(received["body"]) == payload


def test_callback_as_form(client, receiver):
    client.post(
        "/echo/api/callback",
        json_body={
            "callback_url": receiver.url + "/dlr",
            "payload": {"id": "ATX1", "status": "Success"},
            "content_type": "form",
        },
        headers=bearer(client.token()),
    )
    assert client.wait_callbacks(1)["callbacks"][0]["content_type"] == "form"
    [received] = receiver.received
    assert received["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert dict(urllib.parse.parse_qsl(received["body"].decode())) == {"id": "ATX1", "status": "Success"}


def test_callback_request_is_validated(client):
    token = client.token()
    missing_url = client.post("/echo/api/callback", json_body={"payload": {}}, headers=bearer(token))
    assert (missing_url.status, missing_url.json()) == (400, {"error": "expected a JSON object with a callback_url"})
    bad_type = client.post(
        "/echo/api/callback",
        json_body={"callback_url": "http://127.0.0.1:9/x", "payload": {}, "content_type": "xml"},
        headers=bearer(token),
    )
    assert bad_type.status == 400
    assert "content_type must be one of json, form" in bad_type.json()["error"]
    assert client.get("/_sandbox/callbacks").json() == {"callbacks": []}


def test_hooks_receive_anything_and_can_be_scripted_to_fail(client):
    reply = client.post("/echo/hooks/erp", json_body={"event": "ping"}, headers={"X-DDCPTS-Signature": "t=1,v1=ab"})
    assert (reply.status, reply.json()) == (200, {"received": True})
    logged = client.get("/_sandbox/requests?path=/echo/hooks/erp").json()["requests"][-1]
    assert logged["json"] == {"event": "ping"}
    headers = {name.lower(): value for name, value in logged["headers"].items()}
    assert headers["x-ddcpts-signature"] == "t=1,v1=ab"
    client.add_rule(path="/echo/hooks/", status=503, body={"error": "down"})
    assert client.post("/echo/hooks/erp", json_body={}).status == 503
    assert client.post("/echo/hooks/erp", json_body={}).status == 200
