from odoo import _, api, fields, models

from odoo.addons.ddcpts_base.exceptions import CallbackDeferred, CallbackInputError
from odoo.addons.ddcpts_base.tools.locking import lock_rows
from odoo.addons.ddcpts_mpesa import const
from odoo.addons.ddcpts_mpesa.tools import daraja, schemas

KINDS = {
    # kind: (label, API path, CommandID, log endpoint)
    'status': ("Transaction Status", const.TRANSACTION_STATUS_PATH, 'TransactionStatusQuery', 'transaction_status'),
    'balance': ("Account Balance", const.ACCOUNT_BALANCE_PATH, 'AccountBalance', 'account_balance'),
    'reversal': ("Reversal", const.REVERSAL_PATH, 'TransactionReversal', 'reversal'),
}


class DdcptsMpesaRequest(models.Model):
    """An asynchronous Daraja request (Transaction Status, Account Balance, Reversal) and its result.

    Daraja answers these calls at once with ConversationIDs and posts the outcome later to the result
    URL (or a queue-timeout URL): this record is what the result is matched with, once.
    """
    _name = 'ddcpts.mpesa.request'
    _description = "M-Pesa asynchronous request"
    _order = 'id desc'

    name = fields.Char(compute='_compute_name')
    kind = fields.Selection([(kind, label) for kind, (label, *_rest) in KINDS.items()], required=True, readonly=True)
    provider_id = fields.Many2one('payment.provider', "M-Pesa Account", required=True, readonly=True,
                                  ondelete='cascade', index=True)
    company_id = fields.Many2one(related='provider_id.company_id', store=True, index=True)
    state = fields.Selection([
        ('sent', "Waiting for the Result"),
        ('done', "Done"),
        ('failed', "Failed"),
        ('timeout', "Timed Out"),
    ], required=True, default='sent', readonly=True, index=True)
    subject = fields.Char("Asked About", readonly=True, help="The receipt or conversation the request is about.")
    originator_conversation_id = fields.Char("OriginatorConversationID", readonly=True, index='btree_not_null')
    conversation_id = fields.Char("ConversationID", readonly=True, index='btree_not_null')
    transaction_id = fields.Many2one('payment.transaction', "Transaction", readonly=True, ondelete='cascade',
                                     index='btree_not_null')
    payout_id = fields.Many2one('ddcpts.payout', "Payout", readonly=True, ondelete='cascade', index='btree_not_null')
    result_code = fields.Char(readonly=True)
    result_desc = fields.Char("Result", readonly=True)
    result_details = fields.Text(readonly=True, help="The result parameters M-Pesa sent.")
    received_at = fields.Datetime("Result Received On", readonly=True)

    @api.depends('kind', 'subject')
    def _compute_name(self):
        labels = dict(self._fields['kind']._description_selection(self.env))
        for request in self:
            request.name = ' '.join(filter(None, [labels.get(request.kind), request.subject]))

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    @api.model
    def _mpesa_send(self, provider, kind, payload, **links):
        """Send a request of ``kind`` with the initiator's credentials and the result URLs; return its record."""
        _label, path, command_id, endpoint = KINDS[kind]
        initiator, credential = provider._mpesa_initiator()
        related = links.get('payout_id') or links.get('transaction_id')
        _status, data = provider._mpesa_request(path, {
            'Initiator': initiator,
            'SecurityCredential': credential,
            'CommandID': command_id,
            'IdentifierType': '4',
            'Remarks': KINDS[kind][0],
            'Occasion': '',
            'QueueTimeOutURL': provider._mpesa_callback_url(f'{kind}-timeout'),
            'ResultURL': provider._mpesa_callback_url(f'{kind}-result'),
            **payload,
        }, endpoint=endpoint, related=related)
        if not daraja.is_accepted(data):
            raise provider._mpesa_refusal(data, _("accept the %s request", KINDS[kind][0].lower()))
        return self.sudo().create({
            'kind': kind,
            'provider_id': provider.id,
            'subject': links.get('subject'),
            'originator_conversation_id': data.get('OriginatorConversationID') or False,
            'conversation_id': data.get('ConversationID') or False,
            'transaction_id': links.get('transaction_id', self.env['payment.transaction']).id,
            'payout_id': links.get('payout_id', self.env['ddcpts.payout']).id,
        })

    @api.model
    def _mpesa_send_status(self, provider, receipt=None, conversation_id=None, transaction=None, payout=None):
        """Transaction Status of a receipt, or of a request by its conversation id (payouts)."""
        links = {'subject': receipt or conversation_id}
        if transaction:
            links['transaction_id'] = transaction
        if payout:
            links['payout_id'] = payout
        return self._mpesa_send(provider, 'status', {
            'TransactionID': receipt or '',
            'OriginalConversationID': conversation_id or '',
            'PartyA': (payout and provider.mpesa_b2c_shortcode) or provider.mpesa_shortcode,
        }, **links)

    @api.model
    def _mpesa_send_balance(self, provider):
        return self._mpesa_send(provider, 'balance', {'PartyA': provider.mpesa_shortcode},
                                subject=provider.mpesa_shortcode)

    @api.model
    def _mpesa_send_reversal(self, refund_tx):
        """Reverse the receipt of the transaction ``refund_tx`` refunds (the whole amount)."""
        source = refund_tx.source_transaction_id
        provider = source.provider_id
        return self._mpesa_send(provider, 'reversal', {
            'TransactionID': source.mpesa_receipt,
            'Amount': int(abs(refund_tx.amount)),
            'ReceiverParty': provider.mpesa_shortcode,
            'RecieverIdentifierType': '11',  # sic
            'Occasion': refund_tx.reference,
        }, subject=source.mpesa_receipt, transaction_id=refund_tx)

    # ------------------------------------------------------------------
    # Results (callback processors)
    # ------------------------------------------------------------------

    @api.model
    def _mpesa_result_of(self, callback, result_schema):
        """The ``Result`` of an asynchronous result or queue-timeout body, checked by ``result_schema``."""
        result = callback._ddcpts_payload(result_schema)
        if not (result['OriginatorConversationID'] or result['ConversationID']):
            raise CallbackInputError(_("The body has no Result with an OriginatorConversationID or ConversationID."))
        return result

    @api.model
    def _mpesa_result_code(self, result):
        """The ``ResultCode`` of a result about a known request: required before anything changes."""
        if result['ResultCode'] is None:
            raise CallbackInputError(_("ResultCode: is missing"))
        return result['ResultCode']

    @api.model
    def _mpesa_process_status_result(self, callback):
        return self._mpesa_process_result(callback, 'status')

    @api.model
    def _mpesa_process_balance_result(self, callback):
        return self._mpesa_process_result(callback, 'balance')

    @api.model
    def _mpesa_process_reversal_result(self, callback):
        return self._mpesa_process_result(callback, 'reversal')

    @api.model
    def _mpesa_process_result(self, callback, kind):
        result = self._mpesa_result_of(callback, schemas.REQUEST_RESULTS[kind])
        request = self._mpesa_find_request(callback, result, kind)
        if request.state != 'sent':
            callback._ddcpts_mark_duplicate()
            return request
        code = self._mpesa_result_code(result)
        request._mpesa_lock()
        parameters = (result.get('ResultParameters') or {}).get('ResultParameter') or {}
        request.write({
            'state': 'done' if code == 0 else 'failed',
            'result_code': str(code),
            'result_desc': result['ResultDesc'] or '',
            'result_details': '\n'.join(f'{key}: {value}' for key, value in parameters.items() if value is not None),
            'received_at': fields.Datetime.now(),
        })
        getattr(request, f'_mpesa_apply_{request.kind}_result')(code, parameters, result)
        return request

    @api.model
    def _mpesa_process_timeout(self, callback):
        result = self._mpesa_result_of(callback, schemas.QUEUE_TIMEOUT)
        request = self._mpesa_find_request(callback, result)
        if request.state != 'sent':
            callback._ddcpts_mark_duplicate()
            return request
        request._mpesa_lock()
        request.write({'state': 'timeout', 'result_desc': result['ResultDesc'] or _("Queue timeout"),
                       'received_at': fields.Datetime.now()})
        if request.kind == 'reversal' and request.transaction_id.state == 'pending':
            request.transaction_id._log_message_on_linked_documents(_(
                "M-Pesa timed out on the reversal of %s: nothing is known yet. Use \"Reverse Again\" on the "
                "refund transaction %s (a reversal already done is answered as such).",
                request.subject, request.transaction_id.reference,
            ))
        return request

    def _mpesa_find_request(self, callback, result, kind=None):
        """The request a result is about (read without waiting for its row), linked to the callback."""
        keys = [result[key] for key in ('OriginatorConversationID', 'ConversationID') if result[key]]
        domain = [('provider_id', '=', callback.provider_res_id), '|',
                  ('originator_conversation_id', 'in', keys), ('conversation_id', 'in', keys)]
        request = self.search(domain + ([('kind', '=', kind)] if kind else []), limit=1)
        if not request:
            raise CallbackInputError(_("No M-Pesa request %s is known here.", keys[0]), status=404)
        callback._ddcpts_link(request, reference=keys[-1])
        return request

    def _mpesa_lock(self):
        """Lock the request without waiting: held by another worker, the result is processed again later."""
        if not lock_rows(self, skip_locked=True):
            raise CallbackDeferred(_("The M-Pesa request %s is being processed by another worker.", self.name))

    def _mpesa_apply_status_result(self, code, parameters, result):
        if self.payout_id:
            self.payout_id._mpesa_apply_status(code, parameters, result['ResultDesc'] or '')
        elif self.transaction_id:
            self.transaction_id._log_message_on_linked_documents(_(
                "M-Pesa status of %(receipt)s: %(status)s", receipt=self.subject,
                status=parameters.get('TransactionStatus') or self.result_desc,
            ))

    def _mpesa_apply_balance_result(self, code, parameters, result):
        if code != 0:
            return
        provider = self.provider_id
        provider.mpesa_balance_ids.unlink()
        currencies = self.env['res.currency'].with_context(active_test=False)
        self.env['ddcpts.mpesa.balance'].create([{
            'provider_id': provider.id,
            'account_name': balance['account'],
            'currency_id': (currencies.search([('name', '=', balance['currency'])], limit=1)
                            or provider.mpesa_currency_id).id,
            'current_balance': float(balance['current']),
            'available_balance': float(balance['available']),
            'reserved_balance': float(balance['reserved']),
            'uncleared_balance': float(balance['uncleared']),
        } for balance in daraja.parse_balances(parameters.get('AccountBalance'))])
        provider.mpesa_balance_checked_at = parameters.get('BOCompletedTime') or fields.Datetime.now()

    def _mpesa_apply_reversal_result(self, code, parameters, result):
        refund_tx = self.transaction_id
        if refund_tx.state not in ('draft', 'pending'):
            return
        if code in (0, const.REVERSAL_ALREADY_DONE):
            receipt = result['TransactionID'] or False
            if receipt and not refund_tx.search_count([('mpesa_receipt', '=', receipt)]):
                refund_tx.write({'mpesa_receipt': receipt, 'provider_reference': receipt})
            message = _("M-Pesa had already reversed this payment.") if code == const.REVERSAL_ALREADY_DONE else None
            refund_tx._set_done(state_message=message)
            refund_tx._ddcpts_trigger_post_processing()
        elif code == const.REVERSAL_INVALID_ORIGINAL:
            refund_tx._set_error(_("M-Pesa does not know the original payment %s: nothing was reversed.",
                                   self.subject))
        else:
            refund_tx._set_error(_("M-Pesa refused the reversal: %s", result['ResultDesc'] or code))
