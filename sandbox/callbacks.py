"""Asynchronous callback delivery, the way providers notify merchants: later, sometimes twice, sometimes never.

Deliveries wait in a queue ordered by due time, so a long delay never holds up a shorter one, and a
fixed pool of daemon threads sends them. In *hold* mode (what tests use) nothing is sent by itself:
deliveries are kept until :meth:`CallbackDispatcher.deliver_held` sends them and waits for their answers,
so a callback never reaches the merchant while a test is still writing. Every delivery is recorded,
including the ones that failed or were dropped on purpose, so tests can assert on what the merchant
side was (or was not) sent.
"""

import functools
import heapq
import itertools
import json
import logging
import threading
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "json": "application/json",
    "form": "application/x-www-form-urlencoded",
}
RESPONSE_BODY_LIMIT = 2000


def now_iso():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class _KeepErrorResponses(urllib.request.HTTPErrorProcessor):
    """Return 4xx/5xx answers instead of raising: for a callback they are an outcome to record."""

    def http_response(self, request, response):
        return response

    https_response = http_response


def encode_body(body, content_type):
    """Serialise a callback body; strings and bytes are sent verbatim so plugins can send exact wire text."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if content_type == "form":
        return urllib.parse.urlencode(body or {}).encode()
    return json.dumps(body).encode()


class CallbackDispatcher:
    """Schedules, sends and records callback deliveries."""

    def __init__(self, default_delay_ms=300, *, workers=8, timeout=15, hold=False):
        self.default_delay_ms = default_delay_ms
        self.hold_by_default = hold
        self.hold = hold
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_KeepErrorResponses)
        self._lock = threading.Lock()
        self._scheduled = threading.Condition(self._lock)  # wakes workers when the queue changes
        self._finished = threading.Condition(self._lock)  # wakes wait() when a delivery ends
        self._idle = threading.Condition(self._lock)  # wakes reset() when no delivery is being sent
        self._sending = 0
        self._generation = 0  # incremented by each reset
        self._queue = []  # heap of (due monotonic time, sequence, delivery)
        self._held = []  # deliveries kept until deliver_held(), in hold mode
        self._sequence = itertools.count()
        self._ids = itertools.count(1)
        self._records = []
        for number in range(workers):
            threading.Thread(target=self._work, name=f"sandbox-callback-{number + 1}", daemon=True).start()

    def post(self, url, body, *, content_type="json", method="POST", rule=None, headers=None, on_finished=None):
        """Queue a delivery shaped by ``rule['callback']`` (delay_ms, copies, drop); return its id.

        :param on_finished: called with the finished (or dropped) record before it is marked finished,
            so what it posts (the next callback of a chain) is queued before anyone sees this one done
        """
        if content_type not in CONTENT_TYPES:
            raise ValueError(f"content_type must be one of {', '.join(CONTENT_TYPES)}, not {content_type!r}")
        options = (rule or {}).get("callback") or {}
        payload = encode_body(body, content_type)
        created = now_iso()
        record = {
            "id": next(self._ids),
            "url": url,
            "method": method,
            "content_type": content_type,
            "body": payload.decode(errors="replace"),
            "rule": rule["id"] if rule else None,
            "state": "dropped" if options.get("drop") else "held" if self.hold else "pending",
            "response_status": None,
            "response_body": None,
            "error": None,
            "attempts": 0,
            "created": created,
            "finished": created if options.get("drop") else None,
        }
        send_headers = {"Content-Type": CONTENT_TYPES[content_type], "User-Agent": "ddcpts-sandbox"}
        send_headers.update(headers or {})
        delay_ms = options.get("delay_ms", self.default_delay_ms)
        with self._lock:
            self._records.append(record)
            delivery = (record, payload, send_headers, options.get("copies", 1), on_finished)
            if record["state"] == "dropped":
                self._finished.notify_all()
            elif record["state"] == "held":
                self._held.append(delivery)
            else:
                heapq.heappush(self._queue, (time.monotonic() + delay_ms / 1000, next(self._sequence), delivery))
                self._scheduled.notify()
        if record["state"] == "dropped" and on_finished:
            on_finished(dict(record))
        return record["id"]

    def records(self):
        with self._lock:
            return [dict(record) for record in self._records]

    def wait(self, count, timeout):
        """Block until ``count`` deliveries have finished or ``timeout`` passed; return (records, complete)."""
        with self._finished:
            complete = self._finished.wait_for(
                lambda: sum(record["state"] not in ("pending", "held") for record in self._records) >= count,
                timeout,
            )
            return [dict(record) for record in self._records], complete

    def deliver_held(self, timeout):
        """Send every held delivery now (their delays are ignored) and block until each one got its
        answer(s) or ``timeout`` passed; return (the released records, complete).

        Deliveries that a released one causes (``on_finished``: a C2B confirmation after its
        validation) are sent and waited for too.
        """
        deadline = time.monotonic() + timeout
        records = []
        with self._lock:
            while self._held:
                released, self._held = self._held, []
                for delivery in released:
                    delivery[0]["state"] = "pending"
                    heapq.heappush(self._queue, (time.monotonic(), next(self._sequence), delivery))
                self._scheduled.notify_all()
                records.extend(delivery[0] for delivery in released)
                finished = functools.partial(self._all_finished, records)
                if not self._finished.wait_for(finished, deadline - time.monotonic()):
                    break
            return [dict(record) for record in records], self._all_finished(records)

    @staticmethod
    def _all_finished(records):
        return all(record["state"] != "pending" for record in records)

    def reset(self, hold=None):
        """Forget every record, cancel queued and held deliveries and wait for those being sent: once
        reset returns, nothing more reaches a receiver (a test's callbacks never land in the next test).

        :param hold: the mode from now on (None: the mode the dispatcher was started with)
        """
        with self._lock:
            self._queue.clear()
            self._held.clear()
            self._records.clear()
            self.hold = self.hold_by_default if hold is None else hold
            self._generation += 1
            self._idle.wait_for(lambda: self._sending == 0, self.timeout + 1)

    def _next_due(self):
        with self._scheduled:
            while True:
                timeout = None
                if self._queue:
                    timeout = self._queue[0][0] - time.monotonic()
                    if timeout <= 0:
                        delivery = heapq.heappop(self._queue)[2]
                        if self._queue:
                            self._scheduled.notify()  # hand the next one to another idle worker
                        self._sending += 1
                        return delivery, self._generation
                self._scheduled.wait(timeout)

    def _work(self):
        while True:
            (record, payload, headers, copies, on_finished), generation = self._next_due()
            try:
                self._deliver(record, payload, headers, copies, on_finished, generation)
            finally:
                with self._lock:
                    self._sending -= 1
                    self._idle.notify_all()

    def _deliver(self, record, payload, headers, copies, on_finished, generation):
        delivered = True
        for _ in range(copies):
            if generation != self._generation:
                return  # reset meanwhile: the remaining copies are cancelled too
            status, body, error = self._send(record["url"], record["method"], payload, headers)
            delivered = delivered and error is None
            with self._lock:
                record.update(
                    attempts=record["attempts"] + 1,
                    response_status=status,
                    response_body=body.decode(errors="replace")[:RESPONSE_BODY_LIMIT],
                    error=error,
                )
        state = "delivered" if delivered else "failed"
        if on_finished and generation == self._generation:
            try:
                on_finished(dict(record, state=state))
            except Exception:  # a plugin's follow-up must not kill a worker
                logger.exception("follow-up of the callback to %s failed", record["url"])
        with self._lock:
            record.update(state=state, finished=now_iso())
            self._finished.notify_all()

    def _send(self, url, method, payload, headers):
        """POST one copy; return (status, body, error) and never raise, so a worker cannot die."""
        request = urllib.request.Request(url, data=payload, headers=headers, method=method)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status, body = response.status, response.read()
        except Exception as exc:  # unreachable host, malformed URL, reset connection: all are outcomes
            logger.info("callback to %s failed: %s", url, exc)
            return None, b"", f"{type(exc).__name__}: {exc}"
        error = None if 200 <= status < 300 else f"receiver answered HTTP {status}"
        return status, body, error
