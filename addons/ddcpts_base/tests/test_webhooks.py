import json
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from odoo.addons.ddcpts_base.models.ddcpts_webhook_delivery import WEBHOOK_RETRY_DELAYS
from odoo.addons.ddcpts_base.tests.common import DdcptsCase, sandbox_url
from odoo.addons.ddcpts_base.tools import signature

SECRET = 'whsec_test_0123456789'


@tagged('post_install', '-at_install')
class TestWebhooks(DdcptsCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        event = cls.env.ref('ddcpts_base.webhook_event_payout_done')
        Endpoint = cls.env['ddcpts.webhook.endpoint']
        cls.erp = Endpoint.create({'name': "ERP", 'url': f'{sandbox_url()}/echo/hooks/erp',
                                   'event_ids': [(4, event.id)], 'secret': SECRET})
        cls.pinged = Endpoint.create({'name': "Ping only", 'url': f'{sandbox_url()}/echo/hooks/ping',
                                      'event_ids': [(4, cls.env.ref('ddcpts_base.webhook_event_ping').id)]})
        cls.archived = Endpoint.create({'name': "Old", 'url': f'{sandbox_url()}/echo/hooks/old',
                                        'event_ids': [(4, event.id)], 'active': False})
        other_company = cls.env['res.company'].create({'name': "Other SACCO"})
        cls.other = Endpoint.create({'name': "Other", 'url': f'{sandbox_url()}/echo/hooks/other',
                                     'event_ids': [(4, event.id)], 'company_id': other_company.id})
        cls.Delivery = cls.env['ddcpts.webhook.delivery']

    def _emit(self):
        return self.env['ddcpts.webhook.endpoint']._ddcpts_emit('payout.done', {'reference': 'PO/1', 'amount': 1500.0})

    def test_only_subscribed_active_endpoints_of_the_company_get_the_event(self):
        deliveries = self._emit()
        self.assertEqual(deliveries.endpoint_id, self.erp)
        body = json.loads(deliveries.body)
        self.assertEqual(body['event'], 'payout.done')
        self.assertEqual(body['data'], {'reference': 'PO/1', 'amount': 1500.0})
        self.assertEqual(deliveries.event_uid, body['id'])
        self.assertFalse(self.env['ddcpts.webhook.endpoint']._ddcpts_emit('ping', {}).filtered(
            lambda delivery: delivery.endpoint_id != self.pinged))
        with self.assertRaisesRegex(ValueError, "Unknown webhook event 'loan.eaten'"):
            self.env['ddcpts.webhook.endpoint']._ddcpts_emit('loan.eaten', {})

    def test_deliveries_are_signed_and_verifiable(self):
        delivery = self._emit()
        self.Delivery._cron_send_due()
        self.assertRecordValues(delivery, [{'state': 'done', 'attempt_count': 1, 'last_status_code': 200}])
        received = self.sandbox_requests('/echo/hooks/erp')
        self.assertEqual(len(received), 1)
        headers = {name.lower(): value for name, value in received[0]['headers'].items()}
        self.assertEqual(received[0]['body'], delivery.body)
        self.assertEqual(headers['x-ddcpts-event'], 'payout.done')
        self.assertEqual(headers['x-ddcpts-delivery'], delivery.event_uid)
        self.assertTrue(signature.verify(SECRET, received[0]['body'], headers['x-ddcpts-signature']))
        self.assertFalse(signature.verify('wrong-secret', received[0]['body'], headers['x-ddcpts-signature']))
        self.assertFalse(signature.verify(SECRET, received[0]['body'] + ' ', headers['x-ddcpts-signature']))
        stale = signature.sign(SECRET, received[0]['body'], timestamp=fields.Datetime.now().timestamp() - 3600)
        self.assertFalse(signature.verify(SECRET, received[0]['body'], stale), "old signatures are replays")

    def test_failures_back_off_then_fail_and_can_be_resent(self):
        self.sandbox_rule(path='/echo/hooks/erp', status=500, body={'error': 'down'}, times=-1)
        delivery = self._emit()
        start = fields.Datetime.now()
        moment = start
        for attempt, delay in enumerate(WEBHOOK_RETRY_DELAYS, start=1):
            with freeze_time(moment):
                self.Delivery._cron_send_due()
            self.assertRecordValues(delivery, [{'state': 'pending', 'attempt_count': attempt, 'last_status_code': 500}])
            self.assertEqual(delivery.next_attempt_at, moment + timedelta(seconds=delay))
            with freeze_time(moment + timedelta(seconds=delay - 5)):
                self.Delivery._cron_send_due()
            self.assertEqual(delivery.attempt_count, attempt, "nothing is sent before the retry time")
            moment += timedelta(seconds=delay)
        with freeze_time(moment):
            self.Delivery._cron_send_due()
        self.assertRecordValues(delivery, [{'state': 'failed', 'attempt_count': len(WEBHOOK_RETRY_DELAYS) + 1}])
        self.assertIn('HTTP 500', delivery.last_error)
        self.assertEqual([1, 5, 30, 120, 720], [delay // 60 for delay in WEBHOOK_RETRY_DELAYS])

        self.sandbox('DELETE', 'rules')
        delivery.action_resend()
        self.Delivery._cron_send_due()
        self.assertRecordValues(delivery, [{'state': 'done', 'attempt_count': 1}])
        bodies = {request['body'] for request in self.sandbox_requests('/echo/hooks/erp')}
        self.assertEqual(bodies, {delivery.body}, "every attempt sends the same event id")

    def test_an_unusable_endpoint_does_not_block_the_queue(self):
        broken = self.erp.copy({'name': "No secret", 'url': f'{sandbox_url()}/echo/hooks/broken'})
        broken.sudo()._ddcpts_set_secret('secret', False)
        first, second = self._emit().sorted(lambda delivery: delivery.endpoint_id != broken)
        self.assertEqual(first.endpoint_id, broken)
        self.Delivery._cron_send_due()
        self.assertRecordValues(first, [{'state': 'pending', 'attempt_count': 1, 'last_status_code': 0}])
        self.assertIn('has no signing secret', first.last_error)
        self.assertRecordValues(second, [{'state': 'done', 'endpoint_id': self.erp.id}])
        self.assertFalse(self.sandbox_requests('/echo/hooks/broken'))

        self.erp.active = False  # archived: its pending deliveries wait
        delivery = self._emit().filtered(lambda delivery: delivery.endpoint_id == broken)
        waiting = self.Delivery.create({'endpoint_id': self.erp.id, 'event': 'payout.done', 'body': delivery.body})
        self.Delivery._cron_send_due()
        self.assertRecordValues(waiting, [{'state': 'pending', 'attempt_count': 0}])
        self.erp.active = True
        self.Delivery._cron_send_due()
        self.assertEqual(waiting.state, 'done')

    def test_unreachable_endpoint_is_retried(self):
        self.erp.url = 'http://127.0.0.1:9/closed'
        delivery = self._emit()
        self.Delivery._cron_send_due()
        self.assertRecordValues(delivery, [{'state': 'pending', 'attempt_count': 1, 'last_status_code': 0}])
        self.assertIn('could not be reached', delivery.last_error)

    def test_endpoint_test_button_sends_a_signed_ping(self):
        action = self.erp.action_ddcpts_check_health()
        self.assertEqual(action['params']['type'], 'success')
        ping = self.sandbox_requests('/echo/hooks/erp')[0]
        self.assertEqual(ping['json']['event'], 'ping')
        self.sandbox_rule(path='/echo/hooks/erp', status=404, body={'error': 'gone'})
        self.assertEqual(self.erp.action_ddcpts_check_health()['params']['type'], 'danger')
