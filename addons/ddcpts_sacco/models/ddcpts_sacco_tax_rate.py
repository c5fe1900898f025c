from odoo import fields, models


class DdcptsSaccoTaxRate(models.Model):
    """Withholding tax on interest and dividends, by date: rates change with each Finance Act, and a year-end
    run uses the rate in force on the last day of its period."""
    _name = 'ddcpts.sacco.tax.rate'
    _description = "SACCO Withholding Tax Rate"
    _order = 'kind, date_from desc'

    kind = fields.Selection([('interest', "Interest"), ('dividend', "Dividends")], required=True)
    date_from = fields.Date("Valid From", required=True)
    rate = fields.Float("Rate (%)", digits=(5, 2), required=True)
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company)

    _sql_constraints = [
        ('kind_date_company_uniq', 'unique(kind, date_from, company_id)', "One rate per kind and date."),
        ('rate_range', 'CHECK(rate >= 0 AND rate <= 100)', "A withholding tax rate lies between 0 and 100 %."),
    ]

    def _sacco_rate(self, kind, date, company):
        """The rate in force on ``date`` (0 when none is recorded)."""
        rate = self.search([('kind', '=', kind), ('date_from', '<=', date), ('company_id', '=', company.id)],
                           order='date_from desc', limit=1)
        return rate.rate
