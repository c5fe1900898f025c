from odoo import _, fields, models
from odoo.fields import Command


class AccountBankStatementLine(models.Model):
    """A row of an imported M-Pesa org-portal statement and what it was reconciled with.

    Money in is matched by receipt with its transaction, and booked through the C2B confirmation path
    when Odoo never heard of it (a lost callback); payouts and reversals are matched with their
    payments; charges go to the provider's charges account. What cannot be matched stays in the
    journal's suspense account for the accountant.
    """
    _inherit = 'account.bank.statement.line'

    mpesa_provider_id = fields.Many2one('payment.provider', "M-Pesa Account", readonly=True,
                                               index='btree_not_null')
    mpesa_receipt = fields.Char("M-Pesa Receipt", readonly=True, index='btree_not_null')
    mpesa_kind = fields.Selection([
        ('payment', "Payment received"),
        ('charge', "Charge"),
        ('payout', "Payout"),
        ('reversal', "Reversal"),
        ('other', "Other"),
    ], string="M-Pesa Row", readonly=True)
    mpesa_completed_at = fields.Datetime("Completed On (M-Pesa)", readonly=True)
    mpesa_account_number = fields.Char("A/C No.", readonly=True)
    mpesa_other_party = fields.Char("Other Party", readonly=True)
    mpesa_state = fields.Selection([
        ('matched', "Matched"),
        ('recovered', "Recovered"),
        ('review', "Waiting for Review"),
        ('charge', "Charge Booked"),
        ('unmatched', "Not Matched"),
    ], string="M-Pesa Reconciliation", readonly=True, index=True)
    mpesa_transaction_id = fields.Many2one('payment.transaction', "M-Pesa Transaction", readonly=True)
    mpesa_payout_id = fields.Many2one('ddcpts.payout', "M-Pesa Payout", readonly=True)
    mpesa_note = fields.Char("Reconciliation Note", readonly=True)
    mpesa_import_key = fields.Char(readonly=True, copy=False,
                                          help="Receipt and row kind: a statement row is imported once.")

    _sql_constraints = [
        ('mpesa_import_key_unique', 'UNIQUE(mpesa_import_key)',
         "This M-Pesa statement row was imported already."),
    ]

    def _mpesa_reconcile(self):
        """Match every M-Pesa row that is still in the suspense account."""
        for line in self.filtered(lambda st_line: st_line.mpesa_provider_id and not st_line.is_reconciled):
            getattr(line, f'_mpesa_reconcile_{line.mpesa_kind}')()

    def _mpesa_reconcile_payment(self):
        """Money in: its transaction, or a new one booked like a C2B confirmation (lost callback)."""
        tx_model = self.env['payment.transaction'].sudo()
        tx = tx_model.search([('mpesa_receipt', '=', self.mpesa_receipt)], limit=1)
        state = 'matched'
        if not tx:
            phone, _sep, name = (self.mpesa_other_party or '').partition(' - ')
            tx, _changed = tx_model._mpesa_book_received_money(self.mpesa_provider_id, {
                'receipt': self.mpesa_receipt,
                'amount': self.amount,
                'phone': phone.strip(),
                'payer_name': name.strip(),
                'bill_ref': self.mpesa_account_number or '',
                'paid_at': self.mpesa_completed_at,
                'source': 'statement',
            })
            state = 'recovered'
        tx.write({'mpesa_statement_line_id': self.id, 'mpesa_missing_from_statement': False})
        if tx.state == 'done' and not tx.is_post_processed:
            tx._post_process()
        if not tx.payment_id:
            self._mpesa_set_state('review', tx, note=tx.ddcpts_review_reason or tx.state_message)
            return
        self._mpesa_reconcile_with_payment(tx.payment_id)
        self._mpesa_set_state(state, tx)

    def _mpesa_reconcile_payout(self):
        payout = self.env['ddcpts.payout'].sudo().search([
            ('channel', '=', 'mpesa'), ('provider_reference', '=', self.mpesa_receipt),
        ], limit=1)
        if not payout.payment_id:
            self._mpesa_set_state('unmatched', note=_("No done M-Pesa payout has this receipt."))
            return
        self._mpesa_reconcile_with_payment(payout.payment_id)
        self.write({'mpesa_state': 'matched', 'mpesa_payout_id': payout.id, 'mpesa_note': False})

    def _mpesa_reconcile_reversal(self):
        refund_tx = self.env['payment.transaction'].sudo().search([
            ('operation', '=', 'refund'), ('source_transaction_id.mpesa_receipt', '=', self.mpesa_receipt),
            ('state', '=', 'done'),
        ], limit=1) or self.env['payment.transaction'].sudo().search([
            ('operation', '=', 'refund'), ('mpesa_receipt', '=', self.mpesa_receipt), ('state', '=', 'done'),
        ], limit=1)
        if not refund_tx.payment_id:
            self._mpesa_set_state('unmatched', note=_("No booked M-Pesa reversal has this receipt."))
            return
        self._mpesa_reconcile_with_payment(refund_tx.payment_id)
        self._mpesa_set_state('matched', refund_tx)

    def _mpesa_reconcile_charge(self):
        account = self.mpesa_provider_id.mpesa_fee_account_id
        if not account:
            self._mpesa_set_state('unmatched', note=_("Set the M-Pesa charges account on the provider."))
            return
        self._mpesa_replace_suspense(account)
        self._mpesa_set_state('charge')

    def _mpesa_reconcile_other(self):
        self._mpesa_set_state('unmatched', note=_("Not an M-Pesa payment, payout, reversal or charge."))

    def _mpesa_set_state(self, state, tx=None, note=False):
        values = {'mpesa_state': state, 'mpesa_note': note or False}
        if tx:
            values['mpesa_transaction_id'] = tx.id
        self.write(values)

    def _mpesa_reconcile_with_payment(self, payment):
        """Move the suspense amount to the payment's outstanding account and reconcile both."""
        outstanding = payment.move_id.line_ids.filtered(
            lambda line: line.account_id == payment.outstanding_account_id and not line.reconciled
        )
        suspense = self._mpesa_replace_suspense(payment.outstanding_account_id, payment.partner_id)
        if suspense and outstanding:
            (suspense + outstanding).reconcile()

    def _mpesa_replace_suspense(self, account, partner=None):
        """Book the statement line's counterpart on ``account`` instead of the journal's suspense account."""
        _liquidity, suspense, _other = self._seek_for_lines()
        if suspense:
            self.move_id.with_context(skip_readonly_check=True).write({'line_ids': [Command.update(suspense.id, {
                'account_id': account.id,
                'partner_id': (partner or suspense.partner_id).id,
            })]})
        return suspense
