"""Shared test helpers of the DDCPTS addons.

- ``SandboxMixin`` drives the provider simulator started by ``make test`` (``DDCPTS_SANDBOX_URL``)
  through its control API: reset, scripted outcomes, the requests it received, callbacks it sent.
  Tests reset it in *hold* mode: a callback is sent only when the test calls
  ``sandbox_deliver_callbacks()``, which blocks until each delivery was answered, so a callback never
  reaches the shared test cursor while the test itself is writing.
- ``DdcptsCase`` is a TransactionCase whose registry is in test mode (``RegistryTestModeMixin``, as
  in HttpCase), so the code that writes logs in its own transaction (provider calls, callbacks,
  token cache) stays inside the test's transaction and is rolled back with it.
- ``MobileMoneyCommon`` is Odoo's payment and invoicing setup for the mobile-money providers' tests.
- ``committed_env`` gives a real, committed transaction for the tests that need true concurrency.
"""
import contextlib
import os
from urllib.parse import urlparse

import requests

from odoo import SUPERUSER_ID, api, http
from odoo.modules import module
from odoo.tests.common import HOST, TEST_CURSOR_COOKIE_NAME, HttpCase, TransactionCase, _super_send

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.payment.tests.common import PaymentCommon


def sandbox_url():
    url = os.environ.get('DDCPTS_SANDBOX_URL')
    if not url:
        raise RuntimeError("DDCPTS_SANDBOX_URL is not set: run the tests with `make test`, which starts the simulator")
    return url.rstrip('/')


class SandboxMixin:
    """Control API of the simulator (see sandbox/README.md)."""

    @classmethod
    def _request_handler(cls, session, prepared_request, /, **kwargs):
        """Keep the timeouts code asks for on local requests (Odoo raises them to 10 s in tests):
        the simulator's scripted latency is how timeouts are tested. Others stay blocked."""
        if urlparse(prepared_request.url).hostname in (HOST, 'localhost'):
            return _super_send(session, prepared_request, **kwargs)
        return super()._request_handler(session, prepared_request, **kwargs)

    @classmethod
    def sandbox_url(cls):
        return sandbox_url()

    def sandbox(self, method, path, **kwargs):
        response = requests.request(method, f'{sandbox_url()}/_sandbox/{path}', timeout=30, **kwargs)
        response.raise_for_status()
        return response.json()

    def sandbox_reset(self, hold_callbacks=True):
        """Forget rules, logs and callbacks; from now on callbacks wait for ``sandbox_deliver_callbacks``
        (``hold_callbacks=False``: they are sent by themselves, as in ``make run``)."""
        self.sandbox('POST', 'reset', json={'hold_callbacks': hold_callbacks})

    def sandbox_rule(self, **rule):
        """Script the next matching request(s): status/body, delay_ms, result, callback, times."""
        return self.sandbox('POST', 'rules', json=rule)['id']

    def sandbox_requests(self, path=''):
        return self.sandbox('GET', 'requests', params={'path': path} if path else None)['requests']

    def sandbox_deliver_callbacks(self, count, timeout=120):
        """Have the simulator send the ``count`` callbacks it holds and block until each was answered.

        The test's pending writes are flushed first (the callback's request reads them through the
        shared test cursor) and its cache is dropped after (the callback changed the records).

        :return: the delivery records (``state`` ``delivered`` when every copy was answered 2xx)
        """
        self.env.flush_all()
        answer = requests.post(f'{sandbox_url()}/_sandbox/callbacks/deliver', json={'timeout': timeout},
                               timeout=timeout + 30)
        answer.raise_for_status()
        answer = answer.json()
        self.env.invalidate_all()
        self.assertTrue(answer['complete'], f"the simulator did not deliver its callbacks: {answer['callbacks']}")
        self.assertEqual(len(answer['callbacks']), count, f"callbacks held by the simulator: {answer['callbacks']}")
        return answer['callbacks']


class RegistryTestModeMixin:
    """Code opening its own cursors (logs, token cache, callback storage) then works inside the
    test's transaction, as in HttpCase."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)


class DdcptsCase(RegistryTestModeMixin, SandboxMixin, TransactionCase):

    def setUp(self):
        super().setUp()
        self.sandbox_reset()
        self.addCleanup(self.sandbox_reset)  # no late callback of this test reaches the next one


class DdcptsHttpCase(SandboxMixin, HttpCase):

    def setUp(self):
        super().setUp()
        self.sandbox_reset()
        self.addCleanup(self.sandbox_reset)  # no late callback of this test reaches the next one

    def check_test_cursor(self, operation):
        """Let the simulator's callbacks (``/ddcpts/...`` routes, no browser cookie) in while a tour
        runs, as a provider reaches a live server in the middle of a user's work."""
        httprequest = getattr(http.request, 'httprequest', None) if http.request else None
        path = getattr(httprequest, 'path', None)
        if isinstance(path, str) and path.startswith('/ddcpts/') and self.http_request_key \
                and module.current_test == self and TEST_CURSOR_COOKIE_NAME not in httprequest.cookies:
            return
        super().check_test_cursor(operation)


class MobileMoneyCommon(AccountTestInvoicingCommon, PaymentCommon):
    """Odoo's payment and invoicing test setup (a company of its own with its chart of accounts) for a
    mobile-money provider (M-Pesa, MoMo): mix in ``PaymentHttpCommon`` and ``DdcptsHttpCase`` for the
    routes and the simulator.

    The tests act as the superuser, like the callbacks and crons they exercise (no test user of
    ``AccountTestInvoicingCommon``), and post-processing really books the payments.
    """

    @classmethod
    def setup_independent_user(cls):
        return None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enable_post_process_patcher = False

    def post_process(self, tx):
        """What the post-processing cron does for ``tx`` (the cron itself commits)."""
        tx.invalidate_recordset()
        tx._post_process()
        self.env.flush_all()
        return tx

    def deliver_callbacks(self, count):
        """Have the simulator send the ``count`` callbacks it holds; each must be accepted (2xx)."""
        delivered = self.sandbox_deliver_callbacks(count)
        for delivery in delivered:
            self.assertEqual(delivery['state'], 'delivered', delivery)
        return delivered


@contextlib.contextmanager
def committed_env(registry):
    """An environment on a real cursor, committed on exit (only outside the registry's test mode)."""
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})
