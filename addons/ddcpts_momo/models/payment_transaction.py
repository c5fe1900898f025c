import logging
import re
import uuid

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.exceptions import CallbackDeferred, CallbackInputError, ProviderError
from odoo.addons.ddcpts_base.tools.amounts import display_amount, wire_amount
from odoo.addons.ddcpts_base.tools.locking import lock_rows, process_queue
from odoo.addons.ddcpts_momo import const
from odoo.addons.ddcpts_momo.tools import schemas
from odoo.addons.payment import utils as payment_utils

_logger = logging.getLogger(__name__)

CALLBACK_REFERENCE = re.compile(r'/(?:collection|disbursement)/(' + schemas.UUID_PATTERN + r')$')


class PaymentTransaction(models.Model):
    """MTN MoMo Request to Pay: Odoo asks the payer's phone, MTN tells the outcome.

    MTN's callbacks are unsigned, sent once and often lost, so they are only a hint: a transaction is
    settled from ``GET requesttopay/{X-Reference-Id}``, asked when a callback arrives and by a cron
    polling pending requests with backoff.
    """
    _inherit = 'payment.transaction'

    momo_reference_id = fields.Char("MoMo Reference Id", readonly=True, copy=False, index='btree_not_null',
                                    help="X-Reference-Id of the Request to Pay (a UUID), unique per attempt.")
    momo_payer_msisdn = fields.Char("MoMo Number", readonly=True, copy=False)
    momo_financial_transaction_id = fields.Char("MoMo Financial Transaction", readonly=True, copy=False)
    momo_status = fields.Char("MoMo Status", readonly=True, copy=False)
    momo_reason = fields.Char("MoMo Reason", readonly=True, copy=False)
    momo_next_poll_at = fields.Datetime("Next MoMo Status Query", readonly=True, copy=False, index='btree_not_null')
    momo_poll_count = fields.Integer("MoMo Status Queries", readonly=True, copy=False)
    momo_queried_at = fields.Datetime("Last MoMo Status Query", readonly=True, copy=False)

    _sql_constraints = [
        ('momo_reference_id_unique', 'UNIQUE(momo_reference_id)', "A MoMo Request to Pay belongs to one transaction."),
    ]

    # ------------------------------------------------------------------
    # Request to Pay
    # ------------------------------------------------------------------

    def _get_specific_processing_values(self, processing_values):
        """The checkout page sends the phone number with this token to ``/payment/momo/request_to_pay``."""
        res = super()._get_specific_processing_values(processing_values)
        if self.provider_code != 'momo':
            return res
        return {**res, 'momo_access_token': payment_utils.generate_access_token(self.reference, self.partner_id.id)}

    def _ddcpts_send_mobile_request(self, phone):
        if self.provider_code != 'momo':
            return super()._ddcpts_send_mobile_request(phone)
        self._momo_request_to_pay(phone)

    def _momo_request_to_pay(self, phone):
        """Ask the payer's phone to approve this payment; the outcome is read with status queries.

        Sending again a request whose answer was lost reuses its X-Reference-Id: MTN answers 409 and
        nothing is charged twice.
        :raise UserError: wrong number, currency or amount, or MTN refused the request
        """
        self.ensure_one()
        if self.state != 'draft' and not (self.state == 'pending' and self.momo_reference_id):
            raise UserError(_("The payment %s was already sent to MTN MoMo; start a new payment.", self.reference))
        provider = self.provider_id
        provider._momo_check_currency(self.currency_id)
        msisdn = provider._momo_msisdn(phone)
        if provider.momo_check_account_holder and not provider._momo_is_active_account_holder(msisdn):
            raise UserError(_("%s has no active MTN Mobile Money account.", phone))
        reference_id = self.momo_reference_id or str(uuid.uuid4())
        self.write({'momo_reference_id': reference_id, 'provider_reference': reference_id,
                    'momo_payer_msisdn': msisdn})
        note = self._momo_document_reference()
        callback_url = provider._momo_callback_url('collection', reference_id)
        try:
            response = provider._momo_request('collection', 'POST', const.REQUEST_TO_PAY_PATH, json={
                'amount': wire_amount(self.amount, self.currency_id),
                'currency': self.currency_id.name,
                'externalId': self.reference,
                'payer': {'partyIdType': 'MSISDN', 'partyId': msisdn},
                'payerMessage': _("Payment %s", note)[:const.MESSAGE_LENGTH],
                'payeeNote': note[:const.MESSAGE_LENGTH],
            }, headers={'X-Reference-Id': reference_id, **({'X-Callback-Url': callback_url} if callback_url else {})},
                endpoint='requesttopay', related=self)
        except ProviderError as error:
            # MTN may have received it: never send a new request, ask its status
            _logger.info("Request to Pay %s unanswered, its status will be asked: %s", self.reference, error)
            response = None
        if response is not None and response.status_code == 409 \
                and provider._momo_error_code(response) != const.ERROR_RESOURCE_EXISTS:
            raise provider._momo_refusal(response, _("request the payment from %s", msisdn))
        if response is not None and response.status_code not in (202, 409):
            raise provider._momo_refusal(response, _("request the payment from %s", msisdn))
        if self.state == 'draft':
            self._set_pending()
        self.write({'momo_poll_count': 0, 'momo_next_poll_at': fields.Datetime.now() + const.POLL_FIRST_DELAY})
        self.env.ref('ddcpts_momo.ir_cron_momo_poll_pending')._trigger(at=self.momo_next_poll_at)

    def _momo_document_reference(self):
        invoice = self.invoice_ids[:1]
        return invoice.payment_reference or invoice.name or self.reference

    # ------------------------------------------------------------------
    # Settlement (Odoo's notification pipeline)
    # ------------------------------------------------------------------

    def _get_tx_from_notification_data(self, provider_code, notification_data):
        """The Request to Pay of a MoMo callback or status body: by X-Reference-Id, else by externalId
        (MTN's callback may omit the reference id; externalId is our transaction reference)."""
        tx = super()._get_tx_from_notification_data(provider_code, notification_data)
        if provider_code != 'momo' or len(tx) == 1:
            return tx
        reference_id, external_id = notification_data.get('referenceId'), notification_data.get('externalId')
        if reference_id:
            tx = self.search([('momo_reference_id', '=', reference_id), ('provider_code', '=', 'momo')])
        elif external_id:
            tx = self.search([('reference', '=', external_id), ('provider_code', '=', 'momo')])
        else:
            raise CallbackInputError(_("The notification names no payment request (no referenceId or externalId)."))
        if not tx:
            raise CallbackInputError(_("No payment request %s is known here.", reference_id or external_id),
                                     status=404)
        return tx

    def _process_notification_data(self, notification_data):
        """Settle from MTN's status query, never from what a callback claims (it is unsigned)."""
        super()._process_notification_data(notification_data)
        if self.provider_code != 'momo':
            return
        if self.state not in ('draft', 'pending') or not self.momo_reference_id:
            return
        self.momo_queried_at = fields.Datetime.now()
        status = self.provider_id._momo_get_status('collection', self.momo_reference_id, related=self)
        self._momo_apply_status(status)

    def _momo_apply_status(self, status):
        """Apply a validated ``GET requesttopay`` answer (None: MTN does not know the reference)."""
        self.ensure_one()
        now = fields.Datetime.now()
        if status is None:
            if self.create_date < now - const.UNKNOWN_AFTER:
                self._momo_stop_polling()
                self._set_error(_("MTN MoMo never received this payment request: nothing was charged."))
            else:
                self._momo_schedule_next_poll()
            return
        values = {'momo_status': status['status'], 'momo_reason': status['reason'] or False}
        if status['financialTransactionId']:
            values['momo_financial_transaction_id'] = status['financialTransactionId']
        self.write(values)
        if status['status'] == const.STATUS_PENDING:
            if self.create_date < now - const.POLL_DEADLINE:
                self._momo_stop_polling()
                self._set_error(_("The customer never approved the payment request."))
            else:
                self._momo_schedule_next_poll()
            return
        self._momo_stop_polling()
        if status['status'] == const.STATUS_FAILED:
            message = self.provider_id._momo_reason_message(status['status'], status['reason'])
            if status['reason'] == const.REASON_REJECTED:
                self._set_canceled(state_message=message)
            else:
                self._set_error(message)
            return
        mismatch = self._momo_mismatch(status)
        if mismatch:
            self._set_error(mismatch)
            self._ddcpts_flag_for_review(mismatch)
            return
        self._set_done()

    def _momo_mismatch(self, status):
        """A sentence when MTN reports another amount, currency or payment than the one requested."""
        if status['externalId'] and status['externalId'] != self.reference:
            return _("MTN MoMo reports request %(id)s as paying %(other)s, not %(ref)s: an accountant will check it.",
                     id=self.momo_reference_id, other=status['externalId'], ref=self.reference)
        if status['currency'] and status['currency'] != self.currency_id.name or status['amount'] is not None \
                and self.currency_id.compare_amounts(float(status['amount']), self.amount) != 0:
            return _("MTN MoMo reports %(paid)s paid instead of the %(asked)s requested: an accountant will check "
                     "this payment.", paid=f"{status['currency'] or ''} {status['amount']}".strip(),
                     asked=display_amount(self.amount, self.currency_id))
        return None

    def _momo_schedule_next_poll(self):
        """Ask again later, twice as late each time (capped): the payer may still be typing the PIN."""
        for tx in self:
            tx.momo_poll_count += 1
            delay = min(const.POLL_FIRST_DELAY * 2 ** tx.momo_poll_count, const.POLL_MAX_DELAY)
            tx.momo_next_poll_at = fields.Datetime.now() + delay

    def _momo_stop_polling(self):
        self.momo_next_poll_at = False

    # ------------------------------------------------------------------
    # Callback (a hint) and polling
    # ------------------------------------------------------------------

    @api.model
    def _momo_process_collection_callback(self, callback):
        """Processor of the Request-to-Pay callback route: checked by its schema, then handed to the payment
        notification pipeline (``_process_notification_data``), which settles the request from its status.

        A request another worker holds (the poller asking the same status) is left to it: the callback is
        acknowledged and processed again later (``CallbackDeferred``).
        """
        data = callback._ddcpts_payload(schemas.REQUEST_TO_PAY_STATUS)
        in_url = CALLBACK_REFERENCE.search(callback.route or '')
        data = dict(data, referenceId=data['referenceId'] or (in_url and in_url.group(1)) or None)
        tx = self._get_tx_from_notification_data('momo', data)
        if tx.provider_id.id != callback.provider_res_id:
            raise CallbackInputError(_("No payment request %s is known here.", data['referenceId']), status=404)
        callback._ddcpts_link(tx, reference=tx.momo_reference_id)
        if tx.state in ('draft', 'pending') and lock_rows(tx, skip_locked=True) != tx:
            raise CallbackDeferred(_("Payment %s is being processed by another worker.", tx.reference))
        if tx.state not in ('draft', 'pending'):
            callback._ddcpts_mark_duplicate()
            return tx
        tx._process_notification_data(data)  # _handle_notification_data without a second lookup
        tx._momo_trigger_post_processing()
        return tx

    @api.model
    def _cron_momo_poll_pending(self):
        """Ask MTN about pending Requests to Pay whose time has come; rows claimed with SKIP LOCKED."""
        domain = [('state', '=', 'pending'), ('momo_reference_id', '!=', False),
                  ('momo_next_poll_at', '<=', fields.Datetime.now())]
        process_queue(self, domain, lambda transactions: transactions._momo_poll(), limit=const.POLL_BATCH,
                      chunk=const.POLL_CHUNK, order='momo_next_poll_at, id',
                      cron_xmlid='ddcpts_momo.ir_cron_momo_poll_pending')
        next_poll = self.search([('state', '=', 'pending'), ('momo_next_poll_at', '!=', False)],
                                order='momo_next_poll_at', limit=1).momo_next_poll_at
        if next_poll:
            self.env.ref('ddcpts_momo.ir_cron_momo_poll_pending')._trigger(at=next_poll)

    def _momo_poll(self):
        """Settle each claimed transaction from its status; an outage or a bad answer waits for the next poll."""
        for tx in self:
            try:
                with self.env.cr.savepoint():
                    tx._process_notification_data({'referenceId': tx.momo_reference_id})
            except UserError as error:
                _logger.info("Status query of %s failed, retried later: %s", tx.reference, error)
                tx._momo_schedule_next_poll()
        self._momo_trigger_post_processing()

    def _momo_trigger_post_processing(self):
        """Wake the payment post-processing cron (it books the payments) when any of these requests was
        paid: once for a chunk of the polling cron, and batched with the worker's other wake-ups
        (``_ddcpts_trigger_post_processing``)."""
        if any(tx.state == 'done' for tx in self):
            self._ddcpts_trigger_post_processing()

    def _post_process(self):
        """The payment status page calls this while the customer waits: ask MTN about their pending request
        (at most every few seconds) rather than wait for a callback that may never come. A request still
        pending has nothing to book and stays unprocessed, so the page keeps asking."""
        now = fields.Datetime.now()
        momo_pending = self.filtered(lambda tx: tx.provider_code == 'momo' and tx.state == 'pending'
                                     and tx.momo_reference_id and tx.create_date > now - const.POLL_DEADLINE)
        due = momo_pending.filtered(lambda tx: not tx.momo_queried_at
                                    or tx.momo_queried_at < now - const.STATUS_PAGE_QUERY_INTERVAL)
        lock_rows(due, skip_locked=True)._momo_poll()
        still_pending = momo_pending.filtered(lambda tx: tx.state == 'pending')
        super(PaymentTransaction, self - still_pending)._post_process()

    def action_momo_check_status(self):
        """Button: ask MTN now what became of this request."""
        self.ensure_one()
        lock_rows(self)  # a poller asking at this moment finishes first: MTN is asked once at a time
        self._process_notification_data({'referenceId': self.momo_reference_id})
        self._momo_trigger_post_processing()
