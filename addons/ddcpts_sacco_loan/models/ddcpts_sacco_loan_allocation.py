from odoo import fields, models


class DdcptsSaccoLoanAllocation(models.Model):
    """What one transaction paid (or waived) of one installment, per component."""
    _name = 'ddcpts.sacco.loan.allocation'
    _description = "SACCO Loan Repayment Allocation"
    _order = 'transaction_id, installment_id'

    transaction_id = fields.Many2one('ddcpts.sacco.loan.transaction', required=True, ondelete='cascade', index=True)
    installment_id = fields.Many2one('ddcpts.sacco.loan.installment', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='transaction_id.company_id', store=True)
    currency_id = fields.Many2one(related='transaction_id.currency_id')
    principal = fields.Monetary()
    interest = fields.Monetary()
    penalty = fields.Monetary()
    fee = fields.Monetary()
