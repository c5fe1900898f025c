from odoo import _, api, fields, models

from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_base.tools.amounts import display_amount


class DdcptsMobilePaymentRequest(models.TransientModel):
    """Ask the customer's phone to pay a posted invoice, in full or in part, over any mobile-money rail."""
    _name = 'ddcpts.mobile.payment.request'
    _description = "Request a mobile-money payment"

    invoice_id = fields.Many2one('account.move', required=True, readonly=True)
    provider_code = fields.Char(required=True, readonly=True)
    partner_id = fields.Many2one(related='invoice_id.partner_id')
    currency_id = fields.Many2one(related='invoice_id.currency_id')
    amount_residual = fields.Monetary(related='invoice_id.amount_residual', string="Amount Due")
    phone = fields.Char("Mobile Number", required=True, compute='_compute_phone', store=True, readonly=False,
                        precompute=True, help="The number that receives the payment prompt.")
    amount = fields.Monetary("Amount to Request", required=True, compute='_compute_amount', store=True,
                             precompute=True, readonly=False)

    @api.depends('invoice_id')
    def _compute_phone(self):
        for wizard in self:
            wizard.phone = wizard.partner_id.mobile or wizard.partner_id.phone

    @api.depends('invoice_id')
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = wizard.invoice_id.amount_residual

    def action_send(self):
        self.ensure_one()
        tx = self.invoice_id._ddcpts_request_mobile_payment(self.provider_code, phone=self.phone, amount=self.amount)
        action = notification(
            _("%(amount)s requested from %(phone)s: the customer approves it on the phone (transaction %(ref)s).",
              amount=display_amount(tx.amount, tx.currency_id), phone=self.phone, ref=tx.reference),
            _("Payment request sent"),
        )
        action['params']['next'] = {'type': 'ir.actions.act_window_close'}
        return action
