from odoo import fields, models

from odoo.addons.ddcpts_sacco_loan import const


class DdcptsSaccoLoanTransaction(models.Model):
    """One movement of a loan (Fineract's loan transaction): disbursement, repayment, waiver, write-off,
    recovery. Its amount is split by component, and its allocation lines say which installments it
    paid; the journal entry books the same split."""
    _name = 'ddcpts.sacco.loan.transaction'
    _description = "SACCO Loan Transaction"
    _order = 'date desc, id desc'
    _check_company_auto = True

    loan_id = fields.Many2one('ddcpts.sacco.loan', required=True, ondelete='restrict', index=True, check_company=True)
    member_id = fields.Many2one(related='loan_id.member_id', store=True, index=True)
    company_id = fields.Many2one(related='loan_id.company_id', store=True, index=True)
    currency_id = fields.Many2one(related='loan_id.currency_id')
    type = fields.Selection(const.TRANSACTION_TYPES, required=True, index=True)
    channel = fields.Selection(const.REPAYMENT_CHANNELS)
    date = fields.Date(required=True, index=True)
    amount = fields.Monetary(required=True)
    principal = fields.Monetary()
    interest = fields.Monetary()
    penalty = fields.Monetary()
    fee = fields.Monetary()
    overpayment = fields.Monetary(help="Paid beyond what the loan owed: credited to savings or sent to review.")
    reference = fields.Char(help="Receipt or provider reference (M-Pesa TransID, check-off file, teller slip).")
    move_id = fields.Many2one('account.move', "Journal Entry", readonly=True, check_company=True)
    payment_transaction_id = fields.Many2one('payment.transaction', readonly=True)
    reversed = fields.Boolean(readonly=True, help="Undone (undo disbursal); its entry was reversed.")
    allocation_ids = fields.One2many('ddcpts.sacco.loan.allocation', 'transaction_id', "Allocation")
