import threading
from urllib.parse import parse_qs

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.ddcpts_base.tests.common import SandboxMixin, committed_env, sandbox_url
from odoo.addons.ddcpts_sms.tests.common import AT_SEND_PATH, CREDENTIALS

COUNT = 20


@tagged('post_install', '-at_install')
class TestConcurrentSend(SandboxMixin, TransactionCase):
    """Real transactions: two workers (the queue's cron and an explicit ``send()`` over JSON-RPC,
    as docs/api.md shows) hold the same outgoing SMS at once."""

    def setUp(self):
        super().setUp()
        self.sandbox_reset()
        self.addCleanup(self.sandbox_reset)
        with committed_env(self.registry) as env:
            gateway = env['ddcpts.sms.gateway'].create({
                'name': "Concurrent gateway", 'type': 'africastalking', 'api_url': sandbox_url(), 'timeout': 5,
                'priority': -1, 'company_id': env.company.id, **CREDENTIALS['africastalking'],
            })
            numbers = [f'+2547020{index:05d}' for index in range(COUNT)]
            sms = env['sms.sms'].create([{'number': number, 'body': "Concurrent send"} for number in numbers])
            self.gateway_id, self.sms_ids, self.numbers = gateway.id, sms.ids, numbers
        self.addCleanup(self._delete_committed_data)

    def _delete_committed_data(self):
        with committed_env(self.registry) as env:
            env['sms.sms'].browse(self.sms_ids).exists().unlink()
            env['ddcpts.sms.message'].search([('gateway_id', '=', self.gateway_id)]).unlink()
            env['ddcpts.provider.call'].search([('res_model', '=', 'ddcpts.sms.gateway'),
                                                ('res_id', '=', self.gateway_id)]).unlink()
            env['ddcpts.sms.gateway'].browse(self.gateway_id).unlink()

    def test_two_workers_sending_the_same_sms_send_each_once(self):
        both_read = threading.Barrier(2, timeout=60)
        errors = []

        def worker():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    sms = env['sms.sms'].browse(self.sms_ids)
                    # both transactions see the 20 SMS outgoing before either sends
                    self.assertEqual(set(sms.mapped('state')), {'outgoing'})
                    both_read.wait()
                    sms.send()
            except Exception as error:  # reported by the test thread
                errors.append(error)

        threads = [threading.Thread(target=worker, name=f'sms-sender-{index}') for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        self.assertFalse(errors)
        sent = [number for request in self.sandbox_requests(AT_SEND_PATH)
                for number in parse_qs(request['body'])['to'][0].split(',')]
        self.assertEqual(sorted(sent), self.numbers, "each SMS went to the gateway exactly once")
        with committed_env(self.registry) as env:
            self.assertEqual(set(env['sms.sms'].browse(self.sms_ids).mapped('state')), {'pending'})
            self.assertEqual(env['ddcpts.sms.message'].search_count([('gateway_id', '=', self.gateway_id)]), COUNT)
