from datetime import timedelta
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

from odoo.addons.ddcpts_base.exceptions import CallbackDeferred, CallbackInputError
from odoo.addons.ddcpts_base.tools.identity import normalize_msisdn
from odoo.addons.ddcpts_base.tools.locking import lock_rows
from odoo.addons.ddcpts_mpesa import const
from odoo.addons.ddcpts_mpesa.tools import daraja, schemas

STATUS_RECHECK_AFTER = timedelta(minutes=10)  # a status query without answer is asked again after this
UNKNOWN_AFTER = timedelta(days=1)  # a payout M-Pesa still does not know after this was never made


class DdcptsPayout(models.Model):
    """The M-Pesa B2C adapter of ``ddcpts.payout``.

    The payout's ``idempotency_key`` is the OriginatorConversationID: Daraja refuses a repeat of it
    (``500.002.1001``), so a resend after a crash or a timeout can never pay twice. An outcome that
    is unknown (queue timeout, lost result) is asked with Transaction Status, never resent.
    """
    _inherit = 'ddcpts.payout'

    channel = fields.Selection(selection_add=[('mpesa', "M-Pesa B2C")], ondelete={'mpesa': 'cascade'})
    mpesa_provider_id = fields.Many2one(
        'payment.provider', "M-Pesa Account", domain="[('code', '=', 'mpesa'), ('state', '!=', 'disabled')]",
        compute='_compute_mpesa_provider_id', store=True, readonly=False, precompute=True, check_company=True,
    )
    mpesa_conversation_id = fields.Char("M-Pesa ConversationID", readonly=True, copy=False, index='btree_not_null')
    mpesa_receiver_name = fields.Char("Received By", readonly=True, copy=False,
                                      help="The recipient's name as registered with M-Pesa.")
    mpesa_completed_at = fields.Datetime("Completed On (M-Pesa)", readonly=True, copy=False)

    @api.depends('channel', 'company_id')
    def _compute_mpesa_provider_id(self):
        for payout in self:
            if payout.channel != 'mpesa':
                payout.mpesa_provider_id = False
            elif not payout.mpesa_provider_id:
                payout.mpesa_provider_id = self.env['payment.provider'].search([
                    ('code', '=', 'mpesa'), ('state', '!=', 'disabled'), ('company_id', '=', payout.company_id.id),
                ], order='state, sequence, id', limit=1)

    @api.constrains('channel', 'amount', 'currency_id', 'recipient_phone', 'mpesa_provider_id')
    def _check_mpesa_payout(self):
        for payout in self.filtered(lambda p: p.channel == 'mpesa'):
            if not payout.mpesa_provider_id:
                raise ValidationError(_("Choose the M-Pesa account paying %s.", payout.name))
            if payout.currency_id.name not in const.SUPPORTED_CURRENCIES:
                raise ValidationError(_("M-Pesa pays in Kenyan shillings only (%s).", payout.name))
            amount = Decimal(str(payout.currency_id.round(payout.amount)))
            if amount != amount.to_integral_value() or not const.B2C_MIN_AMOUNT <= amount <= const.B2C_MAX_AMOUNT:
                raise ValidationError(_("M-Pesa pays whole shillings from KES %(min)s to KES %(max)s in one payout, "
                                        "not KES %(amount)s.", min=const.B2C_MIN_AMOUNT,
                                        max=f'{const.B2C_MAX_AMOUNT:,}', amount=amount))
            if payout.recipient_phone and not self._mpesa_is_kenyan(payout.recipient_phone):
                raise ValidationError(_("M-Pesa pays Kenyan numbers only, not %s.", payout.recipient_phone))

    @staticmethod
    def _mpesa_is_kenyan(number):
        """Checked before the foundation normalises the number (which refuses numbers it cannot read)."""
        try:
            return normalize_msisdn(number, 'KE').startswith('254')
        except UserError:
            return True

    # ------------------------------------------------------------------
    # Adapter
    # ------------------------------------------------------------------

    def _ddcpts_send_to_provider(self):
        if self.channel != 'mpesa':
            return super()._ddcpts_send_to_provider()
        provider = self.mpesa_provider_id
        initiator, credential = provider._mpesa_initiator()
        _status, data = provider._mpesa_request(const.B2C_PATH, {
            'OriginatorConversationID': self.idempotency_key,
            'InitiatorName': initiator,
            'SecurityCredential': credential,
            'CommandID': provider.mpesa_b2c_command or 'BusinessPayment',
            'Amount': int(self.amount),
            'PartyA': provider.mpesa_b2c_shortcode or provider.mpesa_shortcode,
            'PartyB': self.recipient_phone,
            'Remarks': (self.purpose or self.name).ljust(2, '.')[:const.REMARKS_LENGTH],
            'QueueTimeOutURL': provider._mpesa_callback_url('b2c-timeout'),
            'ResultURL': provider._mpesa_callback_url('b2c-result'),
            'Occassion': self.name,
        }, endpoint='b2c', related=self)
        if daraja.is_accepted(data):
            self.sudo().mpesa_conversation_id = data.get('ConversationID') or False
            self._ddcpts_set_sent(message=data.get('ResponseDescription'))
        elif daraja.error_code(data) == const.ERROR_DUPLICATE_ORIGINATOR:
            # an earlier attempt reached M-Pesa (its answer was lost): ask what became of it, never resend
            self._ddcpts_set_sent(message=_("M-Pesa already received this payout; its outcome is being checked."))
            self._mpesa_send_status_query()
        else:
            raise provider._mpesa_refusal(data, _("send the payout"))

    def _ddcpts_check_provider_status(self):
        if self.channel != 'mpesa':
            return super()._ddcpts_check_provider_status()
        waiting = self.env['ddcpts.mpesa.request'].search_count([
            ('payout_id', '=', self.id), ('kind', '=', 'status'), ('state', '=', 'sent'),
            ('create_date', '>', fields.Datetime.now() - STATUS_RECHECK_AFTER),
        ])
        if not waiting:
            self._mpesa_send_status_query()

    def _mpesa_send_status_query(self):
        self.env['ddcpts.mpesa.request']._mpesa_send_status(
            self.mpesa_provider_id, conversation_id=self.mpesa_conversation_id or self.idempotency_key, payout=self,
        )

    # ------------------------------------------------------------------
    # Results (callback processors)
    # ------------------------------------------------------------------

    @api.model
    def _mpesa_process_b2c_result(self, callback):
        requests = self.env['ddcpts.mpesa.request']
        result = requests._mpesa_result_of(callback, schemas.B2C_RESULT)
        payout = self._mpesa_find_payout(callback, result)
        if payout.state in ('done', 'failed'):
            callback._ddcpts_mark_duplicate()
            return payout
        code = requests._mpesa_result_code(result)
        payout._mpesa_lock()
        parameters = (result.get('ResultParameters') or {}).get('ResultParameter') or {}
        if code == 0:
            payout._mpesa_set_paid(
                receipt=parameters.get('TransactionReceipt') or result['TransactionID'],
                receiver=parameters.get('ReceiverPartyPublicName'),
                completed_at=parameters.get('TransactionCompletedDateTime'),
                amount=parameters.get('TransactionAmount'),
                message=result['ResultDesc'],
            )
        else:
            payout._ddcpts_set_failed(str(const.B2C_RESULT_MESSAGES.get(code) or result['ResultDesc']
                                          or _("M-Pesa result %s", code)))
        return payout

    @api.model
    def _mpesa_process_b2c_timeout(self, callback):
        """The payout timed out in M-Pesa's queue: its outcome is unknown, ask Transaction Status later."""
        result = self.env['ddcpts.mpesa.request']._mpesa_result_of(callback, schemas.QUEUE_TIMEOUT)
        payout = self._mpesa_find_payout(callback, result)
        if payout.state != 'sent':
            callback._ddcpts_mark_duplicate()
            return payout
        payout.message_post(body=_("M-Pesa reported a queue timeout: the outcome is unknown and will be checked with "
                                   "a transaction status query (the payout is never sent again)."))
        check_at = max(fields.Datetime.now(), payout.sent_at + STATUS_RECHECK_AFTER)
        self.env.ref('ddcpts_base.ir_cron_check_sent_payouts')._trigger(at=check_at)
        return payout

    def _mpesa_find_payout(self, callback, result):
        """The payout a result is about (read without waiting for its row), linked to the callback."""
        originator, conversation = result['OriginatorConversationID'], result['ConversationID']
        keys = [[('idempotency_key', '=', originator)]] if originator else []
        keys += [[('mpesa_conversation_id', '=', conversation)]] if conversation else []
        payout = self.search(expression.AND([[('channel', '=', 'mpesa')], expression.OR(keys)]), limit=1)
        if not payout or payout.mpesa_provider_id.id != callback.provider_res_id:
            raise CallbackInputError(_("No M-Pesa payout %s is known here.", originator or conversation), status=404)
        callback._ddcpts_link(payout, reference=conversation or originator)
        return payout

    def _mpesa_lock(self):
        """Lock the payout without waiting: held by another worker, the result is processed again later."""
        if not lock_rows(self, skip_locked=True):
            raise CallbackDeferred(_("Payout %s is being processed by another worker.", self.name))

    def _mpesa_set_paid(self, receipt, receiver=None, completed_at=None, amount=None, message=None):
        """M-Pesa confirmed the payout: store the receipt and who received it, then book it.

        :param datetime completed_at: when M-Pesa completed it (UTC)
        :param Decimal amount: what M-Pesa reports as paid
        """
        self.ensure_one()
        self.sudo().write({
            'mpesa_receiver_name': receiver or False,
            'mpesa_completed_at': completed_at or fields.Datetime.now(),
        })
        if amount is not None and self.currency_id.compare_amounts(float(amount), self.amount) != 0:
            self.message_post(body=_("M-Pesa reports %(paid)s paid instead of %(amount)s: check this payout.",
                                     paid=self._format_amount(float(amount)),
                                     amount=self._format_amount()))
        self._ddcpts_set_done(provider_reference=receipt or False, message=message)

    def _mpesa_apply_status(self, code, parameters, description):
        """Outcome of a Transaction Status query about this payout."""
        self.ensure_one()
        if self.state not in ('approved', 'sent'):
            return
        status = parameters.get('TransactionStatus') or ''
        if code == 0 and status == const.TRANSACTION_COMPLETED:
            self._mpesa_set_paid(receipt=parameters.get('ReceiptNo'), receiver=parameters.get('CreditPartyName'),
                                 completed_at=parameters.get('FinalisedTime'), amount=parameters.get('Amount'),
                                 message=description)
        elif code == 0 and status in const.TRANSACTION_FAILED:
            self._ddcpts_set_failed(_("M-Pesa reports the payout as %s.", status))
        elif code != 0 and self.sent_at and self.sent_at < fields.Datetime.now() - UNKNOWN_AFTER:
            self._ddcpts_set_failed(_("M-Pesa has no record of this payout a day after it was sent (%s).",
                                      description))
        else:
            self.message_post(body=_("Status check: %s The payout will be checked again.", description or ''))
