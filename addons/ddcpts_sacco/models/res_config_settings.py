from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    sacco_journal_id = fields.Many2one(related='company_id.sacco_journal_id', readonly=False)
    sacco_registration_fee = fields.Monetary(related='company_id.sacco_registration_fee', readonly=False)
    sacco_fee_account_id = fields.Many2one(related='company_id.sacco_fee_account_id', readonly=False)
    sacco_reference_pattern = fields.Char(related='company_id.sacco_reference_pattern', readonly=False)
    sacco_default_product_id = fields.Many2one(related='company_id.sacco_default_product_id', readonly=False)
    sacco_exit_notice_days = fields.Integer(related='company_id.sacco_exit_notice_days', readonly=False)
