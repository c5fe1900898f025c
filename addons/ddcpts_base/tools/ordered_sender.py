"""Requests sent one after the other by a background thread while the caller's thread works.

For a provider that wants numbered documents one at a time and in order (KRA eTIMS): the network
wait of one request overlaps the Odoo work around the others (building the next bodies, storing
the previous answers), while the wire still sees one request in flight, in the order given.

The thread only does HTTP: every cursor, environment and call log stays in the caller's thread
(``OrderedSender.results`` logs the attempts there, through the provider's ``_ddcpts_log_calls``).
See docs/architecture.md, "Queues and locks".
"""
import queue
import threading
import time

import requests

from odoo.addons.ddcpts_base.exceptions import ProviderError

SKIPPED = 'skipped'


class PreparedCall:
    """One request of ``_ddcpts_request``, its log values computed beforehand (``_ddcpts_prepare_request``)."""

    __slots__ = ('method', 'url', 'kwargs', 'log_values', 'secret_values')

    def __init__(self, method, url, kwargs, log_values, secret_values):
        self.method, self.url, self.kwargs = method, url, kwargs
        self.log_values, self.secret_values = log_values, secret_values

    def send(self):
        """``(response, error, duration_ms)``; touches no cursor (safe in any thread)."""
        started = time.monotonic()
        response = error = None
        try:
            response = requests.request(self.method, self.url, **self.kwargs)
        except requests.exceptions.RequestException as exception:
            error = exception
        return response, error, int((time.monotonic() - started) * 1000)


class OrderedSender:
    """Send ``PreparedCall``s one after the other in a thread, in the order they were given.

    After an answer ``proceed`` refuses, or no answer, nothing more is sent: the requests still
    waiting come back as ``SKIPPED``, as do those whose ``send_by`` (``time.monotonic()``) passed
    before their turn, so a caller can promise how long a document stays in flight.
    """

    def __init__(self, provider, proceed):
        self._provider = provider
        self._proceed = proceed
        self._todo = queue.Queue()
        self._done = queue.Queue()
        self._stop = threading.Event()
        self._pending = 0
        self._thread = None

    def send(self, key, call, send_by):
        """Queue ``call``; its outcome comes back from ``results()`` under ``key``, after the earlier ones."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name='ddcpts-ordered-sender', daemon=True)
            self._thread.start()
        self._pending += 1
        self._todo.put((key, call, send_by))

    @property
    def pending(self):
        """How many requests were given whose outcome ``results()`` has not returned yet."""
        return self._pending

    def ready(self):
        """Whether ``results()`` would return without waiting."""
        return not self._done.empty()

    def results(self, timeout=None):
        """``[(key, outcome)]`` of the next requests in order: those done already, else the next one
        (waiting for it, at most ``timeout`` seconds: then none). An outcome is the response,
        ``SKIPPED`` (never sent), or the ``ProviderError`` that no answer makes. The attempts are
        logged here, in the caller's thread, together (``_ddcpts_log_calls``)."""
        try:
            done = [self._done.get(timeout=timeout)]
        except queue.Empty:
            return []
        while not self._done.empty():
            done.append(self._done.get())
        self._pending -= len(done)
        provider = self._provider
        sent = [(call, answer) for _key, call, answer in done if answer is not None]
        if sent:
            provider._ddcpts_log_calls([provider._ddcpts_attempt_values(call, *answer) for call, answer in sent])
        outcomes = []
        for key, call, answer in done:
            if answer is None:
                outcomes.append((key, SKIPPED))
                continue
            response, error, _duration_ms = answer
            try:
                outcomes.append((key, provider._ddcpts_response(call, response, error)))
            except ProviderError as exception:
                outcomes.append((key, exception))
        return outcomes

    def close(self):
        """Send nothing more and wait for the request on the wire, if any, to finish."""
        self._stop.set()
        if self._thread is not None:
            self._todo.put(None)
            self._thread.join()

    def _run(self):
        while True:
            item = self._todo.get()
            if item is None:
                return
            key, call, send_by = item
            if self._stop.is_set() or time.monotonic() > send_by:
                self._stop.set()
                self._done.put((key, call, None))
                continue
            sent = call.send()
            response, error, _duration = sent
            try:
                go_on = error is None and bool(self._proceed(response))
            except Exception:  # an answer the check cannot read stops the sending
                go_on = False
            if not go_on:
                self._stop.set()
            self._done.put((key, call, sent))
