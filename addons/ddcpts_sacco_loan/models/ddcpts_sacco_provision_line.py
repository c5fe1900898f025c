from odoo import fields, models

# ageing of the portfolio by days in arrears (the columns of the SASRA risk classification return)
AGING_BUCKETS = [
    ('current', "Current"),
    ('1_30', "1-30 days"),
    ('31_60', "31-60 days"),
    ('61_90', "61-90 days"),
    ('91_180', "91-180 days"),
    ('181_360', "181-360 days"),
    ('over_360', "Over 360 days"),
]
AGING_LIMITS = [(0, 'current'), (30, '1_30'), (60, '31_60'), (90, '61_90'), (180, '91_180'), (360, '181_360')]


def aging_bucket(days):
    """The ageing bucket of ``days`` in arrears."""
    for limit, bucket in AGING_LIMITS:
        if days <= limit:
            return bucket
    return 'over_360'


class DdcptsSaccoProvisionLine(models.Model):
    """One loan as a provisioning run classified it: the snapshot the portfolio views and the risk
    report read (so a month's report never changes when loans are repaid afterwards)."""
    _name = 'ddcpts.sacco.provision.line'
    _description = "SACCO Loan Classification"
    _order = 'run_id, days_in_arrears desc, id'

    run_id = fields.Many2one('ddcpts.sacco.provision.run', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='run_id.company_id', store=True, index=True)
    currency_id = fields.Many2one(related='run_id.currency_id')
    date = fields.Date(related='run_id.date', store=True, string="Classified On")
    loan_id = fields.Many2one('ddcpts.sacco.loan', required=True, ondelete='cascade', index=True)
    member_id = fields.Many2one('ddcpts.sacco.member', "Borrower", required=True, index=True)
    product_id = fields.Many2one('ddcpts.sacco.loan.product', "Loan Product", required=True, index=True)
    band_id = fields.Many2one('ddcpts.sacco.loan.risk.band', "Risk Class", required=True, index=True)
    days_in_arrears = fields.Integer(aggregator='max')
    aging = fields.Selection(AGING_BUCKETS, "Ageing", required=True)
    principal_outstanding = fields.Monetary("Outstanding Principal")
    provision_percent = fields.Float("Provision (%)", digits=(5, 2), aggregator=None)
    provision_amount = fields.Monetary("Required Provision")
