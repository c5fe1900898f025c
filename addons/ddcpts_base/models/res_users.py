from odoo import fields, models


class ResUsers(models.Model):
    _inherit = 'res.users'

    ddcpts_payout_currency_id = fields.Many2one(related='company_id.currency_id', string="Payout Limit Currency")
    ddcpts_payout_limit = fields.Monetary(
        "Payout Approval Limit", currency_field='ddcpts_payout_currency_id',
        help="Largest single payout this user may approve (company currency). 0: cannot approve payouts.",
    )
    ddcpts_payout_daily_limit = fields.Monetary(
        "Daily Payout Approval Limit", currency_field='ddcpts_payout_currency_id',
        help="Total of the payouts this user may approve per day (company currency). 0: no daily limit.",
    )
