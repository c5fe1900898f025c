from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LoanCase


@tagged('post_install', '-at_install')
class TestLoanWaiverWriteOff(LoanCase):

    def deposits_of(self, member):
        account = member._sacco_account(self.deposits)
        account.invalidate_recordset(['balance'])
        return account.balance

    def test_waive_penalties_and_interest(self):
        loan = self.disbursed(100000)
        self.Loan._cron_loan_daily(date(2026, 3, 10))
        self.assertEqual(loan.penalty_outstanding, 444.24)
        self.assertEqual(loan._loan_waive('penalty', date(2026, 3, 10)), 444.24)
        self.assertEqual(loan.penalty_outstanding, 0)
        interest_before = loan.interest_outstanding
        receivable_before = loan.interest_accrued
        self.assertEqual(loan._loan_waive('interest', date(2026, 3, 10), amount=600), 600)
        self.assertAlmostEqual(loan.interest_outstanding, interest_before - 600, places=2)
        self.assertAlmostEqual(loan.interest_accrued, receivable_before - 600, places=2,
                               msg="accrued interest taken back out of income")
        waivers = loan.transaction_ids.filtered(lambda t: t.type == 'waiver')
        self.assertEqual(sorted(waivers.mapped('amount')), [444.24, 600])
        with self.assertRefused(UserError, "owes no penalty to waive"):
            loan._loan_waive('penalty', date(2026, 3, 10))

    def test_write_off_recovers_deposits_then_guarantors(self):
        self.product.guarantor_cover_percent = 50
        guarantor = self.member_with_deposits(10000)
        loan = self.disbursed(100000, guarantors=[(guarantor, 10000)])
        self.Loan._cron_loan_daily(date(2026, 6, 30))
        loan._loan_write_off(date(2026, 6, 30))
        self.assertRecordValues(loan, [{'state': 'written_off', 'total_outstanding': 0, 'principal_outstanding': 0}])
        self.assertRecordValues(loan.guarantor_ids, [{'state': 'called', 'amount_recovered': 10000,
                                                      'amount_locked': 0}])
        self.assertEqual(self.deposits_of(self.borrower), 0, "the borrower's deposits first")
        self.assertEqual(self.deposits_of(guarantor), 0, "then the guarantor, up to the pledge")
        write_off = loan.transaction_ids.filtered(lambda t: t.type == 'write_off')
        self.assertEqual(write_off.amount, 50000)
        self.assertEqual(write_off.move_id.line_ids.filtered(lambda line: line.balance > 0).account_id,
                         self.gl_write_off)
        portfolio = self.env['account.move.line'].search([('account_id', '=', self.gl_portfolio.id),
                                                          ('partner_id', '=', self.borrower.partner_id.id),
                                                          ('parent_state', '=', 'posted')])
        self.assertAlmostEqual(sum(portfolio.mapped('balance')), 0, places=2, msg="nothing left receivable")
        with self.assertRefused(UserError, "is written off: cannot write the loan off"):
            loan._loan_write_off(date(2026, 7, 1))
