from odoo import _, api, fields, models
from odoo.exceptions import UserError

# SASRA's commonly cited classification of loans by days in arrears, and the provision each class needs
DEFAULT_BANDS = [
    # (code, name, from days in arrears, provision %): a class runs up to the day before the next one
    ('performing', "Performing", 0, 1.0),
    ('watch', "Watch", 1, 5.0),
    ('substandard', "Substandard", 31, 25.0),
    ('doubtful', "Doubtful", 181, 50.0),
    ('loss', "Loss", 361, 100.0),
]


class DdcptsSaccoLoanRiskBand(models.Model):
    """A risk class of loans by days in arrears, with the share of their outstanding principal to provide
    for (docs/sacco-loans.md, "Risk"). A class is set by its first day in arrears and runs up to the day
    before the next class of the company, so a company's classes never leave a gap nor overlap.
    """
    _name = 'ddcpts.sacco.loan.risk.band'
    _description = "SACCO Loan Risk Class"
    _order = 'company_id, days_from'

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short name in reports and exports (performing, watch...).")
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company, index=True)
    days_from = fields.Integer("From (Days in Arrears)", required=True)
    days_to = fields.Integer("To (Days in Arrears)", compute='_compute_days_to',
                             help="The day before the next class; empty for the last class (no upper limit).")
    days_label = fields.Char("Days in Arrears", compute='_compute_days_to')
    provision_percent = fields.Float("Provision (%)", digits=(5, 2), required=True,
                                     help="Share of the outstanding principal of these loans to provide for.")

    _sql_constraints = [
        ('code_company_uniq', 'unique(code, company_id)', "Each risk class needs its own code."),
        ('days_from_company_uniq', 'unique(days_from, company_id)', "Two risk classes cannot start on the same day."),
        ('days_from_positive', 'CHECK(days_from >= 0)', "Days in arrears cannot be negative."),
        ('provision_range', 'CHECK(provision_percent >= 0 AND provision_percent <= 100)',
         "A provision is between 0 and 100 %."),
    ]

    @api.depends('days_from', 'company_id')
    def _compute_days_to(self):
        starts = {}
        for company in self.company_id:
            starts[company] = sorted(self.search([('company_id', '=', company.id)]).mapped('days_from'))
        for band in self:
            following = [days for days in starts.get(band.company_id, []) if days > band.days_from]
            band.days_to = following[0] - 1 if following else 0
            band.days_label = f"{band.days_from}-{band.days_to}" if following else f"{band.days_from}+"

    @api.model
    def _risk_bands(self, company):
        """The company's classes, created from the defaults the first time a company classifies its loans."""
        bands = self.sudo().search([('company_id', '=', company.id)])
        if not bands:
            bands = self.sudo().create([
                {'code': code, 'name': name, 'days_from': days_from, 'provision_percent': percent,
                 'company_id': company.id}
                for code, name, days_from, percent in DEFAULT_BANDS])
        if bands[:1].days_from != 0:
            raise UserError(_("The first risk class of %s must start at 0 days in arrears (performing loans).",
                              company.name))
        return bands

    def _risk_band_for(self, days):
        """The class of ``self`` (a company's classes, in order) holding ``days`` in arrears."""
        band = self[:1]
        for candidate in self:
            if candidate.days_from <= days:
                band = candidate
        return band
