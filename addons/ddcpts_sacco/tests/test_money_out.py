from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaccoPayoutCase


@tagged('post_install', '-at_install')
class TestMoneyOut(SaccoPayoutCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls.active_member()
        cls.buyer = cls.active_member()
        cls.receive(cls.member, 5000, product=cls.savings)
        cls.receive(cls.member, 8000, product=cls.deposits)
        cls.receive(cls.member, 6000, product=cls.shares)

    def account(self, member, product):
        return member.account_ids.filtered(lambda account: account.product_id == product)

    def withdraw(self, amount, product=None):
        return self.env['ddcpts.sacco.withdrawal'].create({
            'account_id': self.account(self.member, product or self.savings).id, 'amount': amount,
            'journal_id': self.bank_journal.id}).action_request()

    def test_savings_withdrawal_through_an_approved_payout(self):
        savings = self.account(self.member, self.savings)
        with self.assertRaisesRegex(UserError, r"has 5,000\.00.KSh free to withdraw: 6,000\.00.KSh is too much"):
            self.withdraw(6000)
        action = self.withdraw(3000)
        payout = self.env['ddcpts.payout'].browse(action['res_id'])
        self.assertRecordValues(payout, [{'state': 'to_approve', 'amount': 3000, 'recipient_phone': self.member.phone,
                                          'partner_id': self.member.partner_id.id}])
        self.assertEqual(payout.origin, savings)
        with self.assertRaisesRegex(UserError, r"has 2,000\.00.KSh free"):
            self.withdraw(2500)  # the first request is already promised
        self.assertEqual(savings.balance, 5000, "nothing leaves before the payout is done")

        self.pay(payout)
        savings.invalidate_recordset(['balance'])
        self.assertEqual(savings.balance, 2000)
        self.assert_receivable_settled(payout)
        self.assertEqual(self.shares._sacco_reconciliation()[self.shares], (6000, 6000))
        self.assertEqual(self.savings._sacco_reconciliation()[self.savings], (2000, 2000))

    def test_deposits_and_shares_cannot_be_withdrawn(self):
        with self.assertRaisesRegex(UserError, "cannot be withdrawn, only refunded when the member leaves"):
            self.withdraw(100, product=self.deposits)
        with self.assertRaisesRegex(UserError, "cannot be withdrawn"):
            self.withdraw(100, product=self.shares)

    def test_balance_is_checked_again_at_approval(self):
        payout = self.env['ddcpts.payout'].browse(self.withdraw(4000)['res_id'])
        self.account(self.member, self.savings)._sacco_post(-1500, self.gl_cash)  # counter withdrawal meanwhile
        with self.assertRaisesRegex(UserError, r"has 3,500\.00.KSh free"):
            payout.with_user(self.approver).action_approve()

    def test_share_transfer(self):
        transfer = self.env['ddcpts.sacco.share.transfer']
        with self.assertRaisesRegex(UserError, r"holds 6,000\.00.KSh of Shares: 7,000\.00.KSh cannot be transferred"):
            transfer.create({'from_member_id': self.member.id, 'to_member_id': self.buyer.id,
                             'product_id': self.shares.id, 'amount': 7000}).action_transfer()
        transfer.create({'from_member_id': self.member.id, 'to_member_id': self.buyer.id,
                         'product_id': self.shares.id, 'amount': 2500}).action_transfer()
        self.assertEqual(self.account(self.member, self.shares).balance, 3500)
        self.assertEqual(self.account(self.buyer, self.shares).balance, 2500)
        self.assertEqual(self.shares._sacco_reconciliation()[self.shares], (6000, 6000), "the ledger total stays")

    def test_exit_with_notice_refund_and_closure(self):
        self.company.sacco_exit_notice_days = 60
        with self.assertRaisesRegex(UserError, "has not given notice"):
            self.member.action_exit_refund(self.bank_journal)
        self.member.action_request_exit()
        self.assertEqual((self.member.exit_due_on - self.member.exit_requested_on).days, 60)
        with self.assertRaisesRegex(UserError, "Transfer the share capital"):
            self.member.action_exit_refund(self.bank_journal)
        self.env['ddcpts.sacco.share.transfer'].create({
            'from_member_id': self.member.id, 'to_member_id': self.buyer.id, 'product_id': self.shares.id,
            'amount': 6000}).action_transfer()
        payouts = self.member.action_exit_refund(self.bank_journal)
        self.assertEqual(sorted(payouts.mapped('amount')), [5000, 8000], "deposits are refunded on exit")
        self.assertEqual(self.member.state, 'active', "a member leaves once paid out")
        self.pay(payouts)
        self.assertEqual(self.member.state, 'exited')
        self.assertTrue(self.member.left_on)
        self.member.account_ids.invalidate_recordset(['balance'])
        self.assertEqual(set(self.member.account_ids.mapped('balance')), {0})
        with self.assertRaisesRegex(UserError, "is closed"):
            self.account(self.member, self.savings)._sacco_post(100, self.gl_cash)
