from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DISBURSED, LoanCase

FIRST_DUE = date(2026, 2, 28)
SECOND_DUE = date(2026, 3, 31)


@tagged('post_install', '-at_install')
class TestLoanRepayment(LoanCase):

    def savings_balance(self, member):
        account = member._sacco_account(self.savings)
        account.invalidate_recordset(['balance'])
        return account.balance

    def test_installment_paid_and_booked_split(self):
        loan = self.disbursed(100000)
        transaction = self.repay(loan, 8884.88, FIRST_DUE)
        self.assertRecordValues(transaction, [{'type': 'repayment', 'principal': 7884.88, 'interest': 1000,
                                               'penalty': 0, 'fee': 0, 'overpayment': 0}])
        first = loan.line_ids[0]
        self.assertRecordValues(first, [{'state': 'paid', 'paid_on': FIRST_DUE, 'outstanding': 0}])
        self.assertEqual(transaction.allocation_ids.installment_id, first)
        lines = {line.account_id: line.balance for line in transaction.move_id.line_ids}
        self.assertEqual(lines[self.gl_cash], 8884.88)
        self.assertAlmostEqual(lines[self.gl_portfolio], -7884.88, places=2)
        interest = lines.get(self.gl_interest, 0) + lines.get(self.gl_interest_receivable, 0)
        self.assertAlmostEqual(interest, -1000, places=2)
        self.assertEqual(loan.principal_outstanding, 92115.12)

    def test_allocation_follows_the_product_order(self):
        loan = self.disbursed(100000)
        self.Loan._cron_loan_daily(date(2026, 3, 1))  # installment 1 overdue: one penalty of 5 %
        first = loan.line_ids[0]
        self.assertEqual(first.penalty, 444.24)
        transaction = self.repay(loan, 1500, date(2026, 3, 1))
        self.assertRecordValues(transaction, [{'penalty': 444.24, 'interest': 1000, 'principal': 55.76}])
        self.product.allocation_order = 'principal,interest,penalty,fee'
        transaction = self.repay(loan, 8000, date(2026, 3, 1))
        # principal first: the rest of installment 1 (7 829.12), then 170.88 ahead
        self.assertRecordValues(transaction, [{'principal': 8000, 'interest': 0, 'penalty': 0}])
        self.assertEqual(first.state, 'paid')
        move_lines = {line.account_id: line.balance for line in loan.transaction_ids.filtered(
            lambda t: t.penalty).move_id.line_ids}
        self.assertAlmostEqual(move_lines[self.gl_penalty_receivable], -444.24, places=2,
                               msg="accrual accounting: the penalty was income when charged")

    def test_early_repayment_reduces_the_term(self):
        loan = self.disbursed(100000)
        self.repay(loan, 8884.88 + 30000, FIRST_DUE)
        self.assertEqual(len(loan.line_ids), 9, "1 paid + the 8 installments of at most 8 884.88 that repay 62 115.12")
        self.assertAlmostEqual(sum(loan.line_ids.mapped('principal')), 100000, places=2)
        self.assertEqual(loan.principal_outstanding, 62115.12)
        unpaid = loan.line_ids.filtered(lambda line: line.state != 'paid').sorted('number')
        self.assertEqual(unpaid[0].principal_paid, 30000, "the lump sum is paid with the next installment")
        self.assertEqual(unpaid[:-1].mapped('outstanding'), [8117.84] * 7, "the EMI over the shortest term")
        self.assertEqual(unpaid[0].interest, 621.15, "interest on the balance after the lump sum")

    def test_early_repayment_reduces_the_installment(self):
        self.product.prepayment_mode = 'reduce_installment'
        loan = self.disbursed(100000)
        self.repay(loan, 8884.88 + 30000, FIRST_DUE)
        self.assertEqual(len(loan.line_ids), 12)
        rest = loan.line_ids.sorted('number')[1:]
        self.assertTrue(all(5000 < line.outstanding < 6000 for line in rest), rest.mapped('outstanding'))
        self.assertAlmostEqual(sum(loan.line_ids.mapped('principal')), 100000, places=2)

    def test_payoff_closes_the_loan_and_overpayment_goes_to_savings(self):
        loan = self.disbursed(100000)
        self.repay(loan, 8884.88, FIRST_DUE)
        mid_march = date(2026, 3, 15)
        payoff = loan._loan_payoff(mid_march)
        # principal left + 15 of the 31 days of March's interest (921.15)
        self.assertAlmostEqual(payoff, 92115.12 + 445.72, places=2)
        transaction = self.repay(loan, payoff + 500, mid_march)
        self.assertRecordValues(loan, [{'state': 'closed', 'closed_on': mid_march, 'total_outstanding': 0}])
        self.assertEqual(transaction.overpayment, 500)
        self.assertEqual(self.savings_balance(self.borrower), 500)
        # money for a closed loan is savings too
        late = self.repay(loan, 300, date(2026, 3, 20))
        self.assertRecordValues(late, [{'overpayment': 300, 'principal': 0}])
        self.assertEqual(self.savings_balance(self.borrower), 800)

    def test_refused_repayments(self):
        loan = self.disbursed(100000)
        with self.assertRefused(UserError, "was disbursed on 2026-01-31: a repayment dated 2026-01-30 is earlier"):
            self.repay(loan, 1000, date(2026, 1, 30))
        with self.assertRefused(UserError, "must be greater than zero"):
            self.repay(loan, 0, FIRST_DUE)
        pending = self.approved(20000, member=self.member_with_deposits(20000))
        with self.assertRefused(UserError, "is approved: it cannot be repaid"):
            self.repay(pending, 1000, FIRST_DUE)
        self.assertFalse(loan.transaction_ids.filtered(lambda t: t.type == 'repayment'))

    def test_disbursement_day_repayment_is_a_prepayment(self):
        loan = self.disbursed(100000)
        self.repay(loan, 1000, DISBURSED)
        self.assertEqual(loan.principal_outstanding, 99000)
