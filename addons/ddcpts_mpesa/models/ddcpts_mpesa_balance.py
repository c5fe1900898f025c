from odoo import fields, models


class DdcptsMpesaBalance(models.Model):
    """One account of the organisation as M-Pesa last reported it (Account Balance API)."""
    _name = 'ddcpts.mpesa.balance'
    _description = "M-Pesa account balance"
    _order = 'provider_id, id'

    provider_id = fields.Many2one('payment.provider', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='provider_id.company_id', store=True)
    account_name = fields.Char("Account", required=True)
    currency_id = fields.Many2one('res.currency', required=True)
    current_balance = fields.Monetary("Current")
    available_balance = fields.Monetary("Available")
    reserved_balance = fields.Monetary("Reserved")
    uncleared_balance = fields.Monetary("Uncleared")
