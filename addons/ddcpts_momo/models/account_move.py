from odoo import _, api, fields, models


class AccountMove(models.Model):
    _inherit = 'account.move'

    momo_requestable = fields.Boolean(compute='_compute_momo_requestable')

    @api.depends('move_type', 'state', 'payment_state', 'currency_id', 'company_id')
    def _compute_momo_requestable(self):
        providers = {}
        for move in self:
            if move.company_id.id not in providers:
                providers[move.company_id.id] = self.env['payment.provider']._ddcpts_mobile_provider(
                    'momo', move.company_id)
            provider = providers[move.company_id.id]
            move.momo_requestable = bool(
                provider and move.move_type == 'out_invoice' and move.state == 'posted'
                and move.payment_state in ('not_paid', 'partial') and move.currency_id == provider.momo_currency_id
            )

    def action_momo_request_payment(self):
        """Button: ask the customer's phone (Request to Pay) for the amount due, or part of it."""
        self.ensure_one()
        return self._ddcpts_mobile_request_action('momo', _("Request MoMo Payment"))

    def ddcpts_momo_request_payment(self, phone=None, amount=None):
        """Ask the customer's MTN MoMo wallet to pay this posted invoice (JSON-RPC entry point, docs/api.md).

        :param str phone: the MoMo number; default: the customer's mobile
        :param amount: the amount to request; default: the amount due
        :return: ``transaction_id``, ``reference``, ``state``, ``amount``, ``currency``, ``phone``,
            ``reference_id`` (the X-Reference-Id)
        """
        tx = self._ddcpts_request_mobile_payment('momo', phone=phone, amount=amount)
        return {
            'transaction_id': tx.id,
            'reference': tx.reference,
            'state': tx.state,
            'amount': tx.amount,
            'currency': tx.currency_id.name,
            'phone': tx.momo_payer_msisdn,
            'reference_id': tx.momo_reference_id,
        }
