from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaccoCase


@tagged('post_install', '-at_install')
class TestStatement(SaccoCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls.active_member()
        cls.deposits_account = cls.member.account_ids.filtered(lambda account: account.product_id == cls.deposits)
        cls.receive(cls.member, 1000, product=cls.deposits, date='2025-01-10', memo="R-1")
        february = cls.receive(cls.member, 500, product=cls.deposits, date='2025-02-10', memo="R-2")
        cls.receive(cls.member, 200, product=cls.deposits, date='2025-01-20', memo="R-3")  # keyed in late
        february._reverse_moves([{'date': '2025-02-15', 'ref': "Bounced cheque"}], cancel=True)
        cls.receive(cls.member, 999, product=cls.savings, date='2025-01-25')  # another account
        cls.receive(cls.member, 50, product=cls.deposits, date='2025-03-01')  # after the period

    def test_opening_running_and_closing_balances_with_backdated_and_reversed_entries(self):
        statement = self.deposits_account._sacco_statement('2025-01-15', '2025-02-28')
        self.assertEqual((statement['opening'], statement['closing'], statement['count']), (1000, 1200, 3))
        self.assertEqual([(str(line['date']), line['amount'], line['balance']) for line in statement['lines']], [
            ('2025-01-20', 200, 1200), ('2025-02-10', 500, 1700), ('2025-02-15', -500, 1200)])
        everything = self.deposits_account._sacco_statement(None, '2025-12-31')
        self.assertEqual((everything['opening'], everything['closing']), (0, 1250))
        self.assertEqual(everything['lines'][-1]['balance'], everything['closing'])

    def test_pages_show_the_same_running_balance(self):
        page = self.deposits_account._sacco_statement('2025-01-01', '2025-12-31', offset=2, limit=2)
        self.assertEqual(page['count'], 5)
        self.assertEqual([(line['amount'], line['balance']) for line in page['lines']], [(500, 1700), (-500, 1200)])
        beyond = self.deposits_account._sacco_statement('2025-01-01', '2025-12-31', offset=10, limit=2)
        self.assertEqual((beyond['lines'], beyond['count']), ([], 5))

    def test_bad_periods_are_refused(self):
        with self.assertRaisesRegex(UserError, "starts after it ends"):
            self.deposits_account._sacco_statement('2025-03-01', '2025-02-01')
        wizard = self.env['ddcpts.sacco.statement'].create({
            'account_ids': self.deposits_account.ids, 'date_from': '2025-03-01', 'date_to': '2025-02-01'})
        with self.assertRaisesRegex(UserError, "starts after it ends"):
            wizard.action_print()

    def test_printed_statement(self):
        wizard = self.env['ddcpts.sacco.statement'].with_context(
            active_model='ddcpts.sacco.member', active_ids=self.member.ids).create({
                'date_from': '2025-01-15', 'date_to': '2025-02-28'})
        self.assertEqual(wizard.account_ids, self.member.account_ids)
        action = wizard.action_print()
        self.assertEqual(action['report_name'], 'ddcpts_sacco.report_statement')
        # no record ids, as the web client asks for a report whose action carries data
        html, _format = self.env['ir.actions.report']._render_qweb_html(
            'ddcpts_sacco.action_report_statement', None, data=action['data'])
        html = html.decode()
        self.assertIn(f"Statement of {self.deposits_account.name}", html)
        self.assertIn("Opening balance", html)
        self.assertEqual(html.count('Statement of '), len(self.member.account_ids))
        self.assertEqual(html.count('o_sacco_statement_line'), 3 + 1)  # + the savings deposit of 25 January
        self.assertIn("1,700.00", html)
