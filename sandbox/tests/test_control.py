"""The control API and the rule engine, over real HTTP."""

import threading
import time


def test_health_lists_plugins(client):
    reply = client.get("/_sandbox/health")
    assert reply.status == 200
    health = reply.json()
    assert health["status"] == "ok"
    assert {"echo", "probe"} <= set(health["plugins"])
    assert health["plugins"][-1] == "probe", "the test's own plugin comes after the shipped ones"


def test_unknown_route_wrong_method_and_bad_json(client):
    assert (client.get("/nowhere").status, client.get("/nowhere").json()) == (404, {"error": "no such route"})
    assert client.get("/_sandbox/nowhere").status == 404
    assert client.get("/_sandbox/reset").status == 405
    bad = client.post("/_sandbox/rules", data=b"{not json", headers={"Content-Type": "application/json"})
    assert bad.status == 400
    assert "not valid JSON" in bad.json()["error"]


def test_invalid_rules_are_refused_with_the_reason(client):
    for rule, reason in (
        ({"stauts": 503}, "unknown rule field(s): stauts"),
        ({"times": 0}, "times"),
        ({"status": 99}, "status"),
        ({"body": "down"}, "body is only used together with status"),
        ({"callback": {"copies": 0}}, "callback.copies"),
        ({"path": "echo"}, "path"),
    ):
        reply = client.post("/_sandbox/rules", json_body=rule)
        assert reply.status == 400
        assert reason in reply.json()["error"]
    assert client.get("/_sandbox/rules").json() == {"rules": []}


def test_status_rule_fails_then_service_recovers(client):
    rule_id = client.add_rule(method="GET", path="/probe/", status=503, body={"fault": "maintenance"})
    failed = client.get("/probe/items/1")
    assert (failed.status, failed.json()) == (503, {"fault": "maintenance"})
    recovered = client.get("/probe/items/1")
    assert (recovered.status, recovered.json()) == (200, {"item_id": "1", "rule": None})
    assert client.get("/_sandbox/state").json()["probe"] == {"hits": 1}  # the failed call never reached the plugin
    assert client.get("/_sandbox/rules").json()["rules"][0]["id"] == rule_id
    assert client.get("/_sandbox/rules").json()["rules"][0]["remaining"] == 0


def test_status_rule_text_and_default_bodies(client):
    client.add_rule(status=502, body="Bad Gateway from upstream")
    text = client.get("/probe/items/1")
    assert (text.status, text.body, text.headers["Content-Type"]) == (
        502,
        b"Bad Gateway from upstream",
        "text/plain; charset=utf-8",
    )
    rule_id = client.add_rule(status=500)
    assert client.get("/probe/items/1").json() == {"error": f"simulated HTTP 500 (sandbox rule {rule_id})"}


def test_times_counts_down_and_rules_match_in_creation_order(client):
    first = client.add_rule(path="/probe/items/", times=2, status=429)
    second = client.add_rule(path="/probe/items/", times=1, result={"note": "second"})
    assert [client.get("/probe/items/1").status for _ in range(2)] == [429, 429]
    assert client.get("/probe/items/1").json()["rule"] == second
    assert client.get("/probe/items/1").json()["rule"] is None
    remaining = {rule["id"]: rule["remaining"] for rule in client.get("/_sandbox/rules").json()["rules"]}
    assert remaining == {first: 0, second: 0}


def test_method_and_path_filters(client):
    client.add_rule(method="post", path="/echo/", times=-1, status=503)
    assert client.get("/probe/items/1").status == 200
    assert client.post("/echo/oauth/token").status == 503
    assert client.get("/_sandbox/rules").json()["rules"][0]["method"] == "POST"


def test_unlimited_rule_lasts_until_reset(client):
    client.add_rule(path="/probe/", times=-1, status=503)
    assert [client.get("/probe/items/1").status for _ in range(3)] == [503, 503, 503]
    assert client.get("/_sandbox/rules").json()["rules"][0]["remaining"] == -1
    client.post("/_sandbox/reset")
    assert client.get("/probe/items/1").status == 200


def test_delete_rules(client):
    client.add_rule(status=503, times=-1)
    assert client.delete("/_sandbox/rules").json() == {"rules": []}
    assert client.get("/probe/items/1").status == 200


def test_latency_rule_delays_the_answer(client):
    client.add_rule(path="/probe/items/", delay_ms=300)
    started = time.monotonic()
    slow = client.get("/probe/items/1")
    assert slow.status == 200
    assert time.monotonic() - started >= 0.3


def test_handler_errors_do_not_kill_the_server(client):
    crash = client.get("/probe/crash")
    assert (crash.status, crash.json()) == (500, {"error": "RuntimeError: probe exploded"})
    wrong = client.get("/probe/not-a-response")
    assert wrong.status == 500
    assert "returned dict, not Response" in wrong.json()["error"]
    assert (client.get("/probe/teapot").status, client.get("/probe/teapot").json()) == (
        418,
        {"error": "short and stout"},
    )
    assert client.get("/_sandbox/health").status == 200


def test_request_log_records_plugin_requests_only(client):
    client.post("/echo/api/pay?ref=A1", json_body={"amount": 10}, headers={"X-Trace": "t-1"})
    client.get("/probe/items/7")
    client.get("/_sandbox/rules")
    entries = client.get("/_sandbox/requests").json()["requests"]
    assert [(entry["method"], entry["path"], entry["status"]) for entry in entries] == [
        ("POST", "/echo/api/pay", 401),
        ("GET", "/probe/items/7", 200),
    ]
    pay = entries[0]
    assert pay["query"] == {"ref": "A1"}
    assert pay["headers"]["X-Trace"] == "t-1"
    assert (pay["body"], pay["json"]) == ('{"amount": 10}', {"amount": 10})
    assert pay["time"].endswith("+00:00")
    filtered = client.get("/_sandbox/requests?path=/probe/").json()["requests"]
    assert [entry["path"] for entry in filtered] == ["/probe/items/7"]


def test_reset_clears_rules_logs_callbacks_and_plugin_state(client, receiver):
    client.add_rule(status=503, path="/nowhere-yet", times=-1)
    client.get("/probe/items/1")
    token = client.token()
    client.post(
        "/echo/api/callback",
        json_body={"callback_url": receiver.url + "/hook", "payload": {}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert client.wait_callbacks(1)["complete"]
    state = client.get("/_sandbox/state").json()
    assert {"echo": state["echo"], "probe": state["probe"]} == {
        "echo": {"tokens_issued": 1, "active_tokens": 1},
        "probe": {"hits": 1},
    }

    assert client.post("/_sandbox/reset").json() == {"reset": True}

    assert client.get("/_sandbox/rules").json() == {"rules": []}
    assert client.get("/_sandbox/requests").json() == {"requests": []}
    assert client.get("/_sandbox/callbacks").json() == {"callbacks": []}
    state = client.get("/_sandbox/state").json()
    assert {"echo": state["echo"], "probe": state["probe"]} == {
        "echo": {"tokens_issued": 0, "active_tokens": 0},
        "probe": {"hits": 0},
    }
    assert client.get("/echo/api/x", headers={"Authorization": f"Bearer {token}"}).status == 401


def test_a_slow_request_from_before_a_reset_leaves_no_trace(client, receiver):
    """A test's slow request must not show up in, or call back into, the next test."""
    client.add_rule(path="/probe/call-back", delay_ms=400, callback={"delay_ms": 0})
    slow = threading.Thread(target=client.post, args=("/probe/call-back",),
                            kwargs={"json_body": {"url": receiver.url + "/late"}})
    slow.start()
    deadline = time.monotonic() + 60
    while not client.get("/_sandbox/requests").json()["requests"]:  # reset only once it is in flight
        assert time.monotonic() < deadline, "the slow request never reached the simulator"
        time.sleep(0.05)
    client.post("/_sandbox/reset")
    slow.join()
    time.sleep(0.3)
    assert client.get("/_sandbox/requests").json() == {"requests": []}
    assert client.get("/_sandbox/callbacks").json() == {"callbacks": []}
    assert receiver.received == []
