from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged
from odoo.tests.common import TransactionCase


@tagged('post_install', '-at_install')
class TestNeutralize(TransactionCase):

    def test_copied_database_sends_no_webhook(self):
        endpoint = self.env['ddcpts.webhook.endpoint'].create({
            'name': "Production ERP", 'url': 'https://erp.example.com/hook',
            'event_ids': [(4, self.env.ref('ddcpts_base.webhook_event_payout_done').id)],
        })
        self.env.flush_all()
        for query in get_neutralization_queries(['ddcpts_base']):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertFalse(endpoint.active)
        self.assertFalse(self.env['ddcpts.webhook.endpoint']._ddcpts_emit('payout.done', {}))
