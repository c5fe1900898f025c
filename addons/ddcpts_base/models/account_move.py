from odoo import _, models
from odoo.exceptions import UserError
from odoo.fields import Command

from odoo.addons.ddcpts_base.tools.amounts import display_amount


class AccountMove(models.Model):
    """Asking a customer's phone to pay a posted invoice, whatever the mobile-money rail."""
    _inherit = 'account.move'

    def _ddcpts_request_mobile_payment(self, provider_code, phone=None, amount=None):
        """Create a transaction of the ``provider_code`` provider for this invoice and send its request to the
        phone (``payment.transaction._ddcpts_send_mobile_request``); return the transaction.

        :param str phone: the number in any local or international format; default: the customer's mobile
        :param amount: the amount to request (number or numeric string); default: the amount due
        """
        self.ensure_one()
        self.check_access('write')
        if not (self.move_type == 'out_invoice' and self.state == 'posted'
                and self.payment_state in ('not_paid', 'partial')):
            raise UserError(_("Mobile payments are requested for posted customer invoices with an amount due; "
                              "%s is not one.", self.display_name))
        residual = self.amount_residual
        try:  # external callers send numbers or strings ("800", "800.00")
            amount = residual if amount in (None, False, '') else float(amount)
        except (TypeError, ValueError):
            raise UserError(_("The amount to request must be a number, not %r.", amount)) from None
        if self.currency_id.compare_amounts(amount, 0) <= 0:
            raise UserError(_("Enter a positive amount to request."))
        if self.currency_id.compare_amounts(amount, residual) > 0:
            raise UserError(_("%(invoice)s has %(due)s left to pay: request at most that amount.",
                              invoice=self.name, due=display_amount(residual, self.currency_id)))
        phone = str(phone) if phone else self.partner_id.mobile or self.partner_id.phone
        if not phone:
            raise UserError(_("Enter the number to ask: %s has no mobile number.", self.partner_id.name))
        provider = self.env['payment.provider']._ddcpts_mobile_provider(provider_code, self.company_id)
        if not provider:
            raise UserError(_("No %(provider)s provider is enabled for %(company)s.",
                              provider=dict(provider._fields['code']._description_selection(self.env))
                              .get(provider_code, provider_code), company=self.company_id.name))
        payment_method = provider.payment_method_ids.filtered(lambda method: method.code == provider_code)[:1] \
            or provider.payment_method_ids[:1]
        tx_model = self.env['payment.transaction'].sudo()
        tx = tx_model.create({
            'provider_id': provider.id,
            'payment_method_id': payment_method.id,
            'reference': tx_model._compute_reference(provider.code, invoice_ids=[Command.set(self.ids)]),
            'amount': amount,
            'currency_id': self.currency_id.id,
            'partner_id': self.partner_id.id,
            'operation': 'online_direct',
            'invoice_ids': [Command.set(self.ids)],
        })
        tx._ddcpts_send_mobile_request(phone)
        return tx

    def _ddcpts_mobile_request_action(self, provider_code, title):
        """The wizard asking the phone and amount of a mobile payment request for the current invoice."""
        return {
            'type': 'ir.actions.act_window',
            'name': title,
            'res_model': 'ddcpts.mobile.payment.request',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_invoice_id': self.id, 'default_provider_code': provider_code},
        }
