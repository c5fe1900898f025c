import base64
from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LoanCase

FIRST_DUE = date(2026, 2, 28)
REMITTED = date(2026, 3, 2)


@tagged('post_install', '-at_install')
class TestLoanCheckoff(LoanCase):
    """Check-off rows repay loans through the loan's allocation (the one of mobile money and cash)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employer = cls.env['res.partner'].create({'name': "Teachers Service Commission", 'is_company': True})
        cls.borrower.write({'employer_id': cls.employer.id, 'staff_number': 'TSC100'})
        cls.saver = cls.active_member(employer_id=cls.employer.id, staff_number='TSC200')

    def checkoff(self, content, on=REMITTED):
        batch = self.env['ddcpts.sacco.checkoff'].create({
            'employer_id': self.employer.id, 'date': on, 'filename': 'march.csv',
            'file': base64.b64encode(content.encode())})
        batch.action_preview()
        return batch

    def balance(self, member, product):
        account = member._sacco_account(product)
        account.invalidate_recordset(['balance'])
        return account.balance

    def test_rows_pay_the_loan_due_and_the_deposits(self):
        loan = self.disbursed(100000)
        self.Loan._cron_loan_daily(date(2026, 3, 1))  # installment 1 (8 884.88) overdue: penalty 5 % = 444.24
        first = loan.line_ids.sorted('number')[0]
        self.assertEqual(first.penalty, 444.24)
        deposits_before = self.balance(self.borrower, self.deposits)
        batch = self.checkoff("staff_number,amount,product\n"
                              "TSC100,12000,\n"      # loan due first (9 329.12), deposits 2 000, the rest 670.88
                              "TSC200,3000,\n")     # no loan: deposits obligation 2 000 + default product 1 000
        self.assertFalse(batch.unmatched_count)
        batch.action_post()
        self.assertEqual(batch.state, 'posted')

        transaction = loan.transaction_ids.filtered(lambda tx: tx.type == 'repayment')
        self.assertRecordValues(transaction, [{
            'channel': 'checkoff', 'date': REMITTED, 'reference': batch.name, 'amount': 9329.12,
            'penalty': 444.24, 'interest': 1000, 'principal': 7884.88, 'fee': 0, 'overpayment': 0}])
        self.assertRecordValues(first, [{'state': 'paid', 'paid_on': REMITTED, 'outstanding': 0}])
        self.assertEqual(transaction.allocation_ids.installment_id, first, "nothing paid ahead")
        self.assertEqual(loan.line_ids.sorted('number')[1].total_paid, 0)
        self.assertEqual(loan.principal_outstanding, 92115.12)
        self.assertAlmostEqual(self.balance(self.borrower, self.deposits) - deposits_before, 2670.88, places=2)
        self.assertEqual(self.balance(self.saver, self.deposits), 3000)

        # the remittance entry: the employer owes 15 000; the borrower's receivable takes the loan's part
        remittance = batch.move_ids
        receivable = self.borrower.partner_id.property_account_receivable_id
        employer_line = remittance.line_ids.filtered(lambda line: line.partner_id == self.employer)
        self.assertEqual(employer_line.balance, 15000)
        loan_credit = remittance.line_ids.filtered(
            lambda line: line.account_id == receivable and line.partner_id == self.borrower.partner_id)
        self.assertEqual(loan_credit.balance, -9329.12)
        self.assertTrue(loan_credit.reconciled, "cleared by the repayment entry")
        # the repayment entry splits the components like a mobile or cash repayment
        lines = {}
        for line in transaction.move_id.line_ids:
            lines[line.account_id] = lines.get(line.account_id, 0) + line.balance
        self.assertAlmostEqual(lines[receivable], 9329.12, places=2)
        self.assertAlmostEqual(lines[self.gl_portfolio], -7884.88, places=2)
        self.assertAlmostEqual(lines.get(self.gl_interest, 0) + lines.get(self.gl_interest_receivable, 0), -1000,
                               places=2)
        self.assertAlmostEqual(lines[self.gl_penalty_receivable], -444.24, places=2)

    def test_row_naming_a_loan_and_a_closed_loan(self):
        closed = self.disbursed(5000)
        self.repay(closed, closed._loan_payoff(FIRST_DUE), FIRST_DUE)
        self.assertEqual(closed.state, 'closed')
        loan = self.disbursed(100000)
        savings_before = self.balance(self.borrower, self.savings)
        batch = self.checkoff("staff_number,amount,product\n"
                              f"TSC100,1000,{loan.name.lower()}\n"   # interest of installment 1 first
                              f"TSC100,750,{closed.name}\n"          # closed: all of it to savings
                              "TSC100,9000,\n")                      # the rest of installment 1, then deposits
        self.assertFalse(batch.unmatched_count)
        batch.action_post()
        repayments = loan.transaction_ids.filtered(lambda tx: tx.type == 'repayment').sorted('id')
        self.assertRecordValues(repayments, [
            {'channel': 'checkoff', 'amount': 1000, 'interest': 1000, 'principal': 0},
            {'channel': 'checkoff', 'amount': 7884.88, 'interest': 0, 'principal': 7884.88},
        ])
        self.assertEqual(loan.line_ids.sorted('number')[0].state, 'paid')
        self.assertEqual(loan.line_ids.sorted('number')[1].total_paid, 0, "nothing paid ahead")
        overpaid = closed.transaction_ids.filtered(lambda tx: tx.channel == 'checkoff')
        self.assertRecordValues(overpaid, [{'amount': 750, 'overpayment': 750, 'principal': 0}])
        self.assertAlmostEqual(self.balance(self.borrower, self.savings) - savings_before, 750, places=2)
        receivable = self.borrower.partner_id.property_account_receivable_id
        self.assertTrue(all(batch.move_ids.line_ids.filtered(
            lambda line: line.account_id == receivable and line.partner_id == self.borrower.partner_id)
            .mapped('reconciled')))

    def test_closed_loan_without_savings_and_foreign_loan_stay_unbooked(self):
        closed = self.disbursed(5000)
        self.repay(closed, closed._loan_payoff(FIRST_DUE), FIRST_DUE)
        self.product.overpayment_product_id = False
        other = self.disbursed(5000, member=self.member_with_deposits(20000))
        batch = self.checkoff("staff_number,amount,product\n"
                              f"TSC100,750,{closed.name}\n"
                              f"TSC100,500,{other.name}\n"
                              "TSC200,100,LN999999\n")
        self.assertEqual(batch.unmatched_count, 3)
        self.assertEqual(batch.line_ids.mapped('problem'), [
            f"{closed.name} is repaid and its product credits overpayments to no savings account: the row stays "
            "unbooked, to refund to the employer",
            f"{other.name} is no loan of this member", "LN999999 is no loan of this member"])
        with self.assertRaisesRegex(UserError, "No matched row"):
            batch.action_post()
        # a clerk choosing the member anyway is stopped before anything is booked
        batch.line_ids[0].member_id = self.borrower
        with self.assertRefused(UserError, rf"Row 2 pays 750\.00.KSh more than {closed.name} owes"):
            batch.action_post()
        self.assertFalse(batch.move_ids)
        self.assertFalse(closed.transaction_ids.filtered(lambda tx: tx.channel == 'checkoff'))
