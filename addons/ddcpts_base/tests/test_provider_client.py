import json
import threading
import time
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.ddcpts_base.exceptions import ProviderError
from odoo.addons.ddcpts_base.tests.common import DdcptsCase, committed_env, sandbox_url

NO_SLEEP = patch('odoo.addons.ddcpts_base.models.ddcpts_provider_mixin.REQUEST_RETRY_DELAYS', (0, 0))


def create_endpoint(env, name="Provider"):
    return env['ddcpts.webhook.endpoint'].create({
        'name': name, 'url': f'{sandbox_url()}/echo/hooks/{name.lower()}',
        'event_ids': [(4, env.ref('ddcpts_base.webhook_event_ping').id)],
    })


@tagged('post_install', '-at_install')
class TestProviderClient(DdcptsCase):
    """``_ddcpts_request`` and the token cache, on a webhook endpoint (any ddcpts.provider.mixin record)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = create_endpoint(cls.env)
        cls.partner = cls.env['res.partner'].create({'name': "Related document"})

    def _calls(self):
        return self.env['ddcpts.provider.call'].search(
            [('res_model', '=', self.provider._name), ('res_id', '=', self.provider.id)], order='id')

    def test_every_call_is_logged_with_credentials_masked(self):
        response = self.provider._ddcpts_request(
            'POST', f'{sandbox_url()}/echo/hooks/log', endpoint='pay',
            headers={'Authorization': 'Bearer abc.def', 'X-Request': 'kept'},
            json={'password': 'p4ss', 'Passkey': 'bfb279f9', 'amount': 10, 'nested': {'SecurityCredential': 'xyz'}},
            related=self.partner, secret_values=('p4ss',),
        )
        self.assertEqual(response.status_code, 200)
        call = self._calls()
        self.assertEqual(len(call), 1)
        self.assertRecordValues(call, [{
            'provider': 'webhook', 'endpoint': 'pay', 'method': 'POST', 'status_code': 200, 'success': True,
            'attempt': 1, 'related_model': 'res.partner', 'related_id': self.partner.id,
        }])
        logged = call.request_headers + call.request_body
        for secret in ('abc.def', 'p4ss', 'bfb279f9', 'xyz'):
            self.assertNotIn(secret, logged)
        self.assertEqual(json.loads(call.request_body)['amount'], 10)
        self.assertIn('kept', call.request_headers)
        self.assertEqual(json.loads(call.response_body), {'received': True})
        sent = self.sandbox_requests('/echo/hooks/log')[0]
        self.assertEqual(sent['json']['password'], 'p4ss', "only the log is masked, not what is sent")
        status = self.env['ddcpts.health.status'].search([('res_model', '=', self.provider._name),
                                                           ('res_id', '=', self.provider.id)])
        self.assertEqual(status.state, 'ok')
        self.assertTrue(status.last_success_at)

    def test_query_strings_and_form_bodies_are_masked_in_the_log(self):
        self.provider._ddcpts_request(
            'GET', f'{sandbox_url()}/echo/hooks/query?api_key=k3y&page=2', endpoint='lookup',
            params={'access_token': 't0ken', 'msisdn': '254712345678'},
        )
        self.provider._ddcpts_request(
            'POST', f'{sandbox_url()}/echo/hooks/form', endpoint='send',
            data={'username': 'sandbox', 'apiKey': 'atsk_123', 'to': '+254711000001'},
        )
        lookup, send = self._calls()
        for secret in ('k3y', 't0ken'):
            self.assertNotIn(secret, lookup.url)
        self.assertIn('page=2', lookup.url)
        self.assertIn('msisdn=254712345678', lookup.url)
        self.assertIn('access_token=***', lookup.url)
        self.assertNotIn('atsk_123', send.request_body)
        self.assertIn('username', send.request_body)
        sent = self.sandbox_requests('/echo/hooks/query')[0]
        self.assertIn('t0ken', json.dumps(sent), "only the log is masked, not what is sent")

    @NO_SLEEP
    def test_idempotent_calls_are_retried_on_5xx(self):
        self.sandbox_rule(path='/echo/hooks/retry', status=503, body={'error': 'busy'}, times=2)
        response = self.provider._ddcpts_request('GET', f'{sandbox_url()}/echo/hooks/retry', endpoint='query')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self._calls().mapped('attempt'), [1, 2, 3])
        self.assertEqual(self._calls().mapped('status_code'), [503, 503, 200])
        self.sandbox_rule(path='/echo/hooks/retry', status=503, body={'error': 'busy'}, times=2)
        response = self.provider._ddcpts_request('POST', f'{sandbox_url()}/echo/hooks/retry', endpoint='status',
                                                 idempotent=True)
        self.assertEqual(response.status_code, 200, "a POST declared idempotent (a query) is retried too")

    @NO_SLEEP
    def test_payment_requests_are_never_retried(self):
        self.sandbox_rule(path='/echo/hooks/pay', status=503, body={'error': 'busy'})
        response = self.provider._ddcpts_request('POST', f'{sandbox_url()}/echo/hooks/pay', endpoint='pay')
        self.assertEqual(response.status_code, 503)
        self.assertEqual(len(self.sandbox_requests('/echo/hooks/pay')), 1)
        self.assertEqual(len(self._calls()), 1)
        status = self.env['ddcpts.health.status'].search([('res_id', '=', self.provider.id),
                                                           ('res_model', '=', self.provider._name)])
        self.assertEqual(status.state, 'failing')

    def test_timeouts_and_unreachable_providers_raise_a_clear_error(self):
        self.sandbox_rule(path='/echo/hooks/slow', delay_ms=1500)
        with self.assertRaisesRegex(ProviderError, "did not answer within 0.5 seconds"):
            self.provider._ddcpts_request('POST', f'{sandbox_url()}/echo/hooks/slow', endpoint='slow', timeout=0.5)
        with self.assertRaisesRegex(ProviderError, "could not be reached"):
            self.provider._ddcpts_request('POST', 'http://127.0.0.1:9/nothing', endpoint='closed', timeout=2)
        calls = self._calls()
        self.assertEqual(calls.mapped('status_code'), [0, 0])
        self.assertTrue(all(calls.mapped('error')))

    def _token_fetcher(self, expires_in=3600):
        fetched = []

        def fetch():
            response = self.provider._ddcpts_request(
                'POST', f'{sandbox_url()}/echo/oauth/token', endpoint='token', auth=('user', 'pw'))
            fetched.append(response.json()['access_token'])
            return fetched[-1], expires_in
        return fetch, fetched

    def test_tokens_are_cached_until_shortly_before_expiry(self):
        fetch, fetched = self._token_fetcher()
        first = self.provider._ddcpts_bearer_token(fetch)
        self.assertEqual(self.provider._ddcpts_bearer_token(fetch), first)
        self.assertEqual(len(fetched), 1)
        self.env.cr.execute("SELECT ciphertext FROM ddcpts_provider_token WHERE res_id = %s", [self.provider.id])
        self.assertNotIn(first, self.env.cr.fetchone()[0], "the cached token is encrypted")
        self.provider._ddcpts_invalidate_token()
        second = self.provider._ddcpts_bearer_token(fetch)
        self.assertNotEqual(second, first)
        self.assertEqual(len(fetched), 2)
        self.assertEqual(self.provider._ddcpts_bearer_token(fetch, scope='other'), fetched[2], "one cache per scope")
        self.assertEqual(self.sandbox('GET', 'state')['echo']['tokens_issued'], 3)
        self.assertNotIn(second, ''.join(self._calls().mapped('response_body')), "tokens are masked in the log")

    def test_only_the_rejected_token_is_forgotten(self):
        fetch, fetched = self._token_fetcher()
        first = self.provider._ddcpts_bearer_token(fetch)
        self.provider._ddcpts_invalidate_token()
        newer = self.provider._ddcpts_bearer_token(fetch)  # another worker renewed it meanwhile
        self.provider._ddcpts_invalidate_token(rejected_token=first)
        self.assertEqual(self.provider._ddcpts_bearer_token(fetch), newer, "the newer token is kept")
        self.provider._ddcpts_invalidate_token(rejected_token=newer)
        self.assertNotEqual(self.provider._ddcpts_bearer_token(fetch), newer)
        self.assertEqual(len(fetched), 3)

    def test_a_token_expiring_within_a_minute_is_refreshed(self):
        fetch, fetched = self._token_fetcher(expires_in='59')  # Daraja sends expires_in as a string
        self.provider._ddcpts_bearer_token(fetch)
        self.provider._ddcpts_bearer_token(fetch)
        self.assertEqual(len(fetched), 2)


@tagged('post_install', '-at_install')
class TestTokenConcurrency(TransactionCase):
    """Real concurrent workers (separate committed transactions) share one token refresh."""

    def test_concurrent_workers_refresh_a_token_once(self):
        with committed_env(self.registry) as env:
            endpoint_id = create_endpoint(env, "Concurrent").id
        self.addCleanup(self._cleanup, endpoint_id)
        fetches = []

        def fetch():
            fetches.append(threading.current_thread().name)
            time.sleep(0.5)  # a slow token endpoint: the other workers arrive meanwhile
            return f'token-{len(fetches)}', 3600

        tokens = []

        def worker():
            with self.registry.cursor() as cr:
                endpoint = api.Environment(cr, SUPERUSER_ID, {})['ddcpts.webhook.endpoint'].browse(endpoint_id)
                tokens.append(endpoint._ddcpts_bearer_token(fetch))

        threads = [threading.Thread(target=worker, name=f'worker-{index}') for index in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual(len(fetches), 1, f"one refresh for all workers, got {fetches}")
        self.assertEqual(tokens, ['token-1'] * 5)

    def _cleanup(self, endpoint_id):
        with committed_env(self.registry) as env:
            env['ddcpts.webhook.endpoint'].browse(endpoint_id).unlink()
            env.cr.execute("DELETE FROM ddcpts_provider_token WHERE res_id = %s AND res_model = %s",
                           [endpoint_id, 'ddcpts.webhook.endpoint'])
