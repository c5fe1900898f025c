import json
import logging
from unittest.mock import patch
from urllib.parse import urlencode

from odoo.tests import tagged
from odoo.tools import config

from odoo.addons.ddcpts_base.tests.common import DdcptsHttpCase
from odoo.addons.test_ddcpts_base.tests.common import CallbackClientMixin, create_provider


@tagged('post_install', '-at_install')
class TestCallbackRoutes(CallbackClientMixin, DdcptsHttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = create_provider(cls.env)
        cls.Callback = cls.env['ddcpts.callback']
        cls.Event = cls.env['test.ddcpts.event']

    def _last_callback(self):
        return self.Callback.search([('provider_model', '=', 'test.ddcpts.provider')], limit=1)

    def test_valid_callback_is_stored_processed_and_acknowledged(self):
        response = self.post_json(self.callback_path(self.provider), {'event_id': 'EV-1', 'amount': 150.5})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {'ResultCode': 0, 'ResultDesc': 'Accepted'})
        event = self.Event.search([('event_id', '=', 'EV-1')])
        self.assertEqual(event.amount, 150.5)
        callback = self._last_callback()
        self.assertRecordValues(callback, [{
            'state': 'processed', 'provider': 'test', 'method': 'POST', 'source_ip': '127.0.0.1',
            'reference': 'EV-1', 'related_model': 'test.ddcpts.event', 'related_id': event.id,
            'response_status': 200, 'attempt_count': 1, 'content_type': 'json',
        }])
        self.assertEqual(json.loads(callback.body), {'event_id': 'EV-1', 'amount': 150.5})
        self.assertEqual(json.loads(callback.headers)['Content-Type'], 'application/json')
        token = self.provider._ddcpts_get_callback_token()
        self.assertNotIn(token, callback.route, "the URL token is masked in the log")
        self.assertIn('/***/event', callback.route)

    def test_replays_change_nothing_and_are_acknowledged(self):
        path = self.callback_path(self.provider)
        for _attempt in range(5):
            self.assertEqual(self.post_json(path, {'event_id': 'EV-2', 'amount': 10}).status_code, 200)
        self.assertEqual(self.Event.search_count([('event_id', '=', 'EV-2')]), 1)
        states = self.Callback.search([('reference', '=', 'EV-2')]).mapped('state')
        self.assertEqual(sorted(states), ['duplicate'] * 4 + ['processed'])

    def test_wrong_token_is_refused_logged_and_changes_nothing(self):
        for path in (self.callback_path(self.provider, token='forged-token'),
                     self.callback_path(self.provider).replace(f'/{self.provider.id}/', '/999999/'),
                     self.callback_path(self.provider).replace(f'/{self.provider.id}/', '/99999999999/')):
            response = self.post_json(path, {'event_id': 'EV-FORGED'})
            self.assertEqual(response.status_code, 403)
            self.assertEqual(response.json(), {'error': 'Forbidden'})
            self.assertRecordValues(self._last_callback(), [{'state': 'rejected', 'response_status': 403}])
        self.assertFalse(self.Event.search([('event_id', '=', 'EV-FORGED')]))
        self.assertIn('Invalid callback token', self._last_callback().error)

    def test_ip_allowlist(self):
        self.provider.ddcpts_ip_allowlist = '196.201.214.200, 196.201.212.0/24'
        response = self.post_json(self.callback_path(self.provider), {'event_id': 'EV-IP'})
        self.assertEqual(response.status_code, 403)
        self.assertIn('not in the allowlist', self._last_callback().error)
        self.provider.ddcpts_ip_allowlist = '196.201.214.200, 127.0.0.0/8'
        self.assertEqual(self.post_json(self.callback_path(self.provider), {'event_id': 'EV-IP'}).status_code, 200)
        with self.assertRaisesRegex(Exception, "not an IP address or network"):
            self.provider.ddcpts_ip_allowlist = 'safaricom'

    def test_ip_allowlist_behind_a_reverse_proxy(self):
        """With proxy_mode, the address is the one the proxy appended to X-Forwarded-For; a caller
        cannot spoof it by sending its own X-Forwarded-For, and without proxy_mode the header is ignored."""
        self.provider.ddcpts_ip_allowlist = '196.201.214.0/24'
        path = self.callback_path(self.provider)

        def post(forwarded_for, event_id):
            return self.opener.post(f'{self.base_url()}{path}', data=json.dumps({'event_id': event_id}), timeout=30,
                                    headers={'Content-Type': 'application/json', 'X-Forwarded-Host': 'erp.example.com',
                                             'X-Forwarded-For': forwarded_for, 'X-Forwarded-Proto': 'https'})

        self.assertEqual(post('196.201.214.200', 'EV-PROXY-0').status_code, 403, "no proxy_mode: header ignored")
        with patch.dict(config.options, {'proxy_mode': True}):
            response = post('10.1.1.1, 196.201.214.200', 'EV-PROXY-1')
            self.assertEqual(response.status_code, 200)
            self.assertEqual(self._last_callback().source_ip, '196.201.214.200')
            self.assertEqual(post('196.201.214.200, 41.90.1.1', 'EV-PROXY-2').status_code, 403, "spoofed")
            self.assertEqual(self._last_callback().source_ip, '41.90.1.1')
        self.assertEqual(self.Event.search([('event_id', 'like', 'EV-PROXY')]).mapped('event_id'), ['EV-PROXY-1'])

    def test_bad_input_gets_a_clear_4xx_and_is_logged(self):
        path = self.callback_path(self.provider)
        cases = [
            ('not json at all', "The body is not valid JSON."),
            ('', "The body is not valid JSON."),
            ('[1, 2]', "The body must be a JSON object."),
            (b'\xff\xfe{"event_id": "EV-\x00"}', "The body is not valid JSON."),
            ({'amount': 5}, "event_id: is missing"),
            ({'event_id': 'EV-3', 'amount': '5.00'}, "amount: must be an amount, not a string"),
        ]
        for body, message in cases:
            with self.subTest(body=body):
                response = self.post_json(path, body)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json(), {'error': message})
                self.assertRecordValues(self._last_callback(), [{'state': 'failed', 'error': message,
                                                                 'response_status': 400}])
        self.assertEqual(self.url_open(path).status_code, 405, "GET is not a callback")
        self.assertFalse(self.Event.search([('event_id', '=', 'EV-3')]))

    def test_processing_crash_keeps_the_raw_callback_and_undoes_the_rest(self):
        response = self.post_json(self.callback_path(self.provider), {'event_id': 'EV-CRASH', 'crash': True})
        self.assertEqual(response.status_code, 500)
        self.assertNotIn('Traceback', response.text)
        self.assertEqual(response.json(), {'error': "The callback was stored but could not be processed."})
        callback = self._last_callback()
        self.assertEqual(callback.state, 'failed')
        self.assertIn('RuntimeError: crash after booking the event', callback.error)
        self.assertIn('EV-CRASH', callback.body)
        self.assertFalse(self.Event.search([('event_id', '=', 'EV-CRASH')]), "the partial booking was rolled back")

    def test_failed_callback_is_reprocessed_with_one_button(self):
        self.provider.accepts_events = False
        self.assertEqual(self.post_json(self.callback_path(self.provider), {'event_id': 'EV-4'}).status_code, 500)
        callback = self._last_callback()
        self.assertIn('does not accept events yet', callback.error)
        self.assertEqual(callback.action_reprocess()['params']['type'], 'danger')
        self.assertEqual(callback.attempt_count, 2)
        self.provider.accepts_events = True
        self.assertEqual(callback.action_reprocess()['params']['type'], 'success')
        self.assertRecordValues(callback, [{'state': 'processed', 'error': False, 'attempt_count': 3}])
        self.assertEqual(self.Event.search_count([('event_id', '=', 'EV-4')]), 1)
        with self.assertRaisesRegex(Exception, "Only received or failed callbacks"):
            callback.action_reprocess()

    def test_form_bodies_are_stored_byte_for_byte(self):
        body = urlencode({'event_id': 'ATXid_a2', 'status': 'Failed', 'phoneNumber': '+254711000002'})
        response = self.url_open(self.callback_path(self.provider, event='form'), data=body,
                                 headers={'Content-Type': 'application/x-www-form-urlencoded'})
        self.assertEqual((response.status_code, response.text), (200, 'OK'))
        callback = self._last_callback()
        self.assertEqual(callback.body, body)
        self.assertEqual(callback.content_type, 'form')
        self.assertTrue(self.Event.search([('event_id', '=', 'ATXid_a2')]))

    def test_url_token_never_reaches_the_http_access_log(self):
        token = self.provider._ddcpts_get_callback_token()
        # numeric: Odoo names its level 25 'INFO', werkzeug's access log lines are logging.INFO (20)
        with self.assertLogs('werkzeug', level=logging.INFO) as access_log:
            self.assertEqual(self.post_json(self.callback_path(self.provider), {'event_id': 'EV-LOG'}).status_code, 200)
            self.assertEqual(self.post_json(self.callback_path(self.provider, token='forged-token'), {}).status_code,
                             403)
        lines = '\n'.join(access_log.output)
        self.assertIn(f'POST /ddcpts/test/{self.provider.id}/***/event', lines)
        self.assertNotIn(token, lines)
        self.assertNotIn('forged-token', lines)
