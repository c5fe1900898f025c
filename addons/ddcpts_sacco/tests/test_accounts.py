from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import SaccoCase


@tagged('post_install', '-at_install')
class TestAccounts(SaccoCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls.active_member()
        cls.other = cls.active_member()

    def account(self, member, product):
        return member.account_ids.filtered(lambda account: account.product_id == product)

    def test_receipt_posts_an_entry_and_the_balance_derives_from_posted_items(self):
        endpoint = self.env['ddcpts.webhook.endpoint'].create({
            'name': "ERP", 'url': 'https://erp.example.com/hooks',
            'event_ids': [Command.set(self.env.ref('ddcpts_sacco.webhook_event_contribution_received').ids)]})
        move = self.receive(self.member, 2500, product=self.deposits, memo="R-1001")
        deposits = self.account(self.member, self.deposits)
        self.assertEqual(move.state, 'posted')
        self.assertRecordValues(move.line_ids.sorted('balance'), [
            {'account_id': self.gl_deposits.id, 'partner_id': self.member.partner_id.id, 'balance': -2500},
            {'account_id': self.gl_cash.id, 'partner_id': self.member.partner_id.id, 'balance': 2500},
        ])
        self.assertEqual(deposits.balance, 2500)
        self.assertEqual(self.account(self.member, self.savings).balance, 0)
        self.assertEqual(endpoint.delivery_ids.event, 'contribution.received')
        self.assertIn(deposits.name, endpoint.delivery_ids.body)

        reversal = move._reverse_moves(cancel=True)
        self.assertEqual(reversal.state, 'posted')
        deposits.invalidate_recordset(['balance'])
        self.assertEqual(deposits.balance, 0, "a reversed receipt no longer counts")

        draft = move.copy()
        self.assertEqual(draft.state, 'draft')
        deposits.invalidate_recordset(['balance'])
        self.assertEqual(deposits.balance, 0, "a draft entry is not money")

    def test_balances_up_to_a_date_include_backdated_entries(self):
        deposits = self.account(self.member, self.deposits)
        self.receive(self.member, 1000, product=self.deposits, date='2025-03-10')
        self.receive(self.member, 300, product=self.deposits, date='2025-01-05')  # keyed in late
        self.receive(self.other, 700, product=self.deposits, date='2025-01-06')
        self.assertEqual(deposits._sacco_balances(date_to='2025-02-28'), {deposits: 300})
        both = deposits | self.account(self.other, self.deposits)
        self.assertEqual(list(both._sacco_balances().values()), [1300, 700])

    def test_bad_receipts_are_refused(self):
        with self.assertRaisesRegex(UserError, "positive amount"):
            self.receive(self.member, -5, product=self.savings)
        with self.assertRaisesRegex(UserError, "Choose the product"):
            self.env['ddcpts.sacco.receipt'].create({
                'member_id': self.member.id, 'amount': 10, 'journal_id': self.cash_journal.id,
                'product_id': False}).action_post()

    def test_reconciliation_check_proves_members_equal_the_ledger(self):
        self.receive(self.member, 5000, product=self.shares)
        self.receive(self.other, 6000, product=self.shares)
        self.receive(self.other, 800, product=self.savings)
        result = (self.shares | self.savings | self.deposits)._sacco_reconciliation()
        self.assertEqual(result, {self.shares: (11000, 11000), self.savings: (800, 800), self.deposits: (0, 0)})
        action = self.shares.action_check_reconciliation()
        self.assertEqual(action['params']['type'], 'success')

        # an accountant books on the share account without a member: the check shows the gap
        stray = self.env['account.move'].create({
            'move_type': 'entry', 'journal_id': self.misc_journal.id,
            'line_ids': [Command.create({'account_id': self.gl_shares.id, 'balance': -150}),
                         Command.create({'account_id': self.gl_cash.id, 'balance': 150})]})
        stray.action_post()
        self.assertEqual(self.shares._sacco_reconciliation(), {self.shares: (11150, 11000)})
        action = self.shares.action_check_reconciliation()
        self.assertEqual(action['params']['type'], 'danger')
        self.assertIn("(difference", action['params']['message'])

    def test_product_rules(self):
        with self.assertRaisesRegex(ValidationError, "must post to an account of type"):
            self.env['ddcpts.sacco.product'].create({'name': "Bad", 'code': 'BAD', 'kind': 'share',
                                                    'account_id': self.gl_fees.id})
        self.assertTrue(self.savings.withdrawable)
        self.assertFalse(self.deposits.withdrawable or self.shares.withdrawable)
        self.assertEqual(self.shares.code, 'SHR', "codes are stored upper-case")
        self.assertEqual(self.shares.account_count, 2)
