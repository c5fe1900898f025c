from odoo import _, models
from odoo.exceptions import UserError


class DdcptsSaccoCheckoff(models.Model):
    """Check-off remittances repay loans through the same allocation as mobile money and cash: the
    remittance entry credits the member's receivable with what goes to a loan, and the loan's repayment
    (split principal / interest / penalties / fees, overpayment to savings) clears it."""
    _inherit = 'ddcpts.sacco.checkoff'

    def _sacco_post_rows(self, lines, taken=None, other_credits=()):
        repayments = lines._loan_checkoff_repayments()
        taken = dict(taken or {})
        other_credits = list(other_credits)
        for line, loan, amount in repayments:
            taken[line] = taken.get(line, 0.0) + amount
            other_credits.append((loan._loan_member_receivable(), loan.partner_id, loan.name, amount))
        move = super()._sacco_post_rows(lines, taken=taken, other_credits=other_credits)
        for line, loan, amount in repayments:
            receivable_account = loan._loan_member_receivable()
            transaction = loan.with_company(self.company_id)._loan_repay(
                amount, self.date, 'checkoff', receivable_account, reference=self.name)
            if transaction.overpayment and not loan.product_id.overpayment_product_id:
                raise UserError(_(
                    "Row %(row)s pays %(amount)s more than %(loan)s owes and the loan product credits overpayments "
                    "to no savings account: correct the row with the employer.", row=line.sequence, loan=loan.name,
                    amount=loan.currency_id.format(transaction.overpayment)))
            (move | transaction.move_id).line_ids.filtered(
                lambda item, account=receivable_account, partner=loan.partner_id:
                    item.account_id == account and item.partner_id == partner and not item.reconciled).reconcile()
        return move
