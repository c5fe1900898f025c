from odoo.tests import tagged

from .common import SaccoCase


@tagged('post_install', '-at_install')
class TestContributions(SaccoCase):

    def test_arrears_against_monthly_obligations_and_sms_reminders(self):
        member = self.active_member()
        member.joined_on = '2025-01-15'
        self.receive(member, 2000, product=self.deposits, date='2025-01-20')
        self.receive(member, 1500, product=self.deposits, date='2025-03-02')
        self.receive(member, 9000, product=self.deposits, date='2025-04-02')  # after the date asked
        deposits = member.account_ids.filtered(lambda account: account.product_id == self.deposits)
        arrears = member.account_ids._sacco_arrears('2025-03-31')
        self.assertEqual(arrears[deposits], 2500, "3 months × 2 000 due, 3 500 paid")
        self.assertEqual(set(arrears.values()) - {2500}, {0}, "no monthly obligation on the other products")
        self.assertEqual(member.account_ids._sacco_arrears('2025-05-31')[deposits], 0, "paid ahead")

        up_to_date = self.active_member()
        self.receive(up_to_date, 2000, product=self.deposits)
        reminded = self.env['ddcpts.sacco.member']._cron_sacco_send_arrears_reminders()
        self.assertIn(member, reminded)
        self.assertNotIn(up_to_date, reminded)
        sms = self.env['sms.sms'].search([('partner_id', '=', member.partner_id.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn(member.phone[3:], sms.number.replace(' ', ''))
        self.assertIn(member.number, sms.body)
        self.assertIn("behind", sms.body)
