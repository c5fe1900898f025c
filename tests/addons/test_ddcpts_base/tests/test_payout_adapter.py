from odoo.tests import new_test_user, tagged

from odoo.addons.ddcpts_base.tests.common import DdcptsHttpCase
from odoo.addons.test_ddcpts_base.tests.common import create_provider


@tagged('post_install', '-at_install')
class TestPayoutAdapter(DdcptsHttpCase):
    """The adapter interface of ddcpts.payout with an asynchronous provider (result by callback)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = create_provider(cls.env)
        cls.approver = new_test_user(cls.env, 'adapter_approver', ddcpts_payout_limit=10000,
                                     groups='base.group_user,ddcpts_base.group_ddcpts_payout_approver')
        cls.partner = cls.env['res.partner'].create({'name': "Achieng", 'mobile': '+254 722 000 000'})
        cls.journal = cls.env['account.journal'].search(
            [('type', '=', 'bank'), ('company_id', '=', cls.env.company.id)], limit=1)

    def _approved_payout(self, amount):
        payout = self.env['ddcpts.payout'].create({
            'partner_id': self.partner.id, 'amount': amount, 'channel': 'test', 'journal_id': self.journal.id,
            'test_provider_id': self.provider.id,
        })
        payout.action_submit()
        payout.with_user(self.approver).action_approve()
        return payout

    def _send_and_wait_for_result(self, payout):
        self.env['ddcpts.payout']._cron_send_approved()
        self.assertEqual(payout.state, 'sent')
        delivered = self.sandbox_deliver_callbacks(1)
        self.assertEqual(delivered[0]['state'], 'delivered', delivered)
        payout.invalidate_recordset()

    def test_provider_confirms_the_payout(self):
        payout = self._approved_payout(500)
        self._send_and_wait_for_result(payout)
        self.assertRecordValues(payout, [{'state': 'done', 'provider_reference': f'R{payout.id:08d}'}])
        self.assertEqual(payout.payment_id.state, 'in_process')
        sent = self.sandbox_requests('/echo/api/callback')[0]['json']
        self.assertEqual(sent['payload']['key'], payout.idempotency_key, "the idempotency key reaches the provider")

    def test_provider_refuses_the_payout(self):
        payout = self._approved_payout(5000)
        self._send_and_wait_for_result(payout)
        self.assertRecordValues(payout, [{'state': 'failed', 'payment_id': False}])

    def test_unreachable_provider_leaves_the_payout_approved(self):
        payout = self._approved_payout(500)
        self.sandbox_rule(path='/echo/api/callback', status=503, body={'error': 'maintenance'})
        self.env['ddcpts.payout']._cron_send_approved()
        self.assertEqual(payout.state, 'approved', "sent again, with the same idempotency key, by the next run")
        self.assertIn('503', payout.last_error)
