import logging
import re
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools.misc import formatLang

from odoo.addons.ddcpts_base.exceptions import CallbackDeferred, CallbackInputError
from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_base.tools.identity import normalize_msisdn
from odoo.addons.ddcpts_base.tools.locking import lock_and_read, process_queue, search_lock
from odoo.addons.ddcpts_mpesa import const
from odoo.addons.ddcpts_mpesa.tools import daraja, schemas
from odoo.addons.payment import utils as payment_utils

_logger = logging.getLogger(__name__)

STK_CALLBACK_PROCESSOR = 'payment.transaction._mpesa_process_stk_callback'
# a C2B confirmation (or statement row) is the same payment as an STK push with its AccountReference and
# amount sent in the days before it was paid
STK_PAIRING_WINDOW = timedelta(days=2)
CLOCK_MARGIN = timedelta(minutes=10)  # Safaricom's payment times against this server's clock
STK_PAIRING_CANDIDATES = 10


class PaymentTransaction(models.Model):
    """M-Pesa money in: STK push requests (sent by Odoo) and C2B payments (that simply arrive).

    Every payment is booked once: the CheckoutRequestID and the receipt number (MpesaReceiptNumber,
    which C2B calls TransID) are unique keys. A replay is recognised by them without waiting for the
    transaction's row; a callback that changes a transaction locks it without waiting (``SKIP
    LOCKED``): when post-processing holds it, the callback is acknowledged and processed again later.
    """
    _inherit = 'payment.transaction'

    mpesa_checkout_request_id = fields.Char("STK CheckoutRequestID", readonly=True, copy=False)
    mpesa_merchant_request_id = fields.Char("STK MerchantRequestID", readonly=True, copy=False)
    mpesa_receipt = fields.Char("M-Pesa Receipt", readonly=True, copy=False)
    mpesa_source = fields.Selection(
        [('stk', "STK push"), ('c2b', "Paybill/till payment"), ('statement', "Recovered from a statement")],
        string="M-Pesa Source", readonly=True, copy=False,
    )
    mpesa_phone = fields.Char("M-Pesa Number", readonly=True, copy=False,
                              help="The payer's number (masked by M-Pesa for paybill payments).")
    mpesa_payer_name = fields.Char("M-Pesa Payer Name", readonly=True, copy=False)
    mpesa_bill_ref = fields.Char("Account Number Typed", readonly=True, copy=False,
                                 help="What the customer typed as account number when paying the paybill.")
    mpesa_account_reference = fields.Char("Account Reference Sent", readonly=True, copy=False,
                                          index='btree_not_null',
                                          help="The reference shown on the customer's phone for an STK push.")
    mpesa_paid_at = fields.Datetime("Paid On (M-Pesa)", readonly=True, copy=False)
    mpesa_amount_received = fields.Monetary("Amount Received", readonly=True, copy=False,
                                            help="The amount M-Pesa reported as paid.")
    mpesa_result_code = fields.Char("M-Pesa Result Code", readonly=True, copy=False)
    mpesa_next_query_at = fields.Datetime("Next Status Query", readonly=True, copy=False, index='btree_not_null')
    mpesa_query_count = fields.Integer("Status Queries", readonly=True, copy=False)
    mpesa_statement_line_id = fields.Many2one('account.bank.statement.line', "M-Pesa Statement Line",
                                              readonly=True, copy=False, index='btree_not_null')
    mpesa_missing_from_statement = fields.Boolean(
        "Missing from the M-Pesa Statement", readonly=True, copy=False,
        help="Booked in Odoo but absent from an imported statement covering its date.",
    )

    _sql_constraints = [
        ('mpesa_checkout_request_id_unique', 'UNIQUE(mpesa_checkout_request_id)',
         "An STK push request belongs to one transaction."),
        ('mpesa_receipt_unique', 'UNIQUE(mpesa_receipt)', "An M-Pesa receipt is booked once."),
    ]

    # ------------------------------------------------------------------
    # STK push (Odoo asks the customer's phone)
    # ------------------------------------------------------------------

    def _get_specific_processing_values(self, processing_values):
        """The checkout page sends the phone number with this token to ``/payment/mpesa/stk_push``."""
        res = super()._get_specific_processing_values(processing_values)
        if self.provider_code != 'mpesa':
            return res
        return {**res, 'mpesa_access_token': payment_utils.generate_access_token(self.reference, self.partner_id.id)}

    def _ddcpts_send_mobile_request(self, phone):
        if self.provider_code != 'mpesa':
            return super()._ddcpts_send_mobile_request(phone)
        self._mpesa_send_stk_push(phone)

    def _mpesa_send_stk_push(self, phone):
        """Prompt the customer's phone for this payment; its outcome arrives by callback (or status query).

        :param str phone: the M-Pesa number, in any Kenyan format
        :raise UserError: wrong number or amount, or M-Pesa refused the request (nothing was asked)
        """
        self.ensure_one()
        if self.state != 'draft':
            raise UserError(_("The payment %s was already sent to M-Pesa; start a new payment.", self.reference))
        msisdn = normalize_msisdn(str(phone) if phone else '', 'KE')  # JSON callers may send a number
        if not msisdn.startswith('254'):
            raise UserError(_("%s is not a Kenyan mobile number: M-Pesa serves Kenyan numbers only.", phone))
        provider = self.provider_id
        amount = provider._mpesa_whole_amount(self.amount, self.currency_id)
        if amount != self.amount:
            self.amount = amount  # cents rounded up: what M-Pesa takes is what is booked
        account_reference = daraja.account_reference(self._mpesa_document_reference())
        label = _("Invoice") if self.invoice_ids else _("Payment")
        description = f"{label} {account_reference[-(const.TRANSACTION_DESC_LENGTH - len(label) - 1):]}"
        timestamp, password = provider._mpesa_password()
        party_b, transaction_type = provider._mpesa_party_b()
        _status, data = provider._mpesa_request(const.STK_PUSH_PATH, {
            'BusinessShortCode': provider.mpesa_shortcode,
            'Password': password,
            'Timestamp': timestamp,
            'TransactionType': transaction_type,
            'Amount': amount,
            'PartyA': msisdn,
            'PartyB': party_b,
            'PhoneNumber': msisdn,
            'CallBackURL': provider._mpesa_callback_url('stk'),
            'AccountReference': account_reference,
            'TransactionDesc': description[:const.TRANSACTION_DESC_LENGTH],
        }, endpoint='stk_push', related=self)
        if not daraja.is_accepted(data) or not data.get('CheckoutRequestID'):
            raise provider._mpesa_refusal(data, _("send the payment request to %s", msisdn))
        self.write({
            'mpesa_checkout_request_id': str(data['CheckoutRequestID']),
            'mpesa_merchant_request_id': str(data.get('MerchantRequestID') or ''),
            'provider_reference': str(data['CheckoutRequestID']),
            'mpesa_phone': msisdn,
            'mpesa_account_reference': account_reference,
            'mpesa_source': 'stk',
            'mpesa_next_query_at': fields.Datetime.now() + const.STK_QUERY_FIRST_DELAY,
            'mpesa_query_count': 0,
        })
        self._set_pending()
        self.env.ref('ddcpts_mpesa.ir_cron_mpesa_query_pending')._trigger(at=self.mpesa_next_query_at)

    def _mpesa_document_reference(self):
        """What the customer recognises on the prompt: the invoice number, else the payment reference."""
        invoice = self.invoice_ids[:1]
        return invoice.payment_reference or invoice.name or re.sub(r'-\d+$', '', self.reference)

    @api.model
    def _mpesa_process_stk_callback(self, callback):
        """Processor of the STK push callback route: checked by its schema, then applied by the payment
        notification pipeline (``_handle_notification_data``) like any provider's notification."""
        data = callback._ddcpts_payload(schemas.STK_CALLBACK)
        # locked and read by one query, without waiting; one held by another worker is looked up unlocked
        locked = search_lock(self, self._mpesa_stk_request_domain(data['CheckoutRequestID']), skip_locked=True)
        tx = locked or self._get_tx_from_notification_data('mpesa', data)
        if tx.provider_id.id != callback.provider_res_id:
            raise CallbackInputError(_("No payment request %s is known here.", data['CheckoutRequestID']), status=404)
        callback._ddcpts_link(tx, reference=data['CheckoutRequestID'])
        if tx._mpesa_stk_result_applied(data):
            callback._ddcpts_mark_duplicate()
            return tx
        if not locked:
            raise CallbackDeferred(_("Payment %s is being processed by another worker.", tx.reference))
        tx._handle_notification_data('mpesa', data)
        return tx

    def _get_tx_from_notification_data(self, provider_code, notification_data):
        """The STK push of a callback, by its CheckoutRequestID (a unique key)."""
        tx = super()._get_tx_from_notification_data(provider_code, notification_data)
        if provider_code != 'mpesa' or len(tx) == 1:
            return tx
        checkout_id = notification_data['CheckoutRequestID']
        tx = self.search_fetch(self._mpesa_stk_request_domain(checkout_id), ['provider_id', 'state', 'mpesa_receipt'])
        if not tx:
            raise CallbackInputError(_("No payment request %s is known here.", checkout_id), status=404)
        return tx

    @api.model
    def _mpesa_stk_request_domain(self, checkout_id):
        return [('mpesa_checkout_request_id', '=', checkout_id), ('provider_code', '=', 'mpesa')]

    def _process_notification_data(self, notification_data):
        """Apply the result of an STK push callback (validated by ``schemas.STK_CALLBACK``)."""
        super()._process_notification_data(notification_data)
        if self.provider_code != 'mpesa':
            return
        code = notification_data['ResultCode']
        receipt_values = self._mpesa_stk_receipt_values(notification_data) if code == const.STK_SUCCESS else None
        self._mpesa_apply_stk_result(code, notification_data['ResultDesc'], receipt_values)

    def _mpesa_stk_result_applied(self, data):
        """Whether this STK result was applied already (a replay): read without waiting for the row."""
        self.ensure_one()
        if data['ResultCode'] != const.STK_SUCCESS:
            return self.state not in ('draft', 'pending')
        items = (data['CallbackMetadata'] or {}).get('Item') or {}
        return bool(self.mpesa_receipt) and self.mpesa_receipt == items.get('MpesaReceiptNumber')

    @api.model
    def _mpesa_stk_receipt_values(self, data):
        """The paid items of a successful STK callback, as read by Name by its schema."""
        items = (data['CallbackMetadata'] or {}).get('Item') or {}
        if not items.get('MpesaReceiptNumber'):
            raise CallbackInputError(_("The successful callback has no MpesaReceiptNumber."))
        if items.get('Amount') is None:
            raise CallbackInputError(_("The successful callback has no Amount."))
        return {
            'receipt': items['MpesaReceiptNumber'],
            'amount': items['Amount'],
            'phone': items['PhoneNumber'] or '',
            'paid_at': items['TransactionDate'],
        }

    def _mpesa_apply_stk_result(self, code, description, receipt_values=None):
        """Apply the outcome of an STK push (from its callback or a status query); return whether it changed.

        Success carries the receipt (callback) or not (status query: the receipt comes later with the
        C2B confirmation or the statement). 1032 cancels, other codes are errors in plain words.
        """
        self.ensure_one()
        if code == const.STK_SUCCESS and receipt_values:
            return self._mpesa_apply_receipt(receipt_values)
        if self.state not in ('draft', 'pending'):
            return False
        self.write({'mpesa_result_code': str(code), 'mpesa_next_query_at': False})
        if code == const.STK_SUCCESS:
            self._set_done(state_message=_(
                "Confirmed by M-Pesa's status query: the receipt number will come with the paybill confirmation "
                "or the statement."))
            self._ddcpts_trigger_post_processing()
        elif code == const.STK_CANCELLED:
            self._set_canceled(state_message=self._mpesa_result_message(code, description))
        else:
            self._set_error(self._mpesa_result_message(code, description))
        return True

    def _mpesa_result_message(self, code, description):
        # env._: crons have no request to take the language from (str() of a lazy term logs a warning)
        message = const.STK_RESULT_MESSAGES.get(code)
        return self.env._(message) if message else (description or self.env._("M-Pesa answered with result %s.", code))

    def _mpesa_apply_receipt(self, values):
        """Book the money of receipt ``values['receipt']`` on this (locked) STK transaction.

        :param dict values: receipt, amount (Decimal), phone, paid_at and optionally payer_name, bill_ref
        :return: whether anything changed (False: this receipt was applied already)
        """
        self.ensure_one()
        receipt = values['receipt']
        if self.mpesa_receipt == receipt:
            return False
        booked = self.search([('mpesa_receipt', '=', receipt)])._mpesa_lock()
        if booked and not self.mpesa_receipt and booked._mpesa_is_unassigned_copy(values):
            values = dict(values, payer_name=values.get('payer_name') or booked.mpesa_payer_name)
            booked._mpesa_release_receipt(self)
            booked = self.browse()
        if booked:
            # seen first as a paybill payment that could not be paired with this request
            if self.state in ('draft', 'pending'):
                self.mpesa_next_query_at = False
                self._set_error(_("This payment was recorded as %s.", booked.reference))
                if booked.ddcpts_needs_review and self.invoice_ids:
                    booked._ddcpts_flag_for_review(_("It pays the STK push %(ref)s for %(invoices)s.",
                                                     ref=self.reference,
                                                     invoices=', '.join(self.invoice_ids.mapped('name'))))
                return True
            if self.state == 'done' and not self.mpesa_receipt:
                (self | booked)._ddcpts_flag_for_review(_(
                    "Receipt %(receipt)s was booked twice: by %(ref)s (confirmed by status query) and %(other)s.",
                    receipt=receipt, ref=self.reference, other=booked.reference))
                return True
            return False
        if self.mpesa_receipt:
            # another receipt for a request already paid: the customer paid twice, keep both, review
            second = self._mpesa_create_received_tx(self.provider_id, dict(values, source=self.mpesa_source),
                                                    {'partner_id': self.partner_id.id,
                                                     'invoice_ids': [Command.set(self.invoice_ids.ids)]})
            second._ddcpts_flag_for_review(_("Second payment for the request %s.", self.reference))
            return True
        mismatch = self.currency_id.compare_amounts(float(values['amount']), self.amount) != 0
        self.write({
            'mpesa_receipt': receipt,
            'provider_reference': receipt,
            'mpesa_phone': values.get('phone') or self.mpesa_phone,
            'mpesa_payer_name': values.get('payer_name') or self.mpesa_payer_name,
            'mpesa_paid_at': values.get('paid_at') or fields.Datetime.now(),
            'mpesa_amount_received': float(values['amount']),
            'mpesa_result_code': '0',
            'mpesa_next_query_at': False,
        })
        if mismatch:
            reason = _("M-Pesa reported %(paid)s paid instead of the %(asked)s requested: an accountant will check "
                       "this payment.", paid=self._mpesa_format(values['amount']),
                       asked=self._mpesa_format(self.amount))
            if self.state != 'done':  # done: confirmed earlier by a status query, booked with the requested amount
                self._update_state(('draft', 'pending', 'error', 'cancel'), 'error', reason)
            self._ddcpts_flag_for_review(reason)
            return True
        if self.state != 'done':
            self._set_done(extra_allowed_states=('cancel',))
            self._ddcpts_trigger_post_processing()
        return True

    def _mpesa_is_unassigned_copy(self, values):
        """Whether this (locked) transaction is a paybill payment of the same money still waiting for review,
        booked nowhere: a till's C2B confirmation carries no account number to pair it with its STK push."""
        self.ensure_one()
        return (self.mpesa_source == 'c2b' and self.state == 'done' and self.ddcpts_needs_review
                and not self.payment_id and not self.mpesa_checkout_request_id
                and not self.mpesa_statement_line_id and self.operation != 'refund'
                and self.currency_id.compare_amounts(float(values['amount']), self.amount) == 0)

    def _mpesa_release_receipt(self, stk_tx):
        """Give the receipt of this unassigned copy to the STK push ``stk_tx`` it turned out to be (the push's
        callback names the request for sure); the copy is cancelled, having booked nothing."""
        self.ensure_one()
        self.write({'mpesa_receipt': False, 'ddcpts_needs_review': False})
        self.flush_recordset(['mpesa_receipt'])  # the receipt is unique: free it before the push takes it
        self._update_state(('done',), 'cancel', _("Same payment as the M-Pesa request %(ref)s (receipt "
                                                  "%(receipt)s), booked there.", ref=stk_tx.reference,
                                                  receipt=self.provider_reference))

    def _mpesa_format(self, amount):
        return formatLang(self.env, float(amount), currency_obj=self.currency_id)

    # ------------------------------------------------------------------
    # Lost callbacks: STK query with backoff
    # ------------------------------------------------------------------

    @api.model
    def _cron_mpesa_query_pending(self):
        """Ask M-Pesa about STK pushes whose callback did not come; each claimed (SKIP LOCKED) and committed."""
        process_queue(self, [('state', '=', 'pending'), ('mpesa_checkout_request_id', '!=', False),
                             ('mpesa_next_query_at', '<=', fields.Datetime.now())],
                      lambda transactions: transactions._mpesa_query_claimed(), limit=const.STK_QUERY_BATCH,
                      cron_xmlid='ddcpts_mpesa.ir_cron_mpesa_query_pending')
        next_query = self.search([('state', '=', 'pending'), ('mpesa_next_query_at', '!=', False)],
                                 order='mpesa_next_query_at', limit=1).mpesa_next_query_at
        if next_query:
            self.env.ref('ddcpts_mpesa.ir_cron_mpesa_query_pending')._trigger(at=next_query)

    def _mpesa_query_claimed(self):
        for tx in self:
            try:
                with self.env.cr.savepoint():
                    tx._mpesa_query_stk_status()
            except UserError as error:
                _logger.info("STK query of %s failed, retried later: %s", tx.reference, error)
                tx._mpesa_schedule_next_query()

    def _mpesa_query_stk_status(self):
        """Resolve a pending STK push: a stored callback that failed, else Daraja's STK query."""
        self.ensure_one()
        if self._mpesa_reprocess_stored_callback():
            return
        provider = self.provider_id
        timestamp, password = provider._mpesa_password()
        _status, data = provider._mpesa_request(const.STK_QUERY_PATH, {
            'BusinessShortCode': provider.mpesa_shortcode,
            'Password': password,
            'Timestamp': timestamp,
            'CheckoutRequestID': self.mpesa_checkout_request_id,
        }, endpoint='stk_query', related=self, idempotent=True)
        result = schemas.stk_query_result(data)
        if result:
            self._mpesa_apply_stk_result(*result)
        elif self.last_state_change < fields.Datetime.now() - const.STK_QUERY_DEADLINE:
            self.mpesa_next_query_at = False
            self._set_error(_("M-Pesa never confirmed this payment request. If the customer paid, the payment is "
                              "recovered from the paybill confirmation or the M-Pesa statement."))
        else:
            self._mpesa_schedule_next_query()  # "The transaction is being processed", or an outage

    def _mpesa_schedule_next_query(self):
        """Ask again later, twice as late each time (capped): the customer may still be typing the PIN."""
        for tx in self:
            tx.mpesa_query_count += 1
            delay = min(const.STK_QUERY_FIRST_DELAY * 2 ** tx.mpesa_query_count, const.STK_QUERY_MAX_DELAY)
            tx.mpesa_next_query_at = fields.Datetime.now() + delay

    def _mpesa_reprocess_stored_callback(self):
        """A callback that came before the push was committed failed as unknown: process it again now."""
        callback = self.env['ddcpts.callback'].search([
            ('provider_model', '=', 'payment.provider'), ('provider_res_id', '=', self.provider_id.id),
            ('processor', '=', STK_CALLBACK_PROCESSOR), ('state', '=', 'failed'),
            ('body', 'like', self.mpesa_checkout_request_id),
        ], limit=1)
        if callback:
            callback._ddcpts_process()
        return self.state != 'pending'

    # ------------------------------------------------------------------
    # C2B: money that arrives on the paybill or till
    # ------------------------------------------------------------------

    @api.model
    def _mpesa_process_c2b_validation(self, callback):
        """Processor of the C2B validation route: accept, or reject with the matching C2B000xx code."""
        provider = callback._ddcpts_provider_record()
        values = self._mpesa_c2b_values(callback._ddcpts_payload(schemas.C2B_PAYMENT))
        if not provider.mpesa_c2b_validation:
            return const.C2B_ACCEPT
        currency = provider.mpesa_currency_id
        if (currency.compare_amounts(float(values['amount']), provider.mpesa_c2b_min_amount) < 0
                or currency.compare_amounts(float(values['amount']), provider.mpesa_c2b_max_amount) > 0):
            return {'ResultCode': const.C2B_REJECT_INVALID_AMOUNT, 'ResultDesc': 'Rejected'}
        if provider.mpesa_c2b_require_known_reference and not self._mpesa_match_reference(
                provider, values['bill_ref'], values['phone']):
            return {'ResultCode': const.C2B_REJECT_INVALID_ACCOUNT, 'ResultDesc': 'Rejected'}
        return const.C2B_ACCEPT

    @api.model
    def _mpesa_process_c2b_confirmation(self, callback):
        """Processor of the C2B confirmation route: the money is there, book it once."""
        provider = callback._ddcpts_provider_record()
        values = self._mpesa_c2b_values(callback._ddcpts_payload(schemas.C2B_PAYMENT))
        tx, changed = self._mpesa_book_received_money(provider, dict(values, source='c2b'))
        callback._ddcpts_link(tx, reference=values['receipt'])
        if not changed:
            callback._ddcpts_mark_duplicate(values['receipt'])
        return tx

    @api.model
    def _mpesa_c2b_values(self, payment):
        """The booking values of a validation or confirmation body (validated by ``schemas.C2B_PAYMENT``)."""
        names = (payment[key] for key in ('FirstName', 'MiddleName', 'LastName'))
        return {
            'receipt': payment['TransID'],
            'amount': payment['TransAmount'],
            'phone': payment['MSISDN'],
            'payer_name': ' '.join(name for name in names if name),
            'bill_ref': payment['BillRefNumber'],
            'paid_at': payment['TransTime'],
        }

    @api.model
    def _mpesa_book_received_money(self, provider, values):
        """Book money that arrived (C2B confirmation or statement row) exactly once.

        :return: ``(transaction, changed)``; changed is False when the receipt was booked already
        """
        booked = self.search([('mpesa_receipt', '=', values['receipt'])])
        if booked:  # a receipt is booked once and never changes: no need to wait for the row
            return booked, False
        stk_tx = self._mpesa_find_stk_request(provider, values)
        if stk_tx:
            return stk_tx, stk_tx._mpesa_apply_receipt(values)
        match = self._mpesa_match_reference(provider, values['bill_ref'], values['phone'])
        tx = self._mpesa_create_received_tx(provider, values, match)
        if not match:
            tx._ddcpts_flag_for_review(_("The account number \"%s\" matches no invoice, customer or document.",
                                         values['bill_ref']) if values['bill_ref'] else
                                       _("The payment came without an account number."))
        return tx, True

    @api.model
    def _mpesa_find_stk_request(self, provider, values):
        """The STK push this paybill payment completes: same AccountReference and amount, no receipt yet.

        A confirmation arrives as the money moves; a statement row is read days or weeks later and must
        still find the push a status query confirmed without receipt (or the money would be booked twice),
        so its window starts before its completion time. Of several pushes, the one sent before the
        payment is it (a later push of the same invoice and amount is another payment).
        """
        if not values['bill_ref']:
            return self
        now = fields.Datetime.now()
        paid_at = values.get('paid_at')
        since = min(paid_at, now) if paid_at and values.get('source') == 'statement' else now
        candidates = self.search([
            ('provider_id', '=', provider.id),
            ('mpesa_checkout_request_id', '!=', False),
            ('mpesa_receipt', '=', False),
            ('mpesa_account_reference', '=', daraja.alphanumeric(values['bill_ref'])),
            ('state', 'in', ('pending', 'done')),
            ('amount', '=', float(values['amount'])),
            ('create_date', '>=', since - STK_PAIRING_WINDOW),
        ], limit=STK_PAIRING_CANDIDATES)
        if len(candidates) > 1 and paid_at:
            candidates = candidates.filtered(lambda tx: tx.create_date <= paid_at + CLOCK_MARGIN) or candidates
        return candidates._mpesa_lock() if len(candidates) == 1 else self

    @api.model
    def _mpesa_match_reference(self, provider, reference, msisdn):
        """Who paid, in the documented order: the account number typed is an open invoice, else a document
        claimed by another addon (``_ddcpts_match_reference``: a SACCO member number is never booked as a
        plain customer payment), else a customer (by reference or phone).
        Returns transaction values (empty: nobody, the money waits for review)."""
        company = provider.company_id
        invoice = self.env['account.move']._mpesa_find_open_invoice(reference, company)
        if invoice:
            return {'partner_id': invoice.partner_id.id, 'invoice_ids': [Command.set(invoice.ids)]}
        claimed = self._ddcpts_match_reference(reference, company, msisdn=msisdn) if reference else {}
        if claimed:
            return claimed
        partner = self.env['res.partner']._mpesa_find_payer(reference, msisdn, company)
        return {'partner_id': partner.id} if partner else {}

    @api.model
    def _mpesa_create_received_tx(self, provider, values, match):
        """A done transaction for money that arrived, assigned by ``match`` (or to the unidentified payer)."""
        payment_method = provider.payment_method_ids.filtered(lambda method: method.code == 'mpesa')[:1] \
            or self.env.ref('payment.payment_method_mpesa')
        tx = self.create({
            'provider_id': provider.id,
            'payment_method_id': payment_method.id,
            'reference': self._compute_reference(provider.code, prefix=values['receipt']),
            'amount': float(values['amount']),
            'currency_id': provider.mpesa_currency_id.id,
            'partner_id': self.env.ref('ddcpts_mpesa.partner_unidentified_payer').id,
            'operation': 'online_direct',
            'provider_reference': values['receipt'],
            'mpesa_receipt': values['receipt'],
            'mpesa_source': values['source'],
            'mpesa_phone': values.get('phone'),
            'mpesa_payer_name': values.get('payer_name'),
            'mpesa_bill_ref': values.get('bill_ref'),
            'mpesa_paid_at': values.get('paid_at') or fields.Datetime.now(),
            'mpesa_amount_received': float(values['amount']),
            'mpesa_result_code': '0',
            **match,
        })
        tx._set_done()
        tx._ddcpts_trigger_post_processing()
        return tx

    def _create_payment(self, **extra_create_values):
        """Money waiting for review has no payment yet: it is booked when an accountant assigns it."""
        if self.provider_code == 'mpesa' and self.ddcpts_needs_review:
            return self.env['account.payment']
        return super()._create_payment(**extra_create_values)

    # ------------------------------------------------------------------
    # Review queue
    # ------------------------------------------------------------------

    def action_mpesa_review(self):
        """Button of the review queue: assign this money in the wizard (prefilled with a suggestion)."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _("Assign M-Pesa Payment"),
            'res_model': 'ddcpts.mpesa.review.assign',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_transaction_id': self.id},
        }

    def _mpesa_assign(self, partner, invoices=None, origin=None):
        """Assign reviewed M-Pesa money to a customer, invoices and/or a document, then book it.

        A payment refused for an amount mismatch is accepted with the amount actually received.
        """
        self.ensure_one()
        if self.payment_id:
            raise UserError(_("%s is booked already: reconcile its payment instead.", self.reference))
        values = {'partner_id': partner.id, 'ddcpts_needs_review': False}
        if invoices is not None:
            values['invoice_ids'] = [Command.set(invoices.ids)]
        if origin is not None:
            values['ddcpts_origin'] = origin and f'{origin._name},{origin.id}'
        was_done = self.state == 'done'
        if not was_done and self.mpesa_amount_received:
            values['amount'] = self.mpesa_amount_received
        self.write(values)
        if was_done:  # post-processed already, without a payment while it waited for review
            self.with_company(self.company_id)._create_payment()
            if self.ddcpts_origin:
                self._ddcpts_post_process_origin()
        else:
            self._set_done(extra_allowed_states=('cancel',))
            self._post_process()
        if self.mpesa_statement_line_id:
            self.mpesa_statement_line_id._mpesa_reconcile()

    def action_mpesa_check_status(self):
        """Button: ask M-Pesa's Transaction Status of this receipt; the answer is logged on the invoices."""
        self.ensure_one()
        if not self.mpesa_receipt:
            raise UserError(_("%s has no M-Pesa receipt to ask about yet.", self.reference))
        self.env['ddcpts.mpesa.request']._mpesa_send_status(self.provider_id, receipt=self.mpesa_receipt,
                                                            transaction=self)
        return notification(_("Status requested: M-Pesa answers within a few seconds (see M-Pesa Requests)."))

    # ------------------------------------------------------------------
    # Reversal (refund of a whole STK or C2B payment)
    # ------------------------------------------------------------------

    def _send_refund_request(self, amount_to_refund=None):
        """Reverse the M-Pesa payment; the refund transaction waits for the reversal result."""
        if self.provider_code != 'mpesa':
            return super()._send_refund_request(amount_to_refund=amount_to_refund)
        if not self.mpesa_receipt:
            raise UserError(_("The M-Pesa receipt of %s is not known yet: import the M-Pesa statement, then "
                              "reverse it.", self.reference))
        refund_tx = super()._send_refund_request(amount_to_refund=amount_to_refund)
        self.env['ddcpts.mpesa.request']._mpesa_send_reversal(refund_tx)
        refund_tx._set_pending()
        return refund_tx

    def action_mpesa_reverse_again(self):
        """Button: send the reversal of a refund again when M-Pesa never gave its result (queue timeout).

        Safe to repeat: when the first reversal went through, M-Pesa answers ``R000001`` (already
        reversed), which completes the refund just the same.
        """
        self.ensure_one()
        if not (self.provider_code == 'mpesa' and self.operation == 'refund' and self.state == 'pending'):
            raise UserError(_("Only a pending M-Pesa refund can be reversed again."))
        last_reversal = self.env['ddcpts.mpesa.request'].search(
            [('transaction_id', '=', self.id), ('kind', '=', 'reversal')], limit=1)
        if last_reversal.state == 'sent':
            raise UserError(_("M-Pesa has not answered the reversal of %s yet: wait for its result.", self.reference))
        self.env['ddcpts.mpesa.request']._mpesa_send_reversal(self)
        return notification(_("Reversal sent again: M-Pesa answers within a few seconds."))

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _mpesa_lock(self):
        """Lock these transactions for the callback changing them, without waiting (``SKIP LOCKED``: no
        savepoint needed): when another worker holds one (post-processing, a cron), the callback is
        deferred and processed again later.

        A row changed by a concurrent (committed) transaction raises a serialization failure here: the
        callback decorator then processes the callback again, and it sees the change.
        """
        if lock_and_read(self, skip_locked=True) != self:
            raise CallbackDeferred(_("Payment %s is being processed by another worker.", self[:1].reference))
        return self
