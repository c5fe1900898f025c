from datetime import date

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common import LoanCase

FIRST_DUE = date(2026, 2, 28)
RESCHEDULED_ON = date(2026, 3, 10)


@tagged('post_install', '-at_install')
class TestLoanReschedule(LoanCase):

    def request(self, loan, installments, first_due_date=None, user=None, on=RESCHEDULED_ON):
        """An officer fills in "Reschedule" on the loan's form and confirms it."""
        form = Form(self.env['ddcpts.sacco.loan.reschedule'].with_user(user or self.officer).with_context(
            default_loan_id=loan.id))
        form.date = on
        form.installments = installments
        form.first_due_date = first_due_date
        form.reason = "Harvest failed"
        request = form.save()
        request.action_request()
        return request

    def new_lines(self, loan):
        return loan.line_ids.filtered(lambda line: line.state != 'paid').sorted('number')

    def test_outstanding_principal_reamortised_from_the_last_due_date(self):
        loan = self.disbursed(100000)
        self.repay(loan, 8884.88, FIRST_DUE)
        form = Form(self.env['ddcpts.sacco.loan.reschedule'].with_user(self.officer).with_context(
            default_loan_id=loan.id))
        self.assertEqual(form.installments, 11, "proposes the installments left")
        request = self.request(loan, 6)
        self.assertRecordValues(request, [{'state': 'done', 'principal': 92115.12,
                                           'requested_by_id': self.officer.id}])
        # 92 115.12 at 1 % a month over 6 months from Feb 28, on the 31st (clamped): EMI 15 894.31
        rows = [(line.number, line.due_date, line.principal, line.interest) for line in self.new_lines(loan)]
        self.assertEqual(rows, [
            (2, date(2026, 3, 31), 14973.16, 921.15),
            (3, date(2026, 4, 30), 15122.89, 771.42),
            (4, date(2026, 5, 31), 15274.12, 620.19),
            (5, date(2026, 6, 30), 15426.86, 467.45),
            (6, date(2026, 7, 31), 15581.13, 313.18),
            (7, date(2026, 8, 31), 15736.96, 157.37),
        ])
        # interest re-based on the reschedule date: 10 of March's 31 days earned on the old terms (297.15),
        # the 21 others of the same 921.15 on the new ones (921.15 - 921.15 x 10 / 31 = 624.00)
        self.assertRecordValues(self.new_lines(loan)[0], [{'date_from': RESCHEDULED_ON, 'interest_carried': 297.15,
                                                           'interest': 921.15}])
        self.assertEqual(len(loan.line_ids), 7, "the paid installment stays")
        self.assertRecordValues(loan, [{'principal_outstanding': 92115.12, 'interest_outstanding': 3250.76,
                                        'next_due_date': date(2026, 3, 31)}])
        self.assertIn("re-amortised from 2026-02-28 over 6 installments, the first due on 2026-03-31",
                      loan.message_ids[0].body)
        transaction = self.repay(loan, 15894.31, date(2026, 3, 31))
        self.assertRecordValues(transaction, [{'principal': 14973.16, 'interest': 921.15}])

    def test_new_first_due_date_moves_the_repayment_day(self):
        loan = self.disbursed(100000)
        self.repay(loan, 8884.88, FIRST_DUE)
        self.request(loan, 3, first_due_date=date(2026, 4, 15))
        lines = self.new_lines(loan)
        self.assertEqual(lines.mapped('due_date'), [date(2026, 4, 15), date(2026, 5, 15), date(2026, 6, 15)])
        self.assertEqual(lines.mapped('principal'), [30400.03, 30704.03, 31011.06])
        # the engine's 921.15 for 28 February - 15 April is re-based on 10 March: 297.15 earned on the old
        # terms (10/31 of 921.15) + 921.15 x 36/46 = 720.90 on the new ones
        self.assertEqual(lines.mapped('interest'), [1018.05, 617.15, 310.11])
        self.assertEqual(loan.first_due_date, date(2026, 4, 15))

    def test_prepaid_principal_stays_paid(self):
        loan = self.disbursed(100000)
        self.repay(loan, 8884.88 + 30000, FIRST_DUE)  # installment 1 and 30 000 ahead on March's
        prepaid = loan.line_ids.filtered(lambda line: line.principal_paid == 30000)
        self.request(loan, 4)
        self.assertRecordValues(prepaid, [{'due_date': date(2026, 3, 31), 'principal': 30000, 'interest': 0,
                                           'state': 'paid'}])
        self.assertEqual(loan.principal_outstanding, 62115.12)
        self.assertAlmostEqual(sum(loan.line_ids.mapped('principal')), 100000, places=2)
        self.assertEqual(self.new_lines(loan).mapped('due_date'), [date(2026, 3, 31), date(2026, 4, 30),
                                                                   date(2026, 5, 31), date(2026, 6, 30)])

    def test_arrears_stay_due(self):
        loan = self.disbursed(100000)
        self.request(loan, 4, on=date(2026, 4, 5))  # February's and March's installments are overdue
        past = loan.line_ids.filtered(lambda line: line.due_date <= date(2026, 4, 5)).sorted('number')
        self.assertEqual([(line.principal, line.state) for line in past], [(7884.88, 'pending'), (7963.73, 'pending')],
                         "arrears are not capitalised")
        new = self.new_lines(loan) - past
        self.assertEqual(new.mapped('due_date'), [date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 30),
                                                  date(2026, 7, 31)])
        # April's 841.51 (1 % of 84 151.39) unchanged: 5/30 earned before the reschedule are carried
        self.assertRecordValues(new[0], [{'date_from': date(2026, 4, 5), 'interest_carried': 140.25,
                                          'interest': 841.51}])
        self.assertAlmostEqual(sum(new.mapped('principal')), 84151.39, places=2)
        self.assertEqual(loan.principal_outstanding, 100000)

    def test_maker_checker_when_the_product_needs_an_approval_level(self):
        self.product.approval_level_ids = [(0, 0, {'amount_from': 50000,
                                                   'group_id': self.env.ref('ddcpts_sacco.group_sacco_manager').id})]
        loan = self.disbursed(100000)
        self.repay(loan, 8884.88, FIRST_DUE)
        before = loan.line_ids.mapped('due_date')
        request = self.request(loan, 6)
        self.assertEqual(request.state, 'to_approve')
        self.assertEqual(loan.line_ids.mapped('due_date'), before, "nothing changes before the approval")
        with self.assertRefused(UserError, "requested this reschedule: another person must approve it"):
            request.with_user(self.officer).action_approve()
        other = new_test_user(self.env, 'other_officer', groups='ddcpts_sacco.group_sacco_officer',
                              company_id=self.company.id, company_ids=[self.company.id])
        with self.assertRefused(UserError, "must be approved by"):
            request.with_user(other).action_approve()
        request.with_user(self.manager).action_approve()
        self.assertRecordValues(request, [{'state': 'done', 'approved_by_id': self.manager.id}])
        self.assertEqual(len(self.new_lines(loan)), 6)

    def test_refusals(self):
        loan = self.disbursed(100000)
        with self.assertRefused(UserError, "must fall due after 2026-03-10"):
            self.request(loan, 6, first_due_date=date(2026, 3, 1))
        self.repay(loan, loan._loan_payoff(FIRST_DUE), FIRST_DUE)
        self.assertEqual(loan.state, 'closed')
        with self.assertRefused(UserError, "is closed: cannot reschedule the loan"):
            self.request(loan, 6)

    def test_interest_accrued_before_the_reschedule_is_carried(self):
        """Figures by hand (accrual accounting, 1 % a month):

        - installment 1 paid on 28 February; the daily job on 10 March has accrued February's 1 000.00 and
          10 of March's 31 days of 921.15: 921.15 x 10 / 31 = 297.145 -> 297.15; interest_accrued 1 297.15;
        - reschedule on 10 March: 92 115.12 over 3 installments from 28 February, the first due on 15 April.
          The engine's first installment is 30 400.03 principal + 921.15 interest for the period
          28 February - 15 April (46 days); 10 of those days are before the reschedule: 921.15 x 10 / 46 =
          200.25, so the new terms owe 921.15 - 200.25 = 720.90 for the 36 days left;
        - first new installment: interest 297.15 (old terms, carried) + 720.90 = 1 018.05, period from
          10 March; without the carry the job would have taken 297.15 - 200.25 = 96.90 back out of income;
        - 28 March, 18 of the 36 days: accrued 297.15 + 720.90 x 18 / 36 = 297.15 + 360.45 = 657.60, so
          1 657.60 in all, 360.45 more; the payoff is 92 115.12 + 657.60 = 92 772.72;
        - 15 April: all 1 018.05 accrued (2 018.05 in all); paying 30 400.03 + 1 018.05 = 31 418.08 clears
          the interest receivable, nothing is income twice.
        """
        loan = self.disbursed(100000)
        self.repay(loan, 8884.88, FIRST_DUE)
        self.Loan._cron_loan_daily(RESCHEDULED_ON)
        self.assertEqual(loan.interest_accrued, 1297.15)
        accruals = self.env['account.move'].search([('ref', 'like', 'Interest accrual')])
        self.request(loan, 3, first_due_date=date(2026, 4, 15))
        first = self.new_lines(loan)[0]
        self.assertRecordValues(first, [{'due_date': date(2026, 4, 15), 'date_from': RESCHEDULED_ON,
                                         'principal': 30400.03, 'interest_carried': 297.15, 'interest': 1018.05}])
        loan._loan_daily_job(RESCHEDULED_ON)  # the job of the day again, over the new schedule
        self.assertEqual(loan.interest_accrued, 1297.15, "nothing lost, nothing accrued twice")
        self.assertEqual(self.env['account.move'].search([('ref', 'like', 'Interest accrual')]), accruals)

        self.Loan._cron_loan_daily(date(2026, 3, 28))
        self.assertEqual(loan.interest_accrued, 1657.60)
        latest = self.env['account.move'].search([('ref', 'like', 'Interest accrual')]) - accruals
        self.assertEqual(sorted(latest.line_ids.mapped('balance')), [-360.45, 360.45])
        self.assertEqual(loan._loan_payoff(date(2026, 3, 28)), 92772.72)

        self.Loan._cron_loan_daily(date(2026, 4, 15))
        self.assertEqual(loan.interest_accrued, 2018.05)
        transaction = self.repay(loan, 31418.08, date(2026, 4, 15))
        self.assertRecordValues(transaction, [{'principal': 30400.03, 'interest': 1018.05}])
        lines = {line.account_id: line.balance for line in transaction.move_id.line_ids}
        self.assertAlmostEqual(lines[self.gl_interest_receivable], -1018.05, places=2)
        self.assertNotIn(self.gl_interest, lines, "accrued already: not income a second time")
        receivable = self.env['account.move.line'].search([('account_id', '=', self.gl_interest_receivable.id)])
        self.assertAlmostEqual(sum(receivable.mapped('balance')), 0, places=2)
