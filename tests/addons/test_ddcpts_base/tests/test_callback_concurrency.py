import json
import threading

import requests

from odoo import SUPERUSER_ID, api
from odoo.service.model import retrying
from odoo.tests import tagged
from odoo.tests.common import HOST, TransactionCase
from odoo.tools import config

from odoo.addons.ddcpts_base.tests.common import committed_env
from odoo.addons.test_ddcpts_base.tests.common import CallbackClientMixin, create_provider


@tagged('post_install', '-at_install')
class TestCallbackConcurrency(CallbackClientMixin, TransactionCase):
    """Real transactions: the HTTP server commits, as in production (no test-mode cursor sharing)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with committed_env(cls.registry) as env:
            provider = create_provider(env, name="Concurrency provider")
            cls.provider_id = provider.id
            cls.path = cls.callback_path(cls, provider)
        cls.addClassCleanup(cls._delete_committed_data)

    @classmethod
    def _delete_committed_data(cls):
        with committed_env(cls.registry) as env:
            env['test.ddcpts.event'].search([('provider_id', '=', cls.provider_id)]).unlink()
            env['ddcpts.callback'].search([('provider_model', '=', 'test.ddcpts.provider'),
                                           ('provider_res_id', '=', cls.provider_id)]).unlink()
            env['test.ddcpts.provider'].browse(cls.provider_id).unlink()

    def _post(self, payload, path=None, content_type='application/json'):
        body = payload if isinstance(payload, str) else json.dumps(payload)
        return requests.post(f"http://{HOST}:{config['http_port']}{path or self.path}", data=body,
                             headers={'Content-Type': content_type}, timeout=60)

    def _committed(self, model, domain):
        with committed_env(self.registry) as env:
            return env[model].search(domain).read(['state', 'error'] if model == 'ddcpts.callback' else ['event_id'])

    def test_same_callback_from_concurrent_threads_is_booked_once(self):
        barrier = threading.Barrier(5)
        statuses = []

        def send():
            barrier.wait()
            statuses.append(self._post({'event_id': 'EV-CONCURRENT', 'amount': 99}).status_code)

        threads = [threading.Thread(target=send) for _index in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(statuses, [200] * 5, "every delivery is acknowledged")
        self.assertEqual(len(self._committed('test.ddcpts.event', [('event_id', '=', 'EV-CONCURRENT')])), 1)
        callbacks = self._committed('ddcpts.callback', [('provider_res_id', '=', self.provider_id),
                                                        ('reference', '=', 'EV-CONCURRENT')])
        self.assertEqual(sorted(callback['state'] for callback in callbacks), ['duplicate'] * 4 + ['processed'])

    def test_raw_callback_is_committed_even_when_processing_crashes(self):
        response = self._post({'event_id': 'EV-COMMITTED-CRASH', 'crash': True})
        self.assertEqual(response.status_code, 500)
        callbacks = self._committed('ddcpts.callback', [('provider_res_id', '=', self.provider_id),
                                                        ('body', 'like', 'EV-COMMITTED-CRASH')])
        self.assertEqual(len(callbacks), 1, "the raw callback survived in its own transaction")
        self.assertEqual(callbacks[0]['state'], 'failed')
        self.assertFalse(self._committed('test.ddcpts.event', [('event_id', '=', 'EV-COMMITTED-CRASH')]))

    def test_huge_bodies_are_refused_and_logged(self):
        form_path = self.path.rsplit('/', 1)[0] + '/form'
        response = self._post('x=' + 'a' * 10000, path=form_path, content_type='application/x-www-form-urlencoded')
        self.assertEqual(response.status_code, 413)
        callbacks = self._committed('ddcpts.callback', [('provider_res_id', '=', self.provider_id),
                                                        ('route', 'like', '/form'), ('state', '=', 'rejected')])
        self.assertEqual(len(callbacks), 1)
        self.assertIn('Body larger than 4096 bytes', callbacks[0]['error'])

    def test_callback_token_of_a_new_record_is_created_once(self):
        """Two workers show the callback URL of a record that has no token yet, at the same moment."""
        with committed_env(self.registry) as env:
            provider_id = create_provider(env, name="Token race provider").id
        self.addCleanup(self._delete_provider, provider_id)
        both_read, tokens, errors = threading.Barrier(2, timeout=60), [], []

        def show_url():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    provider = env['test.ddcpts.provider'].browse(provider_id)
                    # both snapshots hold no token: each worker will try to create one
                    self.assertFalse(provider._ddcpts_secret('ddcpts_callback_token'))
                    both_read.wait()
                    tokens.append(retrying(provider._ddcpts_get_callback_token, env))
            except Exception as error:  # reported by the test thread
                errors.append(error)

        threads = [threading.Thread(target=show_url) for _index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertFalse(errors)
        self.assertEqual(len(set(tokens)), 1, "both workers show the same URL")
        with committed_env(self.registry) as env:
            provider = env['test.ddcpts.provider'].browse(provider_id)
            self.assertEqual(provider._ddcpts_secret('ddcpts_callback_token'), tokens[0])
            self.assertEqual(len(provider._ddcpts_secret_records(['ddcpts_callback_token'])), 1)

    def _delete_provider(self, provider_id):
        with committed_env(self.registry) as env:
            env['test.ddcpts.provider'].browse(provider_id).unlink()
