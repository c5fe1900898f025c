from odoo import _, api, fields, models
from odoo.exceptions import UserError


class DdcptsSaccoWithdrawal(models.TransientModel):
    """Take money out of a withdrawable account: a payout to the member's phone, approved by a second person."""
    _name = 'ddcpts.sacco.withdrawal'
    _description = "SACCO Withdrawal"

    account_id = fields.Many2one('ddcpts.sacco.account', required=True,
                                 domain="[('product_id.withdrawable', '=', True)]")
    company_id = fields.Many2one(related='account_id.company_id')
    currency_id = fields.Many2one(related='account_id.currency_id')
    free_balance = fields.Monetary(compute='_compute_free_balance')
    amount = fields.Monetary(required=True)
    journal_id = fields.Many2one('account.journal', "Paid From", required=True, check_company=True,
                                 domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]")

    @api.depends('account_id')
    def _compute_free_balance(self):
        for wizard in self:
            wizard.free_balance = wizard.account_id._sacco_free_balance() if wizard.account_id else 0.0

    def action_request(self):
        self.ensure_one()
        if self.currency_id.compare_amounts(self.amount, 0) <= 0:
            raise UserError(_("A withdrawal is a positive amount."))
        payout = self.account_id._sacco_request_payout(self.amount, self.journal_id,
                                                       _("Withdrawal %s", self.account_id.name))
        return {'type': 'ir.actions.act_window', 'res_model': 'ddcpts.payout', 'res_id': payout.id,
                'view_mode': 'form'}
