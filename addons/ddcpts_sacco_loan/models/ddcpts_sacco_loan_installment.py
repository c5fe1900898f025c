from odoo import api, fields, models


class DdcptsSaccoLoanInstallment(models.Model):
    """One installment of a loan's schedule: what falls due on a date, per component, and what was
    paid, waived or written off of it. Built from ``tools/loan_schedule.py``; penalties are added by
    the daily job."""
    _name = 'ddcpts.sacco.loan.installment'
    _description = "SACCO Loan Installment"
    _order = 'loan_id, number'

    loan_id = fields.Many2one('ddcpts.sacco.loan', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='loan_id.company_id', store=True, index=True)
    currency_id = fields.Many2one(related='loan_id.currency_id')
    number = fields.Integer(required=True)
    date_from = fields.Date("Period Start", required=True, help="Interest of this installment runs from this day.")
    due_date = fields.Date(required=True, index=True)
    scheduled_date = fields.Date(help="Due date of the schedule's rule, before it was moved off a non-working day.")
    principal = fields.Monetary()
    interest = fields.Monetary()
    interest_carried = fields.Monetary(
        help="Interest earned before the period start and owed with this installment: a reschedule carries the "
             "interest accrued on the old terms and not yet due into the first new installment.")
    fee = fields.Monetary()
    penalty = fields.Monetary(help="Charged by the daily job while the installment is overdue.")
    penalty_periods = fields.Integer(help="Penalty periods charged so far (keeps the daily job idempotent).")
    principal_paid = fields.Monetary()
    interest_paid = fields.Monetary()
    fee_paid = fields.Monetary()
    penalty_paid = fields.Monetary()
    interest_waived = fields.Monetary()
    penalty_waived = fields.Monetary()
    principal_written_off = fields.Monetary()
    total_due = fields.Monetary(compute='_compute_totals', store=True)
    total_paid = fields.Monetary(compute='_compute_totals', store=True)
    outstanding = fields.Monetary(compute='_compute_totals', store=True)
    state = fields.Selection([('pending', "Pending"), ('partial', "Partly Paid"), ('paid', "Paid")],
                             compute='_compute_totals', store=True, index=True)
    paid_on = fields.Date(help="Day the installment was paid in full.")

    _sql_constraints = [
        ('number_loan_uniq', 'unique(loan_id, number)', "Each installment of a loan has its own number."),
    ]

    @api.depends('principal', 'interest', 'fee', 'penalty', 'principal_paid', 'interest_paid', 'fee_paid',
                 'penalty_paid', 'interest_waived', 'penalty_waived', 'principal_written_off')
    def _compute_totals(self):
        for line in self:
            line.total_due = line.principal + line.interest + line.fee + line.penalty
            line.total_paid = line.principal_paid + line.interest_paid + line.fee_paid + line.penalty_paid
            line.outstanding = line.currency_id.round(
                line.total_due - line.total_paid - line.interest_waived - line.penalty_waived
                - line.principal_written_off)
            if line.currency_id.is_zero(line.outstanding):
                line.state = 'paid'
            else:
                line.state = 'partial' if line.total_paid else 'pending'

    def _loan_interest_earned(self, on):
        """Interest of this installment earned by ``on``: all of it once due; during its period, what a
        reschedule carried over plus the rest pro rata of the days elapsed (the daily job's accrual)."""
        self.ensure_one()
        if on >= self.due_date:
            return self.interest
        if on < self.date_from:
            return 0.0
        elapsed = (on - self.date_from).days / (self.due_date - self.date_from).days
        return self.currency_id.round(self.interest_carried + (self.interest - self.interest_carried) * elapsed)

    def _loan_due(self, component):
        """What is still owed of ``component`` (principal, interest, penalty, fee) on this installment."""
        self.ensure_one()
        waived = {'interest': self.interest_waived, 'penalty': self.penalty_waived,
                  'principal': self.principal_written_off}.get(component, 0.0)
        return self.currency_id.round(self[component] - self[f'{component}_paid'] - waived)
