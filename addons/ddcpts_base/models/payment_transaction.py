from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.tools.cron import trigger_batched


class PaymentTransaction(models.Model):
    """The inbound money flow shared by every mobile-money provider (docs/architecture.md "The two money flows").

    A transaction may pay a business document other than invoices (a loan, a savings account…)
    through ``ddcpts_origin``; addons list such models in ``_selection_ddcpts_origin`` and apply the
    money in ``_ddcpts_post_process_origin``. Money that cannot be matched or does not add up is
    flagged for review instead of being booked silently.
    """
    _inherit = 'payment.transaction'

    ddcpts_origin = fields.Reference(
        selection='_selection_ddcpts_origin', string="Paid Document", index='btree_not_null',
        help="Business document this money is for besides invoices, applied when the payment is confirmed.",
    )
    ddcpts_needs_review = fields.Boolean(
        "To Review", index=True, copy=False,
        help="The money arrived but could not be matched or does not add up: an accountant must assign it.",
    )
    ddcpts_review_reason = fields.Char("Review Reason", copy=False)
    ddcpts_received_message_due = fields.Boolean(
        copy=False, help="Confirmed by a callback: the \"payment received\" message is posted by post-processing.")

    @api.model
    def _selection_ddcpts_origin(self):
        """Models a transaction can pay through ``ddcpts_origin``; addons append theirs."""
        return []

    @api.model
    def _ddcpts_match_reference(self, reference, company, msisdn=None):
        """Hook: claim money that arrived with a reference typed by the payer (an M-Pesa paybill
        "account number", a MoMo payer note) for a document of your addon.

        Overrides return the values that assign the money to their document, e.g.
        ``{'partner_id': 7, 'ddcpts_origin': 'sacco.loan,12'}`` (``ddcpts_origin`` is then applied by
        ``_ddcpts_post_process_origin``), or what ``super()`` returns when the reference is not theirs.

        :param str reference: the reference as typed (stripped)
        :param company: the company the money was paid to
        :param str msisdn: the payer's number when the provider discloses it
        :return: transaction values, empty when nobody claims the reference
        """
        return {}

    def _ddcpts_send_mobile_request(self, phone):
        """Hook: send this draft transaction's payment request to ``phone`` (STK push, Request to Pay…).

        Implemented by each mobile-money provider; used by the invoice request of ``account.move`` and
        by :meth:`_ddcpts_request_push`.
        """
        raise UserError(_("%s cannot send payment requests to a phone.", self.provider_id.name))

    @api.model
    def _ddcpts_request_push(self, origin, partner, amount, phone, reference):
        """Ask ``phone`` to pay ``amount`` for ``origin`` (a document of ``_selection_ddcpts_origin``)
        with the company's mobile-money provider, whichever it is; return the transaction.

        Lets an addon that knows no provider (the SACCO's USSD menu) collect money; the money is applied
        to ``origin`` by ``_ddcpts_post_process_origin`` once the provider confirms it.

        :param str reference: what the payer recognises on the prompt (e.g. ``M0042-DEP``)
        :raise UserError: no provider can push, or the provider refused the request
        """
        company = origin.company_id
        provider = self.env['payment.provider']._ddcpts_mobile_provider(None, company)
        if not provider:
            raise UserError(_("No mobile-money provider of %s can send payment requests to phones.", company.name))
        tx = self.sudo().create({
            'provider_id': provider.id,
            'payment_method_id': provider.payment_method_ids[:1].id,
            'reference': self._compute_reference(provider.code, prefix=reference),
            'amount': amount,
            'currency_id': company.currency_id.id,
            'partner_id': partner.id,
            'operation': 'online_direct',
            'ddcpts_origin': f'{origin._name},{origin.id}',
        })
        tx._ddcpts_send_mobile_request(phone)
        return tx

    def _ddcpts_flag_for_review(self, reason):
        """Put the transaction in the review queue with a reason a clerk understands."""
        for tx in self:
            tx.write({'ddcpts_needs_review': True, 'ddcpts_review_reason': reason})
            tx._log_message_on_linked_documents(_("Payment %(ref)s needs review: %(reason)s", ref=tx.reference,
                                                  reason=reason))

    def action_ddcpts_mark_reviewed(self):
        self.write({'ddcpts_needs_review': False})

    def _ddcpts_trigger_post_processing(self):
        """Have core's post-processing cron book the payments of these confirmed transactions soon.

        A provider's callback confirms one payment at a time: the cron is woken by
        ``tools.cron.trigger_batched``, not by a NOTIFY for every payment (latency in its docstring).
        The cron is browsed by its (cached) XML id: ``env.ref`` would check that it exists, one more
        query for every paid callback.
        """
        cron_id = self.env['ir.model.data']._xmlid_to_res_id('payment.cron_post_process_payment_tx')
        trigger_batched(self.env['ir.cron'].sudo().browse(cron_id))

    def _log_received_message(self):
        """A provider callback leaves the "payment received" message of a confirmed payment to the
        post-processing it triggers: reading the linked invoices and posting on them would be most of
        the callback's cost. Other outcomes, and confirmations outside callbacks, are logged at once."""
        if not self.env.context.get('ddcpts_in_callback'):
            return super()._log_received_message()
        confirmed = self.filtered(lambda tx: tx.state == 'done')
        confirmed.ddcpts_received_message_due = True
        return super(PaymentTransaction, self - confirmed)._log_received_message()

    def _post_process(self):
        """Apply confirmed money to its business document and tell subscribed systems."""
        due = self.filtered('ddcpts_received_message_due')
        if due:
            due.ddcpts_received_message_due = False
            # posted by the superuser, as the callback would have (not by the payer on the status page)
            due.with_user(SUPERUSER_ID)._log_received_message()
        super()._post_process()
        for tx in self.filtered(lambda t: t.state == 'done' and t.operation != 'validation'):
            if tx.ddcpts_origin:
                tx._ddcpts_post_process_origin()
            self.env['ddcpts.webhook.endpoint']._ddcpts_emit('payment.received', tx._ddcpts_webhook_data(), record=tx)

    def _ddcpts_post_process_origin(self):
        """Hook: apply the confirmed money to ``ddcpts_origin``. Addons handle their own models."""
        self.ensure_one()

    def _ddcpts_webhook_data(self):
        self.ensure_one()
        return {
            'reference': self.reference,
            'provider': self.provider_code,
            'provider_reference': self.provider_reference,
            'amount': self.amount,
            'currency': self.currency_id.name,
            'partner': self.partner_id.display_name,
            'invoices': self.invoice_ids.mapped('name'),
            'origin': self.ddcpts_origin and f'{self.ddcpts_origin._name},{self.ddcpts_origin.id}',
            'needs_review': self.ddcpts_needs_review,
        }
