from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.ddcpts_base.exceptions import CallbackDeferred, CallbackInputError, ProviderError
from odoo.addons.ddcpts_base.tools.amounts import wire_amount
from odoo.addons.ddcpts_base.tools.locking import lock_rows
from odoo.addons.ddcpts_momo import const
from odoo.addons.ddcpts_momo.models.payment_transaction import CALLBACK_REFERENCE
from odoo.addons.ddcpts_momo.tools import schemas


class DdcptsPayout(models.Model):
    """The MTN MoMo disbursement adapter of ``ddcpts.payout``.

    The payout's ``idempotency_key`` (a UUID) is the transfer's X-Reference-Id: MTN refuses a repeat
    of it (409), so a resend after a crash or a lost answer never pays twice. The outcome is read with
    ``GET transfer/{id}``, asked when MTN's callback arrives and by the foundation's status cron.
    """
    _inherit = 'ddcpts.payout'

    channel = fields.Selection(selection_add=[('momo', "MTN MoMo Disbursement")], ondelete={'momo': 'cascade'})
    momo_provider_id = fields.Many2one(
        'payment.provider', "MoMo Account", domain="[('code', '=', 'momo'), ('state', '!=', 'disabled')]",
        compute='_compute_momo_provider_id', store=True, readonly=False, precompute=True, check_company=True,
    )
    momo_financial_transaction_id = fields.Char("MoMo Financial Transaction", readonly=True, copy=False)

    @api.depends('channel', 'company_id')
    def _compute_momo_provider_id(self):
        for payout in self:
            if payout.channel != 'momo':
                payout.momo_provider_id = False
            elif not payout.momo_provider_id:
                payout.momo_provider_id = self.env['payment.provider']._ddcpts_mobile_provider(
                    'momo', payout.company_id)

    @api.constrains('channel', 'currency_id', 'momo_provider_id')
    def _check_momo_payout(self):
        for payout in self.filtered(lambda p: p.channel == 'momo'):
            if not payout.momo_provider_id:
                raise ValidationError(_("Choose the MTN MoMo account paying %s.", payout.name))
            try:
                payout.momo_provider_id._momo_check_currency(payout.currency_id)
            except UserError as error:
                raise ValidationError(str(error)) from error

    def _ddcpts_recipient_msisdn(self):
        if self.channel == 'momo' and self.momo_provider_id:
            return self.momo_provider_id._momo_msisdn(self.recipient_phone)
        return super()._ddcpts_recipient_msisdn()

    # ------------------------------------------------------------------
    # Adapter
    # ------------------------------------------------------------------

    def _ddcpts_send_to_provider(self):
        if self.channel != 'momo':
            return super()._ddcpts_send_to_provider()
        provider = self.momo_provider_id
        msisdn = provider._momo_msisdn(self.recipient_phone)
        reference_id = self.idempotency_key
        callback_url = provider._momo_callback_url('disbursement', reference_id)
        note = (self.purpose or self.name)[:const.MESSAGE_LENGTH]
        try:
            response = provider._momo_request('disbursement', 'POST', const.TRANSFER_PATH, json={
                'amount': wire_amount(self.amount, self.currency_id),
                'currency': self.currency_id.name,
                'externalId': self.name,
                'payee': {'partyIdType': 'MSISDN', 'partyId': msisdn},
                'payerMessage': note,
                'payeeNote': note,
            }, headers={'X-Reference-Id': reference_id, **({'X-Callback-Url': callback_url} if callback_url else {})},
                endpoint='transfer', related=self)
        except ProviderError:
            # MTN may have received it: the status cron asks, the payout is never sent with a new reference
            self._ddcpts_set_sent(provider_reference=reference_id,
                                  message=_("MTN MoMo did not answer; the outcome is being checked."))
            return
        if response.status_code == 202 or (response.status_code == 409 and provider._momo_error_code(response)
                                           == const.ERROR_RESOURCE_EXISTS):
            self._ddcpts_set_sent(provider_reference=reference_id)
            self.env.ref('ddcpts_base.ir_cron_check_sent_payouts')._trigger(
                at=fields.Datetime.now() + const.POLL_FIRST_DELAY)
            return
        raise provider._momo_refusal(response, _("send the payout"))

    def _ddcpts_check_provider_status(self):
        if self.channel != 'momo':
            return super()._ddcpts_check_provider_status()
        if self.state != 'sent':
            return
        status = self.momo_provider_id._momo_get_status('disbursement', self.idempotency_key, related=self)
        self._momo_apply_status(status)

    def _momo_apply_status(self, status):
        self.ensure_one()
        if status is None:
            if self.sent_at and self.sent_at < fields.Datetime.now() - const.UNKNOWN_AFTER:
                self._ddcpts_set_failed(_("MTN MoMo never received this payout: nothing was paid."))
            return
        if status['status'] == const.STATUS_SUCCESSFUL:
            self.sudo().momo_financial_transaction_id = status['financialTransactionId'] or False
            self._ddcpts_set_done(provider_reference=status['financialTransactionId'] or self.idempotency_key,
                                  message=_("MTN MoMo confirmed the transfer."))
        elif status['status'] == const.STATUS_FAILED:
            self._ddcpts_set_failed(self.env['payment.provider']._momo_reason_message(status['status'],
                                                                                     status['reason']))

    @api.model
    def _momo_process_disbursement_callback(self, callback):
        """Processor of the transfer callback: a hint, the payout is settled from its status query."""
        payload = callback._ddcpts_payload(schemas.TRANSFER_STATUS)
        found = CALLBACK_REFERENCE.search(callback.route or '')
        reference_id = payload['referenceId'] or (found and found.group(1))
        payout = self.search([('channel', '=', 'momo'), ('idempotency_key', '=', reference_id)], limit=1) \
            if reference_id else self.browse()
        if not payout or payout.momo_provider_id.id != callback.provider_res_id:
            raise CallbackInputError(_("No MoMo payout %s is known here.", reference_id or '-'), status=404)
        callback._ddcpts_link(payout, reference=reference_id)
        if payout.state == 'sent' and not lock_rows(payout, skip_locked=True):
            raise CallbackDeferred(_("Payout %s is being processed by another worker.", payout.name))
        if payout.state != 'sent':
            callback._ddcpts_mark_duplicate()
            return payout
        payout._ddcpts_check_provider_status()
        return payout
