from datetime import date

from odoo.tests import tagged

from .common import VECTORS, LoanCase


@tagged('post_install', '-at_install')
class TestLoanWorkingDays(LoanCase):
    """Due dates moved off weekends and the SACCO's holidays (Fineract's "working days and holidays")."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['ddcpts.sacco.loan.holiday'].create({'name': "Test Holiday", 'date': '2026-03-31'})
        cls.product.working_day_rule = 'weekend'

    def lines(self, loan):
        return loan.line_ids.sorted('number')

    def test_due_dates_move_to_the_next_working_day_and_amounts_stay(self):
        loan = self.disbursed(100000)
        lines = self.lines(loan)
        self.assertEqual(lines.mapped('due_date'), [
            date(2026, 3, 2),    # Saturday 28 February
            date(2026, 4, 1),    # Tuesday 31 March, a holiday
            date(2026, 4, 30), date(2026, 6, 1),   # Sunday 31 May
            date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31), date(2026, 9, 30),
            date(2026, 11, 2),   # Saturday 31 October
            date(2026, 11, 30), date(2026, 12, 31), date(2027, 2, 1),   # Sunday 31 January
        ])
        self.assertEqual(lines[:2].mapped('scheduled_date'), [date(2026, 2, 28), date(2026, 3, 31)])
        self.assertEqual(lines[1].date_from, date(2026, 3, 2), "the next period runs from the moved due date")
        rows = [(line.principal, line.interest) for line in lines]
        for number, row in VECTORS['declining_emi'].items():
            self.assertEqual(rows[number - 1], row, f"installment {number}")

    def test_the_three_vectors_stay_to_the_cent(self):
        loans = self.assert_vectors()
        self.assertTrue(all(line.due_date.weekday() < 5 for line in loans.line_ids))

    def test_rules(self):
        for rule, first, second, fourth in (
                ('holidays', date(2026, 2, 28), date(2026, 4, 1), date(2026, 5, 31)),
                ('sunday', date(2026, 2, 28), date(2026, 4, 1), date(2026, 6, 1)),
                (False, date(2026, 2, 28), date(2026, 3, 31), date(2026, 5, 31)),
        ):
            with self.subTest(rule=rule):
                self.product.working_day_rule = rule
                loan = self.disbursed(100000, member=self.member_with_deposits(40000))
                self.assertEqual(self.lines(loan)[:4].mapped('due_date'),
                                 [first, second, date(2026, 4, 30), fourth])

    def test_not_late_before_the_moved_due_date(self):
        loan = self.disbursed(100000)
        self.Loan._cron_loan_daily(date(2026, 3, 2))
        self.assertRecordValues(loan, [{'days_in_arrears': 0, 'penalty_outstanding': 0}])
        self.Loan._cron_loan_daily(date(2026, 3, 3))
        self.assertRecordValues(loan, [{'days_in_arrears': 1, 'overdue_since': date(2026, 3, 2),
                                        'penalty_outstanding': 444.24}])

    def test_early_repayment_and_reschedule_keep_working_days(self):
        loan = self.disbursed(100000)
        self.repay(loan, 8884.88 + 30000, date(2026, 3, 2))
        unpaid = self.lines(loan).filtered(lambda line: line.state != 'paid')
        self.assertEqual(unpaid[:3].mapped('due_date'), [date(2026, 4, 1), date(2026, 4, 30), date(2026, 6, 1)])
        self.assertAlmostEqual(sum(loan.line_ids.mapped('principal')), 100000, places=2)
        self.assertTrue(all(line.due_date.weekday() < 5 for line in loan.line_ids))

        loan._loan_reschedule(6, date(2026, 3, 10))
        new = self.lines(loan).filtered(lambda line: line.state != 'paid' and not line.principal_paid)
        # the engine re-amortises from 28 February (the schedule's date, not the 2 March it moved to)
        self.assertEqual(new.mapped('scheduled_date'), [date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31),
                                                        date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31)])
        self.assertEqual(new.mapped('due_date'), [date(2026, 4, 1), date(2026, 4, 30), date(2026, 6, 1),
                                                  date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31)])
