from datetime import date

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import DISBURSED, LoanCase

FIRST_DUE = date(2026, 2, 28)


@tagged('post_install', '-at_install')
class TestLoanRepayWizard(LoanCase):

    def receive_repayment(self, loan, amount, on, journal, reference='SLIP-1'):
        """The officer fills in "Receive Repayment" on the loan's form."""
        wizard = Form(self.env['ddcpts.sacco.loan.repay'].with_user(self.officer).with_context(
            default_loan_id=loan.id))
        wizard.amount = amount
        wizard.date = on
        wizard.journal_id = journal
        wizard.reference = reference
        return wizard.save().action_receive()

    def test_cash_repayment_is_allocated_and_booked(self):
        loan = self.disbursed(100000)
        wizard = Form(self.env['ddcpts.sacco.loan.repay'].with_user(self.officer).with_context(
            default_loan_id=loan.id))
        self.assertEqual(wizard.amount, 8884.88, "proposes the next installment")
        self.receive_repayment(loan, 8884.88, FIRST_DUE, self.cash_journal)
        transaction = loan.transaction_ids.filtered(lambda t: t.type == 'repayment')
        self.assertRecordValues(transaction, [{'channel': 'cash', 'amount': 8884.88, 'principal': 7884.88,
                                               'interest': 1000, 'reference': 'SLIP-1', 'date': FIRST_DUE}])
        lines = {line.account_id: line.balance for line in transaction.move_id.line_ids}
        self.assertEqual(lines[self.gl_cash], 8884.88)
        self.assertAlmostEqual(lines[self.gl_portfolio], -7884.88, places=2)
        self.assertAlmostEqual(lines.get(self.gl_interest, 0) + lines.get(self.gl_interest_receivable, 0), -1000,
                               places=2)
        self.assertEqual(loan.line_ids.sorted('number')[0].state, 'paid')
        self.assertIn("SLIP-1", loan.message_ids[0].body)

    def test_bank_repayment_debits_the_bank_account(self):
        loan = self.disbursed(100000)
        self.receive_repayment(loan, 5000, FIRST_DUE, self.bank_journal, reference='STMT-9')
        transaction = loan.transaction_ids.filtered(lambda t: t.type == 'repayment')
        self.assertEqual(transaction.channel, 'bank')
        debit = transaction.move_id.line_ids.filtered(lambda line: line.balance > 0)
        self.assertRecordValues(debit, [{'account_id': self.bank_journal.default_account_id.id, 'balance': 5000}])

    def test_back_dated_before_disbursement_is_refused(self):
        loan = self.disbursed(100000)
        with self.assertRefused(UserError, "disbursed on 2026-01-31"):
            self.receive_repayment(loan, 5000, date(2026, 1, 30), self.cash_journal)
        self.assertFalse(loan.transaction_ids.filtered(lambda t: t.type == 'repayment'))

    def test_closed_loan_goes_to_savings(self):
        loan = self.disbursed(100000)
        self.receive_repayment(loan, loan._loan_payoff(FIRST_DUE), FIRST_DUE, self.cash_journal)
        self.assertEqual(loan.state, 'closed')
        savings = loan.member_id._sacco_account(self.savings)
        savings.invalidate_recordset(['balance'])
        before = savings.balance
        self.receive_repayment(loan, 700, FIRST_DUE, self.cash_journal, reference='SLIP-2')
        savings.invalidate_recordset(['balance'])
        self.assertEqual(savings.balance, before + 700)
        self.assertEqual(loan.transaction_ids.sorted('id')[-1].overpayment, 700)

    def test_closed_loan_without_savings_is_refused(self):
        loan = self.disbursed(100000)
        self.receive_repayment(loan, loan._loan_payoff(FIRST_DUE), FIRST_DUE, self.cash_journal)
        self.product.overpayment_product_id = False
        with self.assertRefused(UserError, "credits overpayments to no savings account"):
            self.receive_repayment(loan, 700, FIRST_DUE, self.cash_journal)

    def test_disbursed_date_is_the_earliest(self):
        loan = self.disbursed(100000)
        self.receive_repayment(loan, 100, DISBURSED, self.cash_journal)
        self.assertEqual(loan.total_paid, 100)
