"""Callback delivery: delay, duplicates, drops and failures are all sent (or not) and recorded."""

import json
import socket
import time


def order_callback(client, url, payload=None):
    """Have echo accept a request whose callback goes to ``url``; return the time just before it was sent
    (a delivery is due its delay after the simulator got the request, so never before this time plus it)."""
    headers = {"Authorization": f"Bearer {client.token()}"}
    ordered = time.monotonic()
    reply = client.post("/echo/api/callback", json_body={"callback_url": url, "payload": payload or {"ref": "R-1"}},
                        headers=headers)
    assert reply.status == 202
    return ordered


def test_default_delay_applies_without_rule(client, receiver, sandbox_app):
    assert sandbox_app.callbacks.default_delay_ms == 100
    ordered = order_callback(client, receiver.url + "/hook")
    [delivery] = client.wait_callbacks(1)["callbacks"]
    assert delivery["state"] == "delivered"
    assert delivery["rule"] is None
    assert receiver.received[0]["at"] - ordered >= 0.1


def test_rule_delay_overrides_default_and_records_the_delivery(client, receiver):
    rule_id = client.add_rule(path="/echo/api/callback", callback={"delay_ms": 400})
    ordered = order_callback(client, receiver.url + "/hook", {"ref": "R-9"})
    pending = client.get("/_sandbox/callbacks").json()["callbacks"]
    assert [(item["state"], item["attempts"], item["finished"]) for item in pending] == [("pending", 0, None)]
    [delivery] = client.wait_callbacks(1)["callbacks"]
    assert receiver.received[0]["at"] - ordered >= 0.4
    assert delivery["rule"] == rule_id
    assert {key: delivery[key] for key in ("url", "method", "content_type", "body", "state", "attempts")} == {
        "url": receiver.url + "/hook",
        "method": "POST",
        "content_type": "json",
        "body": json.dumps({"ref": "R-9"}),
        "state": "delivered",
        "attempts": 1,
    }
    assert delivery["created"] < delivery["finished"]


def test_short_delay_is_not_held_up_by_a_long_one(client, receiver):
    client.add_rule(path="/echo/api/callback", callback={"delay_ms": 600_000})  # cancelled by the next reset
    client.add_rule(path="/echo/api/callback", callback={"delay_ms": 0})
    order_callback(client, receiver.url + "/slow")
    order_callback(client, receiver.url + "/fast")
    waited = client.wait_callbacks(1)
    assert [item["state"] for item in waited["callbacks"]] == ["pending", "delivered"]
    assert [item["path"] for item in receiver.received] == ["/fast"]


def test_copies_send_duplicates(client, receiver):
    client.add_rule(path="/echo/api/callback", callback={"delay_ms": 0, "copies": 3})
    order_callback(client, receiver.url + "/hook", {"ref": "DUP"})
    [delivery] = client.wait_callbacks(1)["callbacks"]
    assert (delivery["state"], delivery["attempts"]) == ("delivered", 3)
    assert [json.loads(item["body"]) for item in receiver.received] == [{"ref": "DUP"}] * 3


def test_dropped_callback_is_recorded_but_never_sent(client, receiver):
    client.add_rule(path="/echo/api/callback", callback={"drop": True, "delay_ms": 0})
    client.add_rule(path="/echo/api/callback", callback={"delay_ms": 0})
    order_callback(client, receiver.url + "/lost")
    order_callback(client, receiver.url + "/kept")
    waited = client.wait_callbacks(2)
    assert waited["complete"]
    assert [(item["state"], item["attempts"]) for item in waited["callbacks"]] == [("dropped", 0), ("delivered", 1)]
    assert [item["path"] for item in receiver.received] == ["/kept"]


def test_unreachable_receiver_is_recorded_as_failed(client):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    client.add_rule(path="/echo/api/callback", callback={"delay_ms": 0})
    order_callback(client, f"http://127.0.0.1:{port}/gone")
    [delivery] = client.wait_callbacks(1)["callbacks"]
    assert (delivery["state"], delivery["attempts"], delivery["response_status"]) == ("failed", 1, None)
    assert "Connection refused" in delivery["error"]
    assert client.get("/_sandbox/health").status == 200


def test_receiver_error_is_recorded_as_failed_with_its_answer(client, receiver):
    client.add_rule(path="/echo/api/callback", callback={"delay_ms": 0})
    order_callback(client, receiver.url + "/fail")
    [delivery] = client.wait_callbacks(1)["callbacks"]
    assert (delivery["state"], delivery["response_status"], delivery["response_body"]) == (
        "failed",
        500,
        "receiver broke",
    )
    assert delivery["error"] == "receiver answered HTTP 500"


def test_wait_reports_incomplete_on_timeout(client):
    client.add_rule(path="/echo/api/callback", callback={"delay_ms": 5000})
    order_callback(client, "http://127.0.0.1:9/never")
    started = time.monotonic()
    waited = client.wait_callbacks(1, timeout=0.2)
    assert time.monotonic() - started >= 0.2
    assert waited["complete"] is False
    assert [item["state"] for item in waited["callbacks"]] == ["pending"]
    assert client.post("/_sandbox/callbacks/wait", json_body={"timeout": 1}).status == 400


def test_reset_cancels_queued_and_held_deliveries(client, receiver, sandbox_app):
    client.add_rule(path="/echo/api/callback", callback={"delay_ms": 300})
    order_callback(client, receiver.url + "/cancelled")
    client.post("/_sandbox/reset", json_body={"hold_callbacks": True})
    order_callback(client, receiver.url + "/held-then-reset")
    client.post("/_sandbox/reset", json_body={"hold_callbacks": True})
    assert sandbox_app.callbacks.records() == []
    # nothing is left to send: the queued delivery and the held one are gone for good
    assert client.post("/_sandbox/callbacks/deliver", json_body={}).json() == {"callbacks": [], "complete": True}
    assert receiver.received == []


def test_held_callbacks_are_sent_only_when_asked_and_the_answer_waits_for_them(client, receiver):
    assert client.post("/_sandbox/reset", json_body={"hold_callbacks": True}).json() == {"reset": True}
    client.add_rule(path="/echo/api/callback", callback={"copies": 2})
    client.add_rule(path="/echo/api/callback", callback={"drop": True})
    order_callback(client, receiver.url + "/first", {"ref": "H-1"})
    order_callback(client, receiver.url + "/dropped")
    order_callback(client, receiver.url + "/second", {"ref": "H-2"})
    listed = client.get("/_sandbox/callbacks").json()["callbacks"]
    assert [item["state"] for item in listed] == ["held", "dropped", "held"]
    assert client.wait_callbacks(3, timeout=0)["complete"] is False, "held deliveries are not finished"
    assert receiver.received == []

    answer = client.post("/_sandbox/callbacks/deliver", json_body={"timeout": 30}).json()
    assert answer["complete"] is True
    assert [(item["url"].rsplit("/", 1)[1], item["state"], item["attempts"]) for item in answer["callbacks"]] == [
        ("first", "delivered", 2), ("second", "delivered", 1)]
    # the answer came after every copy reached the receiver
    assert sorted(item["path"] for item in receiver.received) == ["/first", "/first", "/second"]
    assert client.post("/_sandbox/callbacks/deliver", json_body={}).json()["callbacks"] == []


def test_reset_without_body_returns_to_immediate_delivery(client, receiver):
    client.post("/_sandbox/reset", json_body={"hold_callbacks": True})
    client.post("/_sandbox/reset")
    client.add_rule(path="/echo/api/callback", callback={"delay_ms": 0})
    order_callback(client, receiver.url + "/hook")
    [delivery] = client.wait_callbacks(1)["callbacks"]
    assert delivery["state"] == "delivered"
    assert client.post("/_sandbox/reset", json_body={"hold_callbacks": "yes"}).status == 400
