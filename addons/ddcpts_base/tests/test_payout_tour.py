from odoo.tests import new_test_user, tagged

from odoo.addons.ddcpts_base.tests.common import DdcptsHttpCase


@tagged('post_install', '-at_install')
class TestPayoutTour(DdcptsHttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        groups = 'base.group_user,account.group_account_invoice,ddcpts_base.group_ddcpts_user'
        cls.requester = new_test_user(cls.env, 'tour_requester', groups=groups, company_id=company.id)
        cls.approver = new_test_user(
            cls.env, 'tour_approver', groups=groups + ',ddcpts_base.group_ddcpts_payout_approver',
            company_id=company.id, ddcpts_payout_limit=5000, ddcpts_payout_daily_limit=8000,
        )
        cls.env['res.partner'].create({
            'name': "Tour Hardware", 'mobile': '0712 345 678', 'country_id': cls.env.ref('base.ke').id,
        })
        cls.journal = cls.env['account.journal'].create({
            'name': "Tour Bank", 'code': 'TBNK', 'type': 'bank', 'company_id': company.id,
        })

    def test_request_approve_and_pay_from_the_web_client(self):
        """The form saves what the web client sends (``state: 'draft'``, an empty provider message)."""
        action = '/odoo/action-ddcpts_base.ddcpts_payout_action'
        self.start_tour(action, 'ddcpts_payout_request', login=self.requester.login)
        payout = self.env['ddcpts.payout'].search([('journal_id', '=', self.journal.id)])
        self.assertRecordValues(payout, [{
            'state': 'to_approve', 'amount': 1200.0, 'recipient_phone': '254712345678',
            'requested_by_id': self.requester.id,
        }])
        self.assertIn(self.approver, payout.activity_ids.user_id)

        self.start_tour(action, 'ddcpts_payout_approve', login=self.approver.login)
        self.assertRecordValues(payout, [{'state': 'approved', 'approved_by_id': self.approver.id}])

        self.env['ddcpts.payout']._cron_send_approved()
        self.assertEqual(payout.state, 'sent')
        payout.sudo().provider_message = "Queued at the bank"
        self.start_tour(f'{action}/{payout.id}', 'ddcpts_payout_confirm_paid', login=self.requester.login)
        self.assertRecordValues(payout, [{'state': 'done', 'provider_reference': 'BANK-TRF-0042'}])
        self.assertTrue(payout.payment_id)

    def test_overview_leads_to_my_approvals_and_the_collections_report(self):
        payout = self.env['ddcpts.payout'].with_user(self.requester).create({
            'partner_id': self.env['res.partner'].search([('name', '=', "Tour Hardware")]).id, 'amount': 800,
            'journal_id': self.journal.id,
        })
        payout.with_user(self.requester).action_submit()
        tiles = self.env['ddcpts.dashboard'].with_user(self.approver).ddcpts_get_tiles()
        payouts = next(tile for tile in tiles if tile['key'] == 'payouts')
        self.assertEqual(payouts['lines'][0]['value'], 1, "the approver's own queue")
        self.start_tour('/odoo/action-ddcpts_base.ddcpts_dashboard_action', 'ddcpts_dashboard',
                        login=self.approver.login)
