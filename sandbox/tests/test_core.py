"""The building blocks, without a server: routing, request parsing, response encoding."""

import io
import json

import pytest

from sandbox import BadRequest, HttpError, Request, Response
from sandbox.core import Router


def test_router_placeholders_and_first_match_wins():
    router = Router()
    router.add(("POST",), "/api/callback", "callback")
    router.add(("GET", "post"), "/api/{rest:path}", "catch-all")
    router.add(("GET",), "/items/{item_id}/lines", "lines")

    assert router.match("POST", "/api/callback") == ("callback", {})
    assert router.match("POST", "/api/v1/pay") == ("catch-all", {"rest": "v1/pay"})
    assert router.match("GET", "/items/42/lines") == ("lines", {"item_id": "42"})
    with pytest.raises(HttpError) as not_found:
        router.match("GET", "/items/4/2/lines")
    assert not_found.value.status == 404
    with pytest.raises(HttpError) as wrong_method:
        router.match("DELETE", "/items/42/lines")
    assert wrong_method.value.status == 405


def test_request_from_environ_reads_everything():
    body = b'{"amount": 10}'
    request = Request.from_environ(
        {
            "REQUEST_METHOD": "post",
            "PATH_INFO": "/echo/api/pay",
            "QUERY_STRING": "a=1&b=&a=2",
            "CONTENT_TYPE": "application/json; charset=utf-8",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": "Bearer abc",
            "REMOTE_ADDR": "10.0.0.7",
            "wsgi.input": io.BytesIO(body),
        }
    )
    assert (request.method, request.path, request.remote_addr) == ("POST", "/echo/api/pay", "10.0.0.7")
    assert request.query == {"a": "2", "b": ""}
    assert request.headers["authorization"] == request.headers["AUTHORIZATION"] == "Bearer abc"
    assert request.content_type == "application/json"
    assert request.json() == {"amount": 10}


def test_request_json_and_form_errors_are_bad_requests():
    with pytest.raises(BadRequest, match="empty"):
        Request("POST", "/").json()
    with pytest.raises(BadRequest, match="not valid JSON"):
        Request("POST", "/", body=b"amount=10").json()
    assert Request("POST", "/", body=b"amount=10").json_or_none() is None
    assert Request("POST", "/", body=b"amount=10&msisdn=2547").form() == {"amount": "10", "msisdn": "2547"}
    with pytest.raises(BadRequest, match="not a valid form"):
        Request("POST", "/", body=b"\xff").form()


def test_response_helpers():
    as_json = Response.json({"a": 1}, status=201)
    assert (as_json.status, json.loads(as_json.body), as_json.headers["Content-Type"]) == (
        201,
        {"a": 1},
        "application/json",
    )
    assert Response.json(None).body == b"null"
    assert Response({"b": 2}).headers["Content-Type"] == "application/json"
    text = Response.text("accepted", status=202)
    assert (text.body, text.headers["Content-Type"]) == (b"accepted", "text/plain; charset=utf-8")
    empty = Response.empty(204)
    assert (empty.body, empty.headers, empty.status_line) == (b"", {}, "204 No Content")
    assert Response(b"<xml/>", headers={"Content-Type": "text/xml"}).headers == {"Content-Type": "text/xml"}
