from datetime import date

from odoo.tests import tagged

from .common import LoanCase


@tagged('post_install', '-at_install')
class TestLoanDailyJob(LoanCase):

    def snapshot(self, loans):
        """Everything the job writes, read from the database."""
        self.env.flush_all()
        self.env.cr.execute("""
            SELECT loan.id, loan.job_date, loan.days_in_arrears, loan.overdue_since, loan.arrears_amount,
                   loan.interest_accrued, loan.penalty_accrued, loan.penalty_outstanding, loan.total_outstanding,
                   array_agg((line.penalty, line.penalty_periods, line.outstanding) ORDER BY line.number)
              FROM ddcpts_sacco_loan loan JOIN ddcpts_sacco_loan_installment line ON line.loan_id = loan.id
             WHERE loan.id IN %s GROUP BY loan.id ORDER BY loan.id
        """, [tuple(loans.ids)])
        rows = self.env.cr.fetchall()
        self.env.cr.execute("SELECT COUNT(*) FROM account_move WHERE journal_id = %s", [self.loan_journal.id])
        return rows, self.env.cr.fetchone()[0]

    def test_arrears_penalties_and_accrual(self):
        endpoint = self.env['ddcpts.webhook.endpoint'].create({
            'name': "Collections", 'url': 'https://example.com/overdue',
            'event_ids': [(6, 0, self.env.ref('ddcpts_sacco_loan.webhook_event_loan_overdue').ids)]})
        loan = self.disbursed(100000)
        # mid-period: half of February's interest is earned, nothing is late
        self.Loan._cron_loan_daily(date(2026, 2, 14))
        self.assertRecordValues(loan, [{'job_date': date(2026, 2, 14), 'days_in_arrears': 0, 'interest_accrued': 500}])
        accrual = self.env['account.move'].search([('journal_id', '=', self.loan_journal.id),
                                                   ('ref', 'like', 'Interest accrual')])
        self.assertEqual(sorted(accrual.line_ids.mapped('balance')), [-500, 500])
        self.assertEqual(accrual.line_ids.filtered(lambda line: line.balance > 0).account_id,
                         self.gl_interest_receivable)
        # ten days after the first due date, unpaid: one penalty of 5 % of 8 884.88
        self.Loan._cron_loan_daily(date(2026, 3, 10))
        self.assertRecordValues(loan, [{'days_in_arrears': 10, 'overdue_since': date(2026, 2, 28),
                                        'arrears_amount': 8884.88 + 444.24, 'penalty_outstanding': 444.24}])
        self.assertEqual(loan.line_ids[0].penalty, 444.24)
        self.assertEqual(loan.interest_accrued, 1000 + 297.15)  # all of February, 10/31 of 921.15
        self.assertEqual(self.env['ddcpts.webhook.delivery'].search_count(
            [('endpoint_id', '=', endpoint.id), ('event', '=', 'loan.overdue')]), 1)
        # a second period overdue: a second penalty
        self.Loan._cron_loan_daily(date(2026, 4, 2))
        self.assertEqual(loan.line_ids[0].penalty, 888.48)
        self.assertEqual(loan.days_in_arrears, 33)
        self.assertEqual(self.env['ddcpts.webhook.delivery'].search_count(
            [('endpoint_id', '=', endpoint.id), ('event', '=', 'loan.overdue')]), 1, "told once")

    def test_second_run_the_same_day_changes_nothing(self):
        loans = self.disbursed(100000) | self.disbursed(50000, member=self.member_with_deposits(30000))
        day = date(2026, 4, 15)
        self.assertGreaterEqual(self.Loan._cron_loan_daily(day), 2)
        before = self.snapshot(loans)
        self.assertEqual(self.Loan._cron_loan_daily(day), 0, "nothing left to do")
        self.assertEqual(self.snapshot(loans), before)
        # even when forced over the same loans, the job is idempotent for its date
        loans._loan_daily_job(day)
        self.assertEqual(self.snapshot(loans), before)

    def test_repayment_settles_accrued_interest(self):
        loan = self.disbursed(100000)
        self.Loan._cron_loan_daily(date(2026, 2, 14))
        transaction = self.repay(loan, 8884.88, date(2026, 2, 28))
        lines = {line.account_id: line.balance for line in transaction.move_id.line_ids}
        self.assertAlmostEqual(lines[self.gl_interest_receivable], -500, places=2, msg="what was accrued")
        self.assertAlmostEqual(lines[self.gl_interest], -500, places=2, msg="the rest is income at once")
        before = self.env['account.move'].search_count([('ref', 'like', 'Interest accrual')])
        self.Loan._cron_loan_daily(date(2026, 2, 28))
        self.assertEqual(self.env['account.move'].search_count([('ref', 'like', 'Interest accrual')]), before,
                         "the interest paid was not accrued a second time")
        self.assertEqual(loan.days_in_arrears, 0)

    def penalty_entries(self):
        return self.env['account.move'].search([('journal_id', '=', self.loan_journal.id),
                                                ('ref', 'like', 'Penalties charged')])

    def balances(self, move):
        totals = {}
        for line in move.line_ids:
            totals[line.account_id] = round(totals.get(line.account_id, 0) + line.balance, 2)
        return totals

    def test_accrual_books_penalties_when_charged(self):
        loan = self.disbursed(100000)
        self.Loan._cron_loan_daily(date(2026, 3, 1))  # installment 1 (8 884.88) overdue: 5 % = 444.24
        entry = self.penalty_entries()
        self.assertEqual(self.balances(entry), {self.gl_penalty_receivable: 444.24, self.gl_penalties: -444.24})
        self.assertEqual(entry.date, date(2026, 3, 1))
        self.assertEqual(loan.penalty_accrued, 444.24)
        # forced over the same loan the same day: nothing charged, nothing booked
        loan._loan_daily_job(date(2026, 3, 1))
        self.assertEqual(self.penalty_entries(), entry)
        self.assertEqual(loan.line_ids[0].penalty, 444.24)
        # the repayment clears the receivable; no penalty income a second time
        transaction = self.repay(loan, 8884.88 + 444.24, date(2026, 3, 1))
        self.assertEqual(transaction.penalty, 444.24)
        lines = self.balances(transaction.move_id)
        self.assertEqual(lines[self.gl_penalty_receivable], -444.24)
        self.assertNotIn(self.gl_penalties, lines)
        receivable = self.env['account.move.line'].search([('account_id', '=', self.gl_penalty_receivable.id)])
        self.assertAlmostEqual(sum(receivable.mapped('balance')), 0, places=2)

    def test_accrual_penalty_waived_leaves_income(self):
        loan = self.disbursed(100000)
        self.Loan._cron_loan_daily(date(2026, 3, 1))
        waiver_date = date(2026, 3, 2)
        loan._loan_waive('penalty', waiver_date)
        waiver = loan.transaction_ids.filtered(lambda tx: tx.type == 'waiver')
        self.assertEqual(self.balances(waiver.move_id), {self.gl_penalties: 444.24,
                                                         self.gl_penalty_receivable: -444.24})
        self.assertEqual(loan.penalty_accrued, 0)

    def test_cash_basis_books_penalties_when_paid(self):
        self.product.accrual_accounting = False
        loan = self.disbursed(100000)
        self.Loan._cron_loan_daily(date(2026, 3, 1))
        self.assertEqual(loan.line_ids[0].penalty, 444.24)
        self.assertFalse(self.penalty_entries(), "a cash-basis product books nothing when charging")
        self.assertEqual(loan.penalty_accrued, 0)
        transaction = self.repay(loan, 8884.88 + 444.24, date(2026, 3, 1))
        lines = self.balances(transaction.move_id)
        self.assertEqual(lines[self.gl_penalties], -444.24)
        self.assertNotIn(self.gl_penalty_receivable, lines)
        self.assertEqual(lines[self.gl_interest], -1000)

    def test_monthly_penalty_periods_are_calendar_months(self):
        """Installment 1 of a loan disbursed on 31 December falls due on 31 January, its penalty periods begin
        on 1 February, 1 March (a month after 31 January is 28 February) and 1 April; installment 2, due on
        28 February, on 1 March and 29 March. Each period charges 5 % of the 8 884.88 overdue = 444.24."""
        loan = self.disbursed(100000, on=date(2025, 12, 31))
        first, second = loan.line_ids.sorted('number')[:2]
        self.assertEqual((first.due_date, second.due_date), (date(2026, 1, 31), date(2026, 2, 28)))
        for day, first_penalty, second_penalty in (
                (date(2026, 2, 1), 444.24, 0),
                (date(2026, 2, 28), 444.24, 0),       # 30-day periods would give the same
                (date(2026, 3, 1), 888.48, 444.24),   # 30-day periods: still one period (29 days late)
                (date(2026, 3, 28), 888.48, 444.24),
                (date(2026, 3, 29), 888.48, 888.48),
                (date(2026, 3, 31), 888.48, 888.48),
                (date(2026, 4, 1), 1332.72, 888.48),
        ):
            self.Loan._cron_loan_daily(day)
            self.assertEqual((first.penalty, second.penalty), (first_penalty, second_penalty), day)

    def test_monthly_penalty_period_in_a_leap_year(self):
        """Due on 31 January 2028: 29 February is still the first period, 1 March begins the second."""
        loan = self.disbursed(100000, on=date(2027, 12, 31), member=self.member_with_deposits(40000))
        first = loan.line_ids.sorted('number')[0]
        self.assertEqual(first.due_date, date(2028, 1, 31))
        self.Loan._cron_loan_daily(date(2028, 2, 29))
        self.assertEqual(first.penalty, 444.24)
        self.Loan._cron_loan_daily(date(2028, 3, 1))
        self.assertEqual(first.penalty, 888.48)
