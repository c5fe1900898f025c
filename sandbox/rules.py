"""Scripted outcomes: rules tell the simulator how to misbehave for the next matching requests.

A rule is a plain JSON-compatible dict so that it can be listed as-is by the control API and handed
to plugins without conversion.
"""

import itertools
import threading

RULE_FIELDS = {"method", "path", "times", "status", "body", "delay_ms", "result", "callback"}
CALLBACK_FIELDS = {"delay_ms", "copies", "drop"}


def _require(condition, message):
    if not condition:
        raise ValueError(message)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_delay(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def parse_rule(data):
    """Validate a rule as posted to the control API; unknown fields are refused so typos do not pass silently."""
    _require(isinstance(data, dict), "a rule is a JSON object")
    unknown = set(data) - RULE_FIELDS
    _require(not unknown, f"unknown rule field(s): {', '.join(sorted(unknown))}")
    rule = {
        "method": data.get("method"),
        "path": data.get("path"),
        "times": data.get("times", 1),
        "status": data.get("status"),
        "body": data.get("body"),
        "delay_ms": data.get("delay_ms", 0),
        "result": data.get("result"),
        "callback": data.get("callback"),
    }
    _require(rule["method"] is None or isinstance(rule["method"], str), "method must be a string or null")
    if rule["method"]:
        rule["method"] = rule["method"].upper()
    path = rule["path"]
    _require(path is None or (isinstance(path, str) and path.startswith("/")), "path must start with '/' or be null")
    _require(_is_int(rule["times"]) and (rule["times"] >= 1 or rule["times"] == -1), "times must be >= 1 or -1")
    status = rule["status"]
    _require(status is None or (_is_int(status) and 100 <= status <= 599), "status must be an HTTP status code")
    _require(rule["body"] is None or status is not None, "body is only used together with status")
    _require(rule["body"] is None or isinstance(rule["body"], (dict, list, str)), "body must be JSON or a string")
    _require(_is_delay(rule["delay_ms"]), "delay_ms must be a number >= 0")
    _require(rule["result"] is None or isinstance(rule["result"], dict), "result must be an object")
    callback = rule["callback"]
    if callback is not None:
        _require(isinstance(callback, dict), "callback must be an object")
        unknown = set(callback) - CALLBACK_FIELDS
        _require(not unknown, f"unknown callback field(s): {', '.join(sorted(unknown))}")
        _require(_is_delay(callback.get("delay_ms", 0)), "callback.delay_ms must be a number >= 0")
        copies = callback.get("copies", 1)
        _require(_is_int(copies) and copies >= 1, "callback.copies must be an integer >= 1")
        _require(isinstance(callback.get("drop", False), bool), "callback.drop must be true or false")
    return rule


class RuleBook:
    """The active rules, matched first-created-first; a rule is spent once its remaining count reaches 0."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rules = []
        self._ids = itertools.count(1)

    def add(self, data):
        rule = parse_rule(data)
        with self._lock:
            rule = {"id": next(self._ids), **rule, "remaining": rule["times"]}
            self._rules.append(rule)
            return dict(rule)

    def take(self, method, path):
        """Consume one use of the first active rule matching the request; return a snapshot of it or None."""
        with self._lock:
            for rule in self._rules:
                if (
                    rule["remaining"] != 0
                    and rule["method"] in (None, method)
                    and (rule["path"] is None or path.startswith(rule["path"]))
                ):
                    if rule["remaining"] > 0:
                        rule["remaining"] -= 1
                    return dict(rule)
        return None

    def list(self):
        with self._lock:
            return [dict(rule) for rule in self._rules]

    def clear(self):
        with self._lock:
            self._rules.clear()
