from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, create_index, float_round

from odoo.addons.ddcpts_mpesa import const
from odoo.addons.ddcpts_mpesa.tools import daraja

# paybill "account numbers" are compared without case and separators: INV/2024/0001 = inv20240001
REFERENCE_KEY = "regexp_replace(upper({column}), '[^A-Z0-9]', '', 'g')"
MATCHABLE_INVOICES = "move_type = 'out_invoice' AND state = 'posted'"


class AccountMove(models.Model):
    _inherit = 'account.move'

    mpesa_requestable = fields.Boolean(compute='_compute_mpesa_buttons')
    mpesa_payable = fields.Boolean(compute='_compute_mpesa_buttons')

    def init(self):
        super().init()
        for column in ('name', 'payment_reference'):
            create_index(self.env.cr, f'account_move_mpesa_{column}_key_idx', 'account_move',
                         [f'({REFERENCE_KEY.format(column=column)})'], where=MATCHABLE_INVOICES)

    @api.depends('move_type', 'state', 'payment_state', 'currency_id')
    def _compute_mpesa_buttons(self):
        for move in self:
            open_posted = move.state == 'posted' and move.payment_state in ('not_paid', 'partial')
            in_kes = move.currency_id.name in const.SUPPORTED_CURRENCIES
            move.mpesa_requestable = open_posted and in_kes and move.move_type == 'out_invoice'
            move.mpesa_payable = open_posted and in_kes and move.move_type in ('in_invoice', 'out_refund')

    # ------------------------------------------------------------------
    # Matching paybill payments
    # ------------------------------------------------------------------

    @api.model
    def _mpesa_find_open_invoice(self, reference, company):
        """The one open customer invoice whose number or payment reference is ``reference``, if any."""
        key = daraja.alphanumeric(reference)
        if not key:
            return self.browse()
        self.env.cr.execute(SQL(
            f"""SELECT id FROM account_move
                 WHERE {MATCHABLE_INVOICES} AND company_id = %s AND payment_state IN ('not_paid', 'partial')
                   AND ({REFERENCE_KEY.format(column='name')} = %s
                        OR {REFERENCE_KEY.format(column='payment_reference')} = %s)
                 LIMIT 2""",
            company.id, key, key,
        ))
        ids = [row[0] for row in self.env.cr.fetchall()]
        return self.browse(ids) if len(ids) == 1 else self.browse()

    # ------------------------------------------------------------------
    # Requesting a payment (STK push) from the back office or over JSON-RPC
    # ------------------------------------------------------------------

    def action_mpesa_request_payment(self):
        """Button: open the wizard asking the customer's phone for the amount due (or part of it)."""
        self.ensure_one()
        self._mpesa_check_requestable()
        return self._ddcpts_mobile_request_action('mpesa', _("Request M-Pesa Payment"))

    def ddcpts_mpesa_request_payment(self, phone=None, amount=None):
        """Ask the customer's phone to pay this posted invoice (JSON-RPC entry point, see docs/api.md).

        :param str phone: the M-Pesa number in any Kenyan format; default: the customer's mobile
        :param float amount: the amount to request; default: the amount due
        :return: the transaction started: ``transaction_id``, ``reference``, ``state``, ``amount``,
            ``phone``, ``checkout_request_id``
        """
        self.ensure_one()
        tx = self._mpesa_request_payment(phone=phone, amount=amount)
        return {
            'transaction_id': tx.id,
            'reference': tx.reference,
            'state': tx.state,
            'amount': tx.amount,
            'phone': tx.mpesa_phone,
            'checkout_request_id': tx.mpesa_checkout_request_id,
        }

    def _mpesa_request_payment(self, phone=None, amount=None):
        """Create the M-Pesa transaction of this invoice and send its STK push; return the transaction."""
        self.ensure_one()
        self._mpesa_check_requestable()
        return self._ddcpts_request_mobile_payment('mpesa', phone=phone, amount=amount)

    def _mpesa_check_requestable(self):
        if not self.mpesa_requestable:
            raise UserError(_("M-Pesa payments are requested for posted customer invoices in KES with an amount "
                              "due; %s is not one.", self.display_name))

    def _mpesa_provider(self):
        """The M-Pesa provider in use in the company of this document."""
        provider = self.env['payment.provider']._ddcpts_mobile_provider('mpesa', self.company_id)
        if not provider:
            raise UserError(_("No M-Pesa provider is enabled for %s.", self.company_id.name))
        return provider

    # ------------------------------------------------------------------
    # Paying a vendor bill or a customer refund (B2C payout)
    # ------------------------------------------------------------------

    def action_mpesa_payout(self):
        """Button: prepare an M-Pesa payout of what is due (whole shillings), to be submitted for approval."""
        self.ensure_one()
        if not self.mpesa_payable:
            raise UserError(_("M-Pesa payouts pay posted vendor bills and customer refunds in KES with an amount "
                              "due; %s is not one.", self.display_name))
        provider = self._mpesa_provider()
        return {
            'type': 'ir.actions.act_window',
            'name': _("Pay via M-Pesa"),
            'res_model': 'ddcpts.payout',
            'view_mode': 'form',
            'target': 'current',
            'context': {
                'default_channel': 'mpesa',
                'default_mpesa_provider_id': provider.id,
                'default_partner_id': self.partner_id.id,
                'default_journal_id': provider.journal_id.id,
                'default_amount': float_round(self.amount_residual, precision_digits=0, rounding_method='DOWN'),
                'default_origin': f'{self._name},{self.id}',
                'default_purpose': self.ref or self.name,
            },
        }
