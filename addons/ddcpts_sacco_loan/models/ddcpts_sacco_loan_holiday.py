from datetime import timedelta

from odoo import api, fields, models

# non-working weekdays (date.weekday(): Monday is 0) of each "move due dates off" rule of a loan product
NON_WORKING_WEEKDAYS = {'holidays': (), 'sunday': (6,), 'weekend': (5, 6)}


class DdcptsSaccoLoanHoliday(models.Model):
    """A public holiday of the SACCO (Fineract's "holidays"): products that keep due dates on working
    days move an installment falling on it to the next working day."""
    _name = 'ddcpts.sacco.loan.holiday'
    _description = "SACCO Holiday"
    _order = 'date'

    name = fields.Char(required=True, translate=True)
    date = fields.Date(required=True)
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company)

    _sql_constraints = [
        ('date_company_uniq', 'unique(date, company_id)', "This day is a holiday already."),
    ]

    @api.model
    def _loan_next_working_days(self, company, days, rule):
        """{day: the day itself, or the next day that is neither a non-working weekday of ``rule`` nor a
        holiday of ``company``} for ``days``, with one query."""
        if not rule or not days:
            return {day: day for day in days}
        weekend = NON_WORKING_WEEKDAYS[rule]
        holidays = set(self.sudo().search([
            ('company_id', '=', company.id), ('date', '>=', min(days)),
            ('date', '<=', max(days) + timedelta(days=31))]).mapped('date'))
        moved = {}
        for day in days:
            working = day
            while working.weekday() in weekend or working in holidays:
                working += timedelta(days=1)
            moved[day] = working
        return moved
