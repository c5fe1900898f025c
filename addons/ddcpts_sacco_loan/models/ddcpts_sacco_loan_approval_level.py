from odoo import fields, models


class DdcptsSaccoLoanApprovalLevel(models.Model):
    """Who may approve loans of a product from an amount on (e.g. the credit committee above 500 000)."""
    _name = 'ddcpts.sacco.loan.approval.level'
    _description = "SACCO Loan Approval Level"
    _order = 'product_id, amount_from'

    product_id = fields.Many2one('ddcpts.sacco.loan.product', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='product_id.company_id', store=True)
    currency_id = fields.Many2one(related='product_id.currency_id')
    amount_from = fields.Monetary("From Amount", required=True)
    group_id = fields.Many2one('res.groups', "Approved By Group", required=True, ondelete='restrict')

    _sql_constraints = [
        ('amount_product_uniq', 'unique(product_id, amount_from)', "Two approval levels start at the same amount."),
    ]
